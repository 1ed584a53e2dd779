"""Drafting blobs: session payloads and generic-object logs, on a Django-shaped schema."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from rightsdesk.connectors.base import Discoverable
from rightsdesk.discovery.drafting.blobmap import GenericLog, draft_blobs
from rightsdesk.discovery.sample import classify_all, open_store

meta = sa.MetaData()
sa.Table(
    "auth_user",
    meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(150)),
)
content_types = sa.Table(
    "django_content_type",
    meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("app_label", sa.String(100)),
    sa.Column("model", sa.String(100)),
)
sessions = sa.Table(
    "django_session",
    meta,
    sa.Column("session_key", sa.String(40), primary_key=True),
    sa.Column("session_data", sa.Text),
)
admin_log = sa.Table(
    "django_admin_log",
    meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("content_type_id", sa.Integer),
    sa.Column("object_id", sa.Text),
    sa.Column("object_repr", sa.String(200)),
    sa.Column("action_flag", sa.SmallInteger),
    sa.Column("change_message", sa.Text),
)

comments = sa.Table(  # django-contrib-comments: rows name the commented object, never a user
    "django_comments",
    meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("content_type_id", sa.Integer),
    sa.Column("object_pk", sa.Text),
    sa.Column("comment", sa.Text),
)


def signed(payload: dict[str, str]) -> str:
    body = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    return f"{body}:1tXyZa:c2lnbmF0dXJlX29mX3RoZV90ZXN0"


@pytest.fixture
def store(db_url: str) -> Iterator[Discoverable]:
    engine = sa.create_engine(db_url)
    meta.create_all(engine)
    with engine.begin() as c:
        c.execute(
            sa.insert(content_types),
            [
                {"id": 3, "app_label": "auth", "model": "group"},
                {"id": 4, "app_label": "auth", "model": "user"},
            ],
        )
        c.execute(
            sa.insert(sessions),
            [
                {
                    "session_key": f"k{n}",
                    "session_data": signed(
                        {
                            "_auth_user_id": str(n),
                            "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
                        }
                    ),
                }
                for n in range(1, 6)
            ],
        )
        c.execute(
            sa.insert(comments),
            [{"id": 1, "content_type_id": 3, "object_pk": "7", "comment": "hi"}],
        )
        c.execute(
            sa.insert(admin_log),
            [
                {
                    "id": 1,
                    "content_type_id": 4,
                    "object_id": "1",
                    "object_repr": "ann",
                    "action_flag": 2,
                    "change_message": '[{"changed": {"fields": ["Email"]}}]',
                },
            ],
        )
    engine.dispose()
    opened = open_store("app", db_url)
    yield opened
    opened.close()


def test_sessions_and_generic_logs_are_drafted(store: Discoverable) -> None:
    info = store.describe()
    findings = classify_all(store, info, rows=100)
    draft = draft_blobs(store, info, findings)
    assert draft.payloads == {("django_session", "session_data"): {"user_id": "_auth_user_id"}}
    assert draft.logs("auth_user") == {
        "django_admin_log": GenericLog(4, "object_id", ("object_repr", "change_message"))
    }


def test_no_logs_without_content_types_for_the_people_table(store: Discoverable) -> None:
    info = store.describe()
    assert draft_blobs(store, info, {}).logs("accounts") == {}


@pytest.mark.parametrize(
    ("redact", "about_object"),
    [
        (("object_repr", "change_message"), True),  # Django's admin log
        (("object_repr", "changes", "remote_addr"), True),  # django-auditlog
        (("user_name", "user_email", "comment"), False),  # a comment: its author's
    ],
)
def test_a_change_log_is_about_its_object_a_comment_about_its_author(
    redact: tuple[str, ...], about_object: bool
) -> None:
    assert GenericLog(4, "object_pk", redact).describes_object is about_object

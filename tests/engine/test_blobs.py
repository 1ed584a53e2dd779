"""Values inside blobs: audit rows redacted in place, sessions found by their payload."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pytest
import sqlalchemy as sa

from rightsdesk.connectors.base import Row
from rightsdesk.connectors.sql import SqlConnector
from rightsdesk.datamap import loads
from rightsdesk.domain.subjects import Identity, Subject
from rightsdesk.engine.erasure import ErasureCollector
from rightsdesk.engine.runner import Engine
from rightsdesk.masking.base import MaskingKey
from tests.engine.tables import engine_for, fill

meta = sa.MetaData()
users = sa.Table(
    "users",
    meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(40), unique=True),
    sa.Column("email", sa.String(100), index=True),
)
auditlog = sa.Table(  # django-auditlog: object_pk is the user's id as text, no foreign key
    "auditlog",
    meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("content_type_id", sa.Integer),
    sa.Column("object_pk", sa.String(255), index=True),
    sa.Column("object_repr", sa.Text),
    sa.Column("changes", sa.Text),
    sa.Column("extra", sa.JSON),  # a JSON column: dicts in and out on PostgreSQL
)
sessions = sa.Table(
    "django_session",
    meta,
    sa.Column("session_key", sa.String(40), primary_key=True),
    sa.Column("session_data", sa.Text),
)
php_sessions = sa.Table(  # Kanboard: a PHP-serialized user record, no foreign key
    "php_sessions",
    meta,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("data", sa.Text),
)
activities = sa.Table(  # Kanboard: a row of the project owner's that names other people
    "activities",
    meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("owner_id", sa.Integer, sa.ForeignKey("users.id")),
    sa.Column("data", sa.Text),
)


def php(username: str, email: str) -> str:
    return f'a:2:{{s:8:"username";s:{len(username)}:"{username}";s:5:"email";s:{len(email)}:"{email}";}}'


MAP = """
version: 1
systems:
  - name: app
    url: "{url}"
    collections:
      - name: users
        erase: delete_row
        fields:
          - {{name: id, primary_key: true, identity: user_id}}
          - {{name: username, identity: username}}
          - {{name: email, identity: email}}
      - name: auditlog
        copies: true
        where: {{content_type_id: 4}}
        fields:
          - {{name: id, primary_key: true}}
          - {{name: content_type_id}}
          - {{name: object_pk, identity: user_id}}
          - {{name: object_repr, erase: redact}}
          - {{name: changes, erase: redact}}
          - {{name: extra, erase: redact}}
      - name: django_session
        erase: delete_row
        fields:
          - {{name: session_key, primary_key: true}}
          - {{name: session_data, payload: {{user_id: _auth_user_id}}}}
      - name: php_sessions
        erase: delete_row
        fields:
          - {{name: id, primary_key: true}}
          - {{name: data, contains: [username, email]}}
      - name: activities
        owner: owner_id
        fields:
          - {{name: id, primary_key: true}}
          - {{name: owner_id, references: users.id, erase: set_null}}
          - {{name: data, contains: [username, email], erase: redact}}
"""


def signed(payload: dict[str, Any]) -> str:
    """Shaped like django.core.signing.dumps: base64url JSON, timestamp, signature."""
    body = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    return f"{body}:1tXyZa:Qk9HVVNfU0lHTkFUVVJFX0ZPUl9URVNUUw"


ANN_CHANGES = {"username": ["annlee", "annlee2"], "email": [None, "ann@example.org"]}
ROWS: dict[sa.Table, list[dict[str, Any]]] = {
    users: [
        {"id": 1, "username": "annlee", "email": "ann@example.org"},
        {"id": 2, "username": "bobsmith", "email": "bob@example.org"},
    ],
    auditlog: [
        {
            "id": 1,
            "content_type_id": 4,
            "object_pk": "1",
            "object_repr": "annlee",
            "changes": json.dumps(ANN_CHANGES),
            "extra": {"by": "admin", "email": "ann@example.org"},
        },
        # object 1 of another model (an order): not about Ann
        {
            "id": 2,
            "content_type_id": 9,
            "object_pk": "1",
            "object_repr": "Order annlee",
            "extra": None,
            "changes": "{}",
        },
        {
            "id": 3,
            "content_type_id": 4,
            "object_pk": "2",
            "object_repr": "bobsmith",
            "changes": json.dumps({"email": [None, "bob@example.org"]}),
            "extra": None,
        },
    ],
    sessions: [
        {"session_key": "s1", "session_data": signed({"_auth_user_id": "1"})},
        {"session_key": "s2", "session_data": signed({"_auth_user_id": "2"})},
        {"session_key": "s3", "session_data": "not a payload"},
    ],
    php_sessions: [
        {"id": "p1", "data": php("annlee", "ann@example.org")},
        {"id": "p2", "data": php("annlee2", "ann2@example.org")},  # someone else
        {"id": "p3", "data": php("bobsmith", "bob@example.org")},
    ],
    activities: [  # Bob's, naming Ann as the assignee
        {"id": 1, "owner_id": 2, "data": json.dumps({"creator": "bobsmith", "assignee": "annlee"})},
        {"id": 2, "owner_id": 2, "data": json.dumps({"creator": "bobsmith"})},
    ],
}
ANN = Subject("ann", (Identity("email", "ann@example.org"),))


@pytest.fixture
def app(db_url: str) -> Iterator[tuple[Engine, str]]:
    fill(db_url, meta, ROWS)
    with engine_for(MAP.format(url=db_url), db_url) as engine:
        yield engine, db_url


def test_audit_rows_about_the_person_and_their_sessions_are_found(
    app: tuple[Engine, str],
) -> None:
    engine, _ = app
    collector = ErasureCollector()
    engine.walk_all([ANN], collector)
    assert sorted(collector.found["app.auditlog"]) == [1]
    assert sorted(collector.found["app.django_session"]) == ["s1"]
    assert sorted(collector.found["app.php_sessions"]) == ["p1"]
    assert "app.activities" not in collector.found  # Bob's rows: they only mention Ann
    assert sorted(collector.mentions["app.activities"]["data"]) == [1]


def test_erasure_redacts_inside_the_blobs_and_deletes_the_sessions(
    app: tuple[Engine, str],
) -> None:
    engine, url = app
    engine.erase([ANN])
    check = sa.create_engine(url)
    with check.connect() as conn:
        audit = {r[0]: (r[3], r[4]) for r in conn.execute(sa.select(auditlog))}
        extra = conn.execute(sa.select(auditlog.c.extra).where(auditlog.c.id == 1)).scalar()
        keys = sorted(r[0] for r in conn.execute(sa.select(sessions.c.session_key)))
        php_keys = sorted(r[0] for r in conn.execute(sa.select(php_sessions.c.id)))
        acts = {r[0]: json.loads(r[2]) for r in conn.execute(sa.select(activities))}
    check.dispose()
    repr_, changes = audit[1]
    assert repr_ == "******"
    assert json.loads(changes) == {"username": ["******", "annlee2"], "email": [None, "*" * 15]}
    assert extra == {"by": "admin", "email": "*" * 15}
    assert audit[2] == ("Order annlee", "{}")  # another model's row: untouched
    assert audit[3][0] == "bobsmith"
    assert keys == ["s2", "s3"]
    assert php_keys == ["p2", "p3"]
    assert acts == {1: {"creator": "bobsmith", "assignee": "******"}, 2: {"creator": "bobsmith"}}


class Recording(SqlConnector):
    """The real connector, counting the rows each scan brings back per collection."""

    def __init__(self, url: str) -> None:
        super().__init__("app", url)
        self.scanned: dict[str, int] = {}

    def scan(
        self,
        collection: str,
        columns: Sequence[str],
        containing: Mapping[str, Sequence[str]] | None = None,
    ) -> Iterator[list[Row]]:
        self.scanned.setdefault(collection, 0)
        for batch in super().scan(collection, columns, containing):
            self.scanned[collection] += len(batch)
            yield batch


@pytest.mark.parametrize(
    ("subject", "read"),
    [
        # the database returns rows holding 'annlee' (p2's 'annlee2' too: the pattern refuses it)
        (ANN, {"django_session": 3, "php_sessions": 2, "activities": 1}),
        # nobody has a username or email: text is not read at all, payloads still are
        (Subject("x", (Identity("user_id", "99"),)), {"django_session": 3}),
    ],
)
def test_text_scans_read_only_rows_holding_a_value(
    db_url: str, subject: Subject, read: dict[str, int]
) -> None:
    fill(db_url, meta, ROWS)
    connector = Recording(db_url)
    try:
        engine = Engine(loads(MAP.format(url=db_url)), {"app": connector}, key=MaskingKey(b"k"))
        engine.walk_all([subject], ErasureCollector())
    finally:
        connector.close()
    assert connector.scanned == read

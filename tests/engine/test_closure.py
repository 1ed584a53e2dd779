"""Copies without a foreign key: the identity closure finds them, and never pulls others in."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

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
emails = sa.Table(  # every address a user has had (allauth's account_emailaddress)
    "emails",
    meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), index=True),
    sa.Column("email", sa.String(100), index=True),
)
sessions = sa.Table(
    "sessions",
    meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), index=True),
    sa.Column("ip", sa.String(45), index=True),
)
attempts = sa.Table(  # django-axes: keyed by username and IP address, no foreign key, no key
    "attempts",
    meta,
    sa.Column("at", sa.String(10)),
    sa.Column("username", sa.String(100), index=True),
    sa.Column("ip", sa.String(45), index=True),
)
history = sa.Table(  # simple-history: ``id`` is the user's id, no foreign key
    "history",
    meta,
    sa.Column("hid", sa.Integer, primary_key=True),
    sa.Column("id", sa.Integer, index=True),
    sa.Column("username", sa.String(40)),
    sa.Column("email", sa.String(100)),
)

MAP = """
version: 1
closure: {{kinds: [username, email, ip_address]}}
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
      - name: emails
        owner: user_id
        erase: delete_row
        fields:
          - {{name: id, primary_key: true}}
          - {{name: user_id, references: users.id}}
          - {{name: email, categories: user.contact.email}}
      - name: sessions
        owner: user_id
        erase: delete_row
        fields:
          - {{name: id, primary_key: true}}
          - {{name: user_id, references: users.id}}
          - {{name: ip, categories: user.device.ip_address}}
      - name: attempts
        copies: true
        erase: delete_row
        fields:
          - {{name: at}}
          - {{name: username, identity: username}}
          - {{name: ip, identity: ip_address}}
      - name: history
        copies: true
        erase: delete_row
        fields:
          - {{name: hid, primary_key: true}}
          - {{name: id, identity: user_id}}
          - {{name: username, categories: user.account.username}}
          - {{name: email, categories: user.contact.email}}
"""

ANN = ["a1", "a2", "a7", "a9"]  # the attempts that are Ann's
ROWS: dict[sa.Table, list[dict[str, Any]]] = {
    users: [
        {"id": 1, "username": "ann", "email": "ann@new.org"},
        {"id": 2, "username": "bob", "email": "bob@x.org"},
    ],
    emails: [
        {"id": 1, "user_id": 1, "email": "ann@new.org"},
        {"id": 2, "user_id": 1, "email": "Ann@Old.org"},
    ],
    sessions: [
        {"id": 1, "user_id": 1, "ip": "10.0.0.1"},
        {"id": 2, "user_id": 1, "ip": "10.0.0.9"},
        {"id": 3, "user_id": 2, "ip": "10.0.0.9"},  # an address Ann and Bob share
    ],
    attempts: [
        {"at": "a1", "username": "ann", "ip": "10.0.0.5"},  # her username, anyone's address
        {"at": "a2", "username": None, "ip": "10.0.0.1"},  # her own address, no username
        {"at": "a3", "username": "bob", "ip": "10.0.0.1"},  # her address, Bob's username: his
        {"at": "a4", "username": None, "ip": "10.0.0.9"},  # the shared address: not hers
        {"at": "a5", "username": "annie", "ip": None},
        {"at": "a6", "username": None, "ip": "10.0.0.5"},  # seen with her username once only
        {"at": "a7", "username": "ann_old", "ip": None},  # her old username (from history)
        {"at": "a8", "username": "bob", "ip": "10.0.0.9"},
        {"at": "a9", "username": "ann@old.org", "ip": None},  # logged in with an old address
    ],
    history: [
        {"hid": 1, "id": 1, "username": "ann_old", "email": "ann@old.org"},
        {"hid": 2, "id": 2, "username": "bob", "email": "bob@x.org"},
    ],
}


@pytest.fixture
def app(db_url: str) -> Iterator[tuple[Engine, str]]:
    fill(db_url, meta, ROWS)
    with engine_for(MAP.format(url=db_url), db_url) as engine:
        yield engine, db_url


ANN_SUBJECT = Subject("ann", (Identity("email", "ann@new.org"),))


def test_the_closure_finds_copies_by_the_persons_own_values_only(
    app: tuple[Engine, str],
) -> None:
    engine, _ = app
    collector = ErasureCollector()
    stats = engine.walk_all([ANN_SUBJECT], collector)
    found = sorted(row[0] for row, _ in collector.found["app.attempts"].values())
    assert found == ANN
    assert [row[0] for row, _ in collector.found["app.history"].values()] == [1]
    assert stats.closure == [
        {
            "rounds": 1,
            # a login name may be an address: each spelling of both addresses counts as one
            "added": {"email": 1, "ip_address": 1, "username": 5},
            "shared": {"ip_address": 1},
            "capped": False,
        }
    ]
    assert stats.refused["app.attempts"] >= 1  # a3: her address under Bob's username


def test_erasure_removes_the_copies_and_changes_nobody_elses_rows(
    app: tuple[Engine, str],
) -> None:
    engine, url = app
    result = engine.erase([ANN_SUBJECT])
    assert result.closure[0]["shared"] == {"ip_address": 1}
    check = sa.create_engine(url)
    with check.connect() as conn:
        left = sorted(r[0] for r in conn.execute(sa.select(attempts.c.at)))
        people = [tuple(r) for r in conn.execute(sa.select(users).order_by(users.c.id))]
        kept_history = [r[0] for r in conn.execute(sa.select(history.c.hid))]
        kept_sessions = [r[0] for r in conn.execute(sa.select(sessions.c.id))]
    check.dispose()
    assert left == sorted({f"a{n}" for n in range(1, 10)} - set(ANN))
    assert people == [(2, "bob", "bob@x.org")]
    assert kept_history == [2] and kept_sessions == [3]


def test_a_cap_on_values_is_recorded(app: tuple[Engine, str]) -> None:
    engine, _ = app
    assert engine.datamap.closure is not None
    capped = engine.datamap.model_copy(
        update={"closure": engine.datamap.closure.model_copy(update={"max_values": 1})}
    )
    limited = Engine(capped, engine.connectors, key=MaskingKey(b"k"))
    stats = limited.walk_all([ANN_SUBJECT], ErasureCollector())
    assert stats.closure[0]["capped"] is True
    assert sum(stats.closure[0]["added"].values()) == 1


def test_without_a_closure_copies_are_still_checked(db_url: str) -> None:
    fill(db_url, meta, ROWS)
    text = MAP.format(url=db_url).replace("closure: {kinds: [username, email, ip_address]}\n", "")
    collector = ErasureCollector()
    with engine_for(text, db_url) as engine:
        engine.walk_all([Subject("x", (Identity("ip_address", "10.0.0.1"),))], collector)
    found = sorted(row[0] for row, _ in collector.found.get("app.attempts", {}).values())
    assert found == ["a2"]  # a3 holds Bob's username


def test_the_cli_reports_the_closure(db_url: str, tmp_path: Path) -> None:
    from tests.test_cli import invoke

    fill(db_url, meta, ROWS)
    path = tmp_path / "map.yml"
    path.write_text(MAP.format(url=db_url))
    args = ["erase", "--datamap", str(path), "--identity", "email=ann@new.org"]
    code, output = invoke(*args, "--dry-run")
    assert code == 0 and "identity closure: 1 more pass(es)" in output, output
    assert "refused as shared: 1 ip_address" in output
    code, output = invoke(*args, "--json")
    assert code == 0, output
    closure = json.loads(output)["closure"]["ann@new.org"]
    assert closure["shared"] == {"ip_address": 1}

"""Erasure respects the live schema: UNIQUE, NOT NULL, foreign keys, tables without a key."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from rightsdesk.connectors.base import Change, DeleteWhere, UpdateRows, UpdateWhere
from rightsdesk.connectors.sql import SqlConnector
from rightsdesk.datamap import DataMap, loads
from rightsdesk.domain.subjects import Identity, Subject
from rightsdesk.engine.checkpoint import decode_changes, encode_changes
from rightsdesk.engine.runner import Engine
from rightsdesk.masking.base import MaskingKey

meta = sa.MetaData()
teams = sa.Table("teams", meta, sa.Column("id", sa.Integer, primary_key=True))
users = sa.Table(
    "users",
    meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(40), nullable=False, unique=True),
    sa.Column("nick", sa.String(20), nullable=False, unique=True),
    sa.Column("email", sa.String(100), nullable=False),
    sa.Column("team_id", sa.Integer, sa.ForeignKey("teams.id"), nullable=False),
)
# no primary key; ``at`` first, so the old keying by first column mixed people up
logins = sa.Table(
    "logins",
    meta,
    sa.Column("at", sa.String(20)),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), index=True),
    sa.Column("ip", sa.String(45)),
)
notes = sa.Table(
    "notes",
    meta,
    sa.Column("at", sa.String(20)),
    sa.Column("user_id", sa.Integer, index=True),
    sa.Column("body", sa.String(100)),
)

MAP = """
version: 1
systems:
  - name: app
    url: "{url}"
    collections:
      - name: users
        fields:
          - {{name: id, primary_key: true}}
          - {{name: username, identity: username, erase: {{fixed: "[erased]"}}}}
          - {{name: nick, erase: set_null}}
          - {{name: email, identity: email, erase: set_null}}
          - {{name: team_id, erase: pseudonym}}
      - name: logins
        erase: delete_row
        fields:
          - {{name: at}}
          - {{name: user_id, references: users.id}}
          - {{name: ip, categories: user.device.ip_address}}
      - name: notes
        fields:
          - {{name: at}}
          - {{name: user_id, references: users.id}}
          - {{name: body, categories: user.content, erase: pseudonym}}
"""


@pytest.fixture
def app(db_url: str) -> Iterator[tuple[DataMap, dict[str, Any]]]:
    engine = sa.create_engine(db_url)
    meta.create_all(engine)
    with engine.begin() as conn:
        conn.execute(sa.insert(teams), [{"id": 1}])
        conn.execute(
            sa.insert(users),
            [
                {
                    "id": n,
                    "username": f"user{n}",
                    "nick": f"n{n}",
                    "email": f"u{n}@x.org",
                    "team_id": 1,
                }
                for n in (1, 2, 3)
            ],
        )
        conn.execute(
            sa.insert(logins),
            [
                {"at": "t1", "user_id": 1, "ip": "198.51.100.1"},
                {"at": "t1", "user_id": 1, "ip": "198.51.100.2"},
                {"at": "t1", "user_id": 3, "ip": "198.51.100.3"},
                {"at": "t2", "user_id": 2, "ip": "198.51.100.4"},
            ],
        )
        conn.execute(
            sa.insert(notes),
            [
                {"at": "t1", "user_id": 1, "body": "first note"},
                {"at": "t1", "user_id": 1, "body": "second note"},
                {"at": "t1", "user_id": 3, "body": "someone else's note"},
            ],
        )
    engine.dispose()
    datamap = loads(MAP.format(url=db_url))
    connector = SqlConnector("app", db_url)
    yield datamap, {"app": connector, "url": db_url}
    connector.close()


def _rows(url: str, table: sa.Table) -> list[tuple[Any, ...]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return sorted((tuple(r) for r in conn.execute(sa.select(table))), key=repr)
    finally:
        engine.dispose()


def test_a_batch_erasure_keeps_unique_not_null_and_foreign_keys_valid(
    app: tuple[DataMap, dict[str, Any]],
) -> None:
    datamap, opened = app
    engine = Engine(datamap, {"app": opened["app"]}, key=MaskingKey(b"k"))
    people = [Subject(f"s{n}", (Identity("username", f"user{n}"),)) for n in (1, 2)]
    result = engine.erase(people)  # one set-based run: a constant would collide on row two
    found = {r[0]: r for r in _rows(opened["url"], users)}
    one, two, three = found[1], found[2], found[3]
    assert three == (3, "user3", "n3", "u3@x.org", 1)
    assert one[1] != two[1] and all(u[1].startswith("[erased]-") for u in (one, two))
    assert one[2] != two[2] and None not in (one[2], two[2])  # NOT NULL UNIQUE nick
    assert one[3] == two[3] == ""  # NOT NULL email: a blank, never NULL
    assert one[4] == two[4] == 1  # a NOT NULL foreign key is left valid
    assert "team_id" in result.report[0]["app.users"]["unmasked"]


def test_a_table_without_primary_key_is_erased_by_its_key_columns(
    app: tuple[DataMap, dict[str, Any]],
) -> None:
    datamap, opened = app
    engine = Engine(datamap, {"app": opened["app"]}, key=MaskingKey(b"k"))
    result = engine.erase([Subject("s1", (Identity("username", "user1"),))])
    report = result.report[0]
    assert (report["app.logins"]["found"], report["app.logins"]["deleted"]) == (2, 2)
    assert _rows(opened["url"], logins) == [
        ("t1", 3, "198.51.100.3"),
        ("t2", 2, "198.51.100.4"),
    ]
    bodies = _rows(opened["url"], notes)
    assert ("t1", 3, "someone else's note") in bodies
    mine = [b for b in bodies if b[1] == 1]
    assert len(mine) == 2 and len({b[2] for b in mine}) == 2
    assert not {"first note", "second note"} & {b[2] for b in mine}
    assert report["app.notes"]["masked"] == 2


def test_changes_keyed_by_several_columns_survive_a_checkpoint() -> None:
    changes: dict[str, list[Change]] = {
        "app": [
            DeleteWhere("logins", ("at", "user_id"), [("t1", 1), ("t2", 2)]),
            UpdateWhere("notes", ("at", "user_id"), [("t1", 1)], {"body": None}),
            UpdateRows("notes", ("user_id", "body"), ("body",), [((1, "a"), "b")]),
            DeleteWhere("users", "id", [1, 2]),
        ]
    }
    assert decode_changes(json.loads(json.dumps(encode_changes(changes)))) == changes


def test_a_delete_keyed_by_several_columns_removes_exactly_those_rows(
    app: tuple[DataMap, dict[str, Any]],
) -> None:
    _, opened = app
    change = DeleteWhere("logins", ("at", "user_id"), [("t1", 1), ("t2", 3), ("t9", 9)])
    assert opened["app"].apply([change]) == [2]
    assert _rows(opened["url"], logins) == [("t1", 3, "198.51.100.3"), ("t2", 2, "198.51.100.4")]

"""``generate`` drafts ownership: owners, relations, catalogues and limits, safe to run unedited."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa

from rightsdesk.connectors.base import Connector
from rightsdesk.connectors.sql import SqlConnector
from rightsdesk.datamap import DataMap, loads
from rightsdesk.discovery.drafting.generate import generate
from rightsdesk.discovery.drafting.limits import headroom
from rightsdesk.domain.subjects import Identity, Subject
from rightsdesk.engine.runner import Engine
from rightsdesk.masking.base import MaskingKey
from tests.engine import traps
from tests.engine.test_ownership import THEIRS, Found


@pytest.fixture
def drafted(sqlite_url: str) -> tuple[str, DataMap]:
    traps.create(sqlite_url)
    return sqlite_url, loads(generate(sqlite_url, system="app").yaml_text, env={})


@contextmanager
def extended(url: str) -> Iterator[sa.Connection]:
    """The traps database at ``url``, and a transaction to add tables and rows to it."""
    traps.create(url)
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            yield conn
    finally:
        engine.dispose()


def collection(datamap: DataMap, name: str) -> Any:
    found = datamap.resolve(f"app.{name}")
    assert found is not None
    return found[1]


@pytest.mark.parametrize(
    ("table", "owner", "relation", "personal"),
    [
        ("users", None, (), True),  # the person table: found by identity
        ("orders", "user_id", (), True),  # a direct reference to the person is the owner
        ("applications", "user_id", (), True),
        ("tokens", "user_id", (), True),  # not application_id: the token is its user's
        ("follows", None, ("followee_id", "follower_id"), True),  # two people: a relation
        ("products", None, (), False),  # nothing personal, nobody's: a catalogue
    ],
)
def test_ownership_is_drafted(
    drafted: tuple[str, DataMap],
    table: str,
    owner: str | None,
    relation: tuple[str, ...],
    personal: bool,
) -> None:
    spec = collection(drafted[1], table)
    assert (spec.owner, spec.relation, spec.personal) == (owner, relation, personal)


def test_limits_are_drafted_from_the_data(drafted: tuple[str, DataMap]) -> None:
    limits = {c.name: c.max_rows_per_person for _, c in drafted[1].collections()}
    assert limits["users"] == 1
    assert limits["follows"] == headroom(2)  # person 2 follows and is followed
    assert limits["products"] is None


def test_a_chain_of_owners_reaches_the_nearest_owned_parent(sqlite_url: str) -> None:
    with extended(sqlite_url) as conn:
        conn.execute(
            sa.text(
                "CREATE TABLE order_lines (id INTEGER PRIMARY KEY, "
                "order_id INTEGER NOT NULL REFERENCES orders(id), "
                "product_id INTEGER NOT NULL REFERENCES products(id), quantity INTEGER)"
            )
        )
        conn.execute(sa.text("INSERT INTO order_lines VALUES (1, 11, 1, 2), (2, 11, 1, 1)"))
    draft = generate(sqlite_url, system="app").yaml_text
    lines = collection(loads(draft, env={}), "order_lines")
    assert lines.owner == "order_id"
    assert lines.max_rows_per_person == headroom(2)


def run(url: str, datamap: DataMap, person: int, *, erase: bool = False) -> dict[str, set[Any]]:
    connectors: dict[str, Connector] = {
        s.name: SqlConnector(s.name, s.url) for s in datamap.systems
    }
    try:
        engine = Engine(datamap, connectors, key=MaskingKey(b"k"))
        subject = Subject("p", (Identity("email", f"p{person}@example.com"),))
        if erase:
            engine.erase([subject])
            return {}
        sink = Found()
        engine.access([subject], sink)
        return {collection: keys for (_, collection), keys in sink.keys.items()}
    finally:
        for connector in connectors.values():
            connector.close()


@pytest.mark.parametrize("person", [1, 2, 3])
def test_the_draft_run_unedited_exports_each_person_their_rows(
    drafted: tuple[str, DataMap], person: int
) -> None:
    assert run(*drafted, person) == THEIRS[person]


@pytest.mark.parametrize("person", [1, 2, 3])
def test_the_draft_run_unedited_changes_no_one_elses_row(
    drafted: tuple[str, DataMap], person: int
) -> None:
    url, datamap = drafted
    before = traps.snapshot(url)
    run(url, datamap, person, erase=True)
    after = traps.snapshot(url)
    theirs = THEIRS[person]
    for table, rows in before.items():
        others = [r for r in rows if r[0] not in theirs.get(table, set())]
        assert [r for r in after[table] if r[0] not in theirs.get(table, set())] == others, table
    assert f"p{person}@example.com" not in str(after)


def test_person_columns_without_a_foreign_key_make_a_relation(sqlite_url: str) -> None:
    """Kanboard's shape: tasks.creator_id and tasks.owner_id hold user ids (0: nobody), no FK."""
    with extended(sqlite_url) as conn:
        conn.execute(
            sa.text(
                "CREATE TABLE tasks (id INTEGER PRIMARY KEY, creator_id INTEGER, "
                "owner_id INTEGER, title VARCHAR(80))"
            )
        )
        conn.execute(
            sa.text("INSERT INTO tasks VALUES (1, 1, 2, 'a'), (2, 2, 0, 'b'), (3, 3, 1, 'c')")
        )
    datamap = loads(generate(sqlite_url, system="app").yaml_text, env={})
    assert collection(datamap, "tasks").relation == ("creator_id", "owner_id")
    assert run(sqlite_url, datamap, 2)["tasks"] == {1, 2}


def test_a_history_copy_and_a_login_log_are_drafted(sqlite_url: str) -> None:
    """simple-history's shape (the user's key repeated, the editor a foreign key) is owned by
    the user; a login-attempt log keyed by username with no foreign key is a copy table."""
    with extended(sqlite_url) as conn:
        conn.execute(sa.text("ALTER TABLE users ADD COLUMN username VARCHAR(40)"))
        conn.execute(sa.text("ALTER TABLE users ADD COLUMN joined DATE"))
        for n in (1, 2, 3):
            conn.execute(sa.text(f"UPDATE users SET username = 'user{n}x' WHERE id = {n}"))
        conn.execute(
            sa.text(
                "CREATE TABLE users_history (history_id INTEGER PRIMARY KEY, id INTEGER NOT NULL,"
                " email VARCHAR(80), name VARCHAR(80), username VARCHAR(40), joined DATE, "
                "editor_id INTEGER REFERENCES users(id))"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO users_history VALUES (1, 1, 'old1@example.com', 'Person 1', "
                "'user1x', NULL, 3), (2, 2, 'p2@example.com', 'Person 2', 'user2x', NULL, 3)"
            )
        )
        conn.execute(
            sa.text("CREATE TABLE attempts (id INTEGER PRIMARY KEY, login VARCHAR(40), ip TEXT)")
        )
        conn.execute(
            sa.text(
                "INSERT INTO attempts VALUES (1, 'user1x', '198.51.100.1'), "
                "(2, 'user2x', '198.51.100.2'), (3, 'user3x', '198.51.100.3'), "
                "(4, 'user1x', '198.51.100.1')"
            )
        )
    draft = generate(sqlite_url, system="app").yaml_text
    datamap = loads(draft, env={})
    history = collection(datamap, "users_history")
    assert (history.owner, history.relation) == ("id", ())  # not the editor's
    assert collection(datamap, "attempts").copies
    assert datamap.closure is not None and "username" in datamap.closure.kinds
    reached = run(sqlite_url, datamap, 1)
    assert (reached["users_history"], reached.get("attempts")) == ({1}, {1, 4})


def test_an_address_each_order_points_at_is_part_of_the_order(sqlite_url: str) -> None:
    """django-oscar's shape: order.shipping_address_id -> an address row of its own."""
    with extended(sqlite_url) as conn:
        conn.execute(
            sa.text(
                "CREATE TABLE shipping (id INTEGER PRIMARY KEY, line1 VARCHAR(80), "
                "phone VARCHAR(30))"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO shipping VALUES (7, '1 Main Street, Springfield', '+8613800000001'),"
                " (8, '2 High Street, Springfield', '+8613800000002')"
            )
        )
        conn.execute(
            sa.text("ALTER TABLE orders ADD COLUMN address_id INTEGER REFERENCES shipping(id)")
        )
        conn.execute(sa.text("UPDATE orders SET address_id = CASE id WHEN 11 THEN 7 ELSE 8 END"))
    datamap = loads(generate(sqlite_url, system="app").yaml_text, env={})
    assert collection(datamap, "shipping").part_of == "orders.address_id"
    assert run(sqlite_url, datamap, 1)["shipping"] == {7}
    before = traps.snapshot(sqlite_url)
    run(sqlite_url, datamap, 1, erase=True)
    after = sa.create_engine(sqlite_url)
    with after.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, line1 FROM shipping ORDER BY id")).all()
    after.dispose()
    assert (
        rows[1] == (8, "2 High Street, Springfield") and rows[0][1] != "1 Main Street, Springfield"
    )
    assert traps.snapshot(sqlite_url)["tokens"] == before["tokens"]


def test_an_invitation_with_its_own_email_is_the_invitees_and_deleted_on_erasure(
    sqlite_url: str,
) -> None:
    """Kanboard's shape: an invitation to person 1's application names the invitee by email,
    keyed by (email, token): it is found by the email, never exported to the application's
    owner, and deleted whole on the invitee's erasure (the email, in the key, cannot be masked)."""
    with extended(sqlite_url) as conn:
        conn.execute(
            sa.text(
                "CREATE TABLE invites (email VARCHAR(80) NOT NULL, application_id INTEGER NOT "
                "NULL, token VARCHAR(40) NOT NULL, PRIMARY KEY (email, token))"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO invites VALUES ('p9@example.com', 1, 'f3a9c1'), "
                "('p2@example.com', 1, 'b7e0d4'), ('p9@example.com', 1, 'a1b2c3')"
            )
        )
    draft = generate(sqlite_url, system="app").yaml_text
    invites = collection(loads(draft, env={}), "invites")
    assert (invites.owner, invites.copies, invites.erase is not None) == (None, True, True)
    datamap = loads(draft, env={})
    assert "invites" not in run(sqlite_url, datamap, 1)  # not the application owner's
    assert run(sqlite_url, datamap, 9)["invites"] == {"p9@example.com"}
    run(sqlite_url, datamap, 9, erase=True)
    after = sa.create_engine(sqlite_url)
    with after.connect() as conn:
        left = conn.execute(sa.text("SELECT email, token FROM invites")).all()
    after.dispose()
    assert left == [("p2@example.com", "b7e0d4")]

"""Ownership, not reachability: the three traps, relations, and the blast-radius guard."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from rightsdesk.connectors.base import Connector, Row
from rightsdesk.connectors.sql import SqlConnector
from rightsdesk.datamap import loads
from rightsdesk.domain.errors import GuardError
from rightsdesk.domain.subjects import Identity, Subject
from rightsdesk.engine.guard import Guard, path_to
from rightsdesk.engine.plan import Step, compile_plan
from rightsdesk.engine.runner import Engine
from rightsdesk.engine.traversal import Owners
from rightsdesk.masking.base import MaskingKey
from rightsdesk.service.runtime import runs
from tests.engine import shop, traps


class Found:
    """A RowSink keeping primary keys per subject and collection."""

    def __init__(self) -> None:
        self.keys: dict[tuple[int, str], set[Any]] = {}

    def rows(self, step: Step, rows: list[Row], owners: list[Owners]) -> None:  # type: ignore[override]
        for row, mine in zip(rows, owners, strict=True):
            for subject in mine:
                self.keys.setdefault((subject, step.collection), set()).add(row[0])


@pytest.fixture
def url(sqlite_url: str) -> str:
    traps.create(sqlite_url)
    return sqlite_url


def open_engine(text: str, url: str, *, guard: bool = True) -> Iterator[Engine]:
    datamap = loads(text.format(url=url))
    connectors: dict[str, Connector] = {
        s.name: SqlConnector(s.name, s.url) for s in datamap.systems
    }
    try:
        yield Engine(datamap, connectors, key=MaskingKey(b"k"), guard=guard)
    finally:
        for connector in connectors.values():
            connector.close()


def found(text: str, url: str, person: int, *, guard: bool = True) -> dict[str, set[Any]]:
    sink = Found()
    for engine in open_engine(text, url, guard=guard):
        engine.access([Subject("p", (Identity("email", f"p{person}@example.com"),))], sink)
    return {collection: keys for (_, collection), keys in sink.keys.items()}


#: Person -> collection -> the keys of the rows that are theirs.
THEIRS: dict[int, dict[str, set[int]]] = {
    1: {"users": {1}, "orders": {11}, "applications": {1}, "follows": {1}},
    2: {"users": {2}, "orders": {21}, "tokens": {12}, "follows": {1, 2}},
    3: {"users": {3}, "tokens": {13}, "follows": {2}},
}


@pytest.mark.parametrize("person", [1, 2, 3])
def test_by_ownership_each_person_gets_exactly_their_rows(url: str, person: int) -> None:
    assert found(traps.BY_OWNERSHIP, url, person) == THEIRS[person]


def test_by_references_the_walk_reaches_everyone(url: str) -> None:
    """What the traps do to a map without ownership: person 1 gets the whole database."""
    reached = found(traps.BY_REFERENCES, url, 1)
    assert reached["users"] == {1, 2, 3}  # through the follows, the product and the tokens
    assert reached["tokens"] == {12, 13}


def test_a_limit_stops_the_walk_that_would_over_reach(url: str) -> None:
    """The guard, demonstrated: the same over-reaching map with one limit added."""
    limited = traps.BY_REFERENCES.replace(
        "      - name: users\n", "      - name: users\n        max_rows_per_person: 1\n"
    )
    with pytest.raises(GuardError) as caught:
        found(limited, url, 1)
    (finding,) = caught.value.findings
    assert finding.collection == "app.users"
    assert "3 rows, more than its max_rows_per_person 1" in finding.reason
    assert finding.path.startswith("identity:email -> app.users.email")


def test_a_guarded_export_writes_nothing(url: str, tmp_path: Path) -> None:
    out = tmp_path / "export"
    out.mkdir()
    limited = traps.BY_REFERENCES.replace(
        "      - name: users\n", "      - name: users\n        max_rows_per_person: 1\n"
    )
    for engine in open_engine(limited, url):
        with pytest.raises(GuardError):
            runs.export(engine, [Subject("p", (Identity("email", "p1@example.com"),))], out)
    assert list(out.iterdir()) == []


#: orders.contact is also an identity: person 2's order names person 1 as its contact.
CONTACT_IS_IDENTITY = traps.BY_OWNERSHIP.replace(
    "{{name: contact, categories: user.contact.email}}",
    "{{name: contact, identity: email, categories: user.contact.email, erase: set_null}}",
)


def test_a_row_owned_by_another_person_only_mentions_them(url: str) -> None:
    """Person 2's order names person 1 as its contact (an identity field): it stays person 2's
    order; person 1 sees it, and erasing person 1 masks only the contact. A guest order naming
    person 1, with no owner, is person 1's own."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE orders SET contact = 'p1@example.com' WHERE id = 21"))
        conn.execute(sa.text("INSERT INTO orders VALUES (31, NULL, 1, 'p1@example.com')"))
    engine.dispose()
    assert found(CONTACT_IS_IDENTITY, url, 1)["orders"] == {11, 21, 31}
    assert found(CONTACT_IS_IDENTITY, url, 2)["orders"] == {21}
    for engine_ in open_engine(CONTACT_IS_IDENTITY, url):
        result = engine_.erase([Subject("p", (Identity("email", "p1@example.com"),))])
    orders = result.report[0]["app.orders"]
    assert (orders["deleted"], orders["masked"], orders["masked_fields"]) == (2, 1, ["contact"])
    assert traps.snapshot(url)["orders"] == [(21, 2, 1, None)]


def test_the_guard_stops_a_row_owned_by_someone_else(url: str) -> None:
    """The guard's own check, should a walk ever hand it such a row: it names row and path."""
    plan = compile_plan(loads(traps.BY_OWNERSHIP.format(url=url)), frozenset({"email"}))
    guard = Guard(plan)
    users, orders = plan.step("app.users"), plan.step("app.orders")
    guard.rows(users, [(1, "p1@example.com", "Person 1")], [frozenset({0})])
    guard.rows(orders, [(11, 1, 1, "x"), (21, 2, 1, "y"), (31, None, 1, "z")], [frozenset({0})] * 3)
    with pytest.raises(GuardError) as caught:
        guard.check([Subject("p1", (Identity("email", "p1@example.com"),))])
    (finding,) = caught.value.findings
    assert (finding.collection, finding.subject) == ("app.orders", "p1")
    assert finding.reason == (
        "1 rows owned by another person: app.orders.user_id points at a row that is not "
        "theirs (rows 21)"
    )
    assert finding.path == "identity:email -> app.users.email; app.users.id -> app.orders.user_id"


def test_a_dry_run_shows_the_guard_finding(url: str) -> None:
    limited = traps.BY_OWNERSHIP.replace(
        "      - name: follows\n", "      - name: follows\n        max_rows_per_person: 1\n"
    )
    for engine in open_engine(limited, url):
        with pytest.raises(GuardError, match=r"app.follows \(for p\): 2 rows"):
            engine.erase([Subject("p", (Identity("email", "p2@example.com"),))], dry_run=True)


@pytest.mark.parametrize(
    ("person", "follows_after"),
    [
        (1, [(1, None, 2), (2, 2, 3)]),  # only person 1's side of follow 1 is unlinked
        (2, [(1, 1, None), (2, None, 3)]),  # person 2 is on both: each of their sides goes
    ],
)
def test_erasing_a_relation_unlinks_only_that_persons_side(
    url: str, person: int, follows_after: list[tuple[Any, ...]]
) -> None:
    before = traps.snapshot(url)
    for engine in open_engine(traps.BY_OWNERSHIP, url):
        engine.erase([Subject("p", (Identity("email", f"p{person}@example.com"),))])
    after = traps.snapshot(url)
    assert after["follows"] == follows_after
    assert after["products"] == before["products"]
    others = {t for t in ("orders", "tokens") for r in before[t] if r[1] != person}
    for table in others:
        assert [r for r in after[table] if r[1] != person] == [
            r for r in before[table] if r[1] != person
        ]


def test_erasing_the_owner_of_an_application_leaves_its_users_tokens(url: str) -> None:
    before = traps.snapshot(url)
    for engine in open_engine(traps.BY_OWNERSHIP, url):
        engine.erase([Subject("p", (Identity("email", "p1@example.com"),))])
    after = traps.snapshot(url)
    assert after["tokens"] == before["tokens"]
    assert after["applications"] == [(1, 1, "[erased]")]
    assert after["orders"] == [r for r in before["orders"] if r[1] != 1]
    assert [r for r in after["users"] if r[0] != 1] == [r for r in before["users"] if r[0] != 1]


@pytest.mark.parametrize(
    ("kind", "collection", "path"),
    [
        (
            "email",
            "crm.crm_contacts",
            "identity:email -> app.users.email; app.users.id; "
            "identity:user_id -> crm.crm_contacts.user_ref",
        ),
        (
            "phone",
            "app.order_notes",
            "identity:phone -> app.users.phone; app.users.id -> app.orders.user_id; "
            "app.orders.id -> app.order_notes.order_id",
        ),
    ],
)
def test_the_path_starts_at_an_identity_the_person_gave(
    kind: str, collection: str, path: str
) -> None:
    plan = compile_plan(loads(shop.datamap_text("sqlite:///shop.db")), frozenset({kind}))
    assert path_to(plan, collection) == path

"""Places a partial refusal holds are left as they are by an erasure, on every backend.

Requirements: DEL-10 (a partial denial deletes the non-exempt part and names the exception for
the rest), DEL-03 (held records stay while all other records are deleted), RSP-06/07 (the held
part is refused on a catalogued ground).
"""

from __future__ import annotations

import pytest

from rightsdesk.connectors.base import Connector
from rightsdesk.datamap import DataMap
from rightsdesk.domain.errors import PolicyError
from rightsdesk.domain.subjects import Identity
from rightsdesk.engine import holds
from tests.engine import shop
from tests.engine.test_rights_engine import engine, person


def test_a_held_collection_is_left_linked_while_the_rest_is_erased(
    datamap: DataMap, connectors: dict[str, Connector], shop_url: str
) -> None:
    before = shop.snapshot(shop_url)
    held = holds.holds(datamap, ["crm.crm_contacts"])
    result = engine(datamap, connectors).erase([person(2)], holds=held)
    after = shop.snapshot(shop_url)
    assert [r for r in after["crm_contacts"] if r[1] == 2] == [
        r for r in before["crm_contacts"] if r[1] == 2
    ]  # untouched, and still found by the person's user id
    assert [r for r in after["users"] if r[0] == 2] == []  # the rest went as usual
    crm = result.report[0]["crm.crm_contacts"]
    assert crm["held"] == 1 and crm["held_fields"] is None and crm["masked"] == 0
    assert result.links == [{Identity("user_id", "2")}]


def test_a_held_field_keeps_its_value_and_the_row_while_other_fields_are_erased(
    datamap: DataMap, connectors: dict[str, Connector], shop_url: str
) -> None:
    before = {r[0]: r for r in shop.snapshot(shop_url)["crm_contacts"]}
    held = holds.holds(datamap, ["crm.crm_contacts.email"])
    result = engine(datamap, connectors).erase([person(2)], holds=held)
    after = {r[0]: r for r in shop.snapshot(shop_url)["crm_contacts"]}
    assert after[2][2] == before[2][2] == "user2@example.com"
    assert after[2][3] != before[2][3]  # the IP address is generalised as the map says
    assert result.report[0]["crm.crm_contacts"]["held_fields"] == ["email"]


def test_a_held_child_keeps_the_parent_row_it_references_in_its_store(
    datamap: DataMap, connectors: dict[str, Connector], shop_url: str
) -> None:
    """Orders reference users by a foreign key: holding orders holds the user row's key too,
    so the run neither breaks the constraint nor leaves orders pointing at nothing."""
    before = shop.snapshot(shop_url)
    held = holds.holds(datamap, ["app.orders"])
    assert held == {"app.orders": None, "app.users": frozenset({"id"})}
    engine(datamap, connectors).erase([person(2)], holds=held)
    after = shop.snapshot(shop_url)
    assert [r for r in after["orders"] if r[1] == 2] == [r for r in before["orders"] if r[1] == 2]
    assert [r[0] for r in after["users"]] == [1, 2, 3]
    assert [r for r in after["order_notes"] if r[0] // 100 == 2] == []  # not held: erased


def test_once_the_hold_is_lifted_a_scoped_run_erases_the_place(
    datamap: DataMap, connectors: dict[str, Connector], shop_url: str
) -> None:
    run = engine(datamap, connectors)
    first = run.erase([person(2)], holds=holds.holds(datamap, ["crm.crm_contacts"]))
    kept = [r for r in shop.snapshot(shop_url)["crm_contacts"] if r[1] == 2]
    assert kept[0][2] == "user2@example.com"
    later = person(2).__class__("s2", tuple(sorted(first.links[0])))
    run.erase([later], scope=frozenset({"crm.crm_contacts"}))
    after = [r for r in shop.snapshot(shop_url)["crm_contacts"] if r[1] == 2]
    assert after[0][2] != "user2@example.com"


@pytest.mark.parametrize(
    ("named", "message"),
    [
        (["billing.invoices"], "not a place of the data map; .* one of: app.users, app.orders"),
        (["app.orders.coupon"], "not a field of app.orders; its fields: app.orders.id"),
        (["app"], "not a place of the data map"),
        ([], "at least one place"),
    ],
)
def test_a_place_not_in_the_map_is_refused_with_the_valid_places(
    datamap: DataMap, named: list[str], message: str
) -> None:
    with pytest.raises(PolicyError, match=message):
        holds.check(datamap, named)


def test_places_are_normalised_and_named_once(datamap: DataMap) -> None:
    assert holds.check(datamap, [" app.orders ", "app.orders", "crm.crm_contacts.email"]) == (
        "app.orders",
        "crm.crm_contacts.email",
    )

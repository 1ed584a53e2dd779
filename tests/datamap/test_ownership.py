"""Ownership declarations: owner, relation, personal: false; each mistake named with its line."""

from __future__ import annotations

import pytest

from rightsdesk.datamap import loads
from rightsdesk.datamap.ownership import owner_reference, side_references
from rightsdesk.domain.errors import DataMapError

MAP = """\
systems:
  - name: app
    url: sqlite://
    collections:
      - name: users
        fields:
          - {name: id, primary_key: true, identity: user_id}
      - name: products
        personal: false
        fields:
          - {name: id, primary_key: true}
      - name: orders
        owner: user_id
        max_rows_per_person: 50
        fields:
          - {name: id, primary_key: true}
          - {name: user_id, references: users.id}
          - {name: product_id, references: products.id}
      - name: follows
        relation: [follower_id, followee_id]
        fields:
          - {name: id, primary_key: true}
          - {name: follower_id, references: users.id}
          - {name: followee_id, references: users.id}
"""


def test_a_map_by_ownership_loads() -> None:
    datamap = loads(MAP)
    assert datamap.by_ownership
    orders = datamap.resolve("app.orders")
    assert orders is not None
    owner = owner_reference(orders[1])
    assert owner is not None and owner.field == "users.id"
    assert orders[1].max_rows_per_person == 50
    follows = datamap.resolve("app.follows")
    assert follows is not None
    assert [side for side, _ in side_references(follows[1])] == ["follower_id", "followee_id"]
    users = datamap.resolve("app.users")
    assert users is not None and users[1].identifies and not orders[1].identifies


def test_a_map_without_ownership_walks_references_as_before() -> None:
    plain = MAP.replace("        personal: false\n", "").replace("        owner: user_id\n", "")
    assert not loads(
        plain.replace("        relation: [follower_id, followee_id]\n", "")
    ).by_ownership


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("owner: user_id", "owner: buyer"),
            "map.yml:13: app.orders: owner: owner names unknown field 'buyer'",
        ),
        (
            ("owner: user_id", "owner: id"),
            "map.yml:13: app.orders: owner: id must reference exactly one collection (it has 0)",
        ),
        (
            ("owner: user_id", "owner: product_id"),
            "product_id references products.id, which is personal: false",
        ),
        (
            (
                "{name: user_id, references: users.id}",
                "{name: user_id, references: {field: users.id, direction: to}}",
            ),
            "user_id is walked from what it references; direction: to forbids that",
        ),
        (
            ("relation: [follower_id, followee_id]", "relation: [follower_id, follower_id]"),
            "map.yml:20: app.follows: relation: a relation names at least two different side fields",
        ),
        (
            ("relation: [follower_id, followee_id]", "relation: [follower_id, whom]"),
            "map.yml:20: app.follows: relation: relation names unknown field 'whom'",
        ),
        (
            (
                "relation: [follower_id, followee_id]",
                "relation: [follower_id, followee_id]\n        owner: follower_id",
            ),
            "a collection has an owner or is a relation, not both",
        ),
        (
            ("        personal: false\n", "        personal: false\n        erase: delete_row\n"),
            "map.yml:9: app.products: personal: personal: false means the rows are nobody's; it cannot have erase",
        ),
        (
            ("max_rows_per_person: 50", "max_rows_per_person: 0"),
            "map.yml:14: app.orders: max_rows_per_person: Input should be greater than or equal to 1",
        ),
    ],
)
def test_an_incoherent_declaration_is_named_with_its_line(
    change: tuple[str, str], expected: str
) -> None:
    old, new = change
    assert old in MAP
    with pytest.raises(DataMapError) as caught:
        loads(MAP.replace(old, new), source="map.yml")
    assert any(expected in str(issue) for issue in caught.value.issues), caught.value.issues


def test_part_of_names_the_field_pointing_at_the_collection() -> None:
    text = MAP.replace("        personal: false\n", "        part_of: orders.product_id\n")
    products = loads(text).resolve("app.products")
    assert products is not None and products[1].part_of == "orders.product_id"
    with pytest.raises(
        DataMapError, match=r"orders\.id must be a field with one reference to products"
    ):
        loads(text.replace("part_of: orders.product_id", "part_of: orders.id"), source="map.yml")

"""Planner over graph shapes: chains, diamonds, cycles, several identities and systems."""

from __future__ import annotations

import pytest

from rightsdesk.datamap import loads
from rightsdesk.domain.errors import PlanError
from rightsdesk.engine.plan import compile_plan


def datamap(collections: str, *, extra_system: str = "") -> str:
    return f"""
systems:
  - name: app
    url: sqlite://
    collections:
{collections}
{extra_system}
"""


CHAIN = datamap("""
      - name: users
        fields:
          - {name: id, primary_key: true}
          - {name: email, identity: email}
      - name: orders
        fields:
          - {name: id, primary_key: true}
          - {name: user_id, references: users.id}
      - name: payments
        fields:
          - {name: id, primary_key: true}
          - {name: order_id, references: orders.id}
""")

DIAMOND = datamap("""
      - name: users
        fields:
          - {name: id, primary_key: true}
          - {name: email, identity: email}
      - name: carts
        fields:
          - {name: id, primary_key: true}
          - {name: user_id, references: users.id}
      - name: wishlists
        fields:
          - {name: id, primary_key: true}
          - {name: user_id, references: users.id}
      - name: items
        fields:
          - {name: id, primary_key: true}
          - {name: cart_id, references: carts.id}
          - {name: wishlist_id, references: wishlists.id}
""")

CYCLE = datamap("""
      - name: a
        fields:
          - {name: id, primary_key: true}
          - {name: email, identity: email}
          - {name: c_id, references: c.id}
      - name: b
        fields:
          - {name: id, primary_key: true}
          - {name: a_id, references: a.id}
      - name: c
        fields:
          - {name: id, primary_key: true}
          - {name: b_id, references: b.id}
""")


def test_chain_is_ordered_from_the_identity_outwards() -> None:
    plan = compile_plan(loads(CHAIN), frozenset({"email"}))
    assert [s.name for s in plan.steps] == ["app.users", "app.orders", "app.payments"]
    keys = {k.field: k.sources for k in plan.step("app.orders").keys}
    assert keys == {"user_id": ("app.users.id",), "id": ("app.payments.order_id",)}
    assert plan.erase_order["app"] == ("payments", "orders", "users")


def test_parent_is_reachable_from_child_identity() -> None:
    text = CHAIN.replace("{name: email, identity: email}", "{name: email}").replace(
        "{name: order_id, references: orders.id}",
        "{name: order_id, references: orders.id}\n          - {name: payer, identity: email}",
    )
    plan = compile_plan(loads(text), frozenset({"email"}))
    assert [s.name for s in plan.steps] == ["app.payments", "app.orders", "app.users"]
    assert {k.field: k.sources for k in plan.step("app.users").keys} == {
        "id": ("app.orders.user_id",)
    }


def test_diamond_queries_the_shared_child_by_both_keys() -> None:
    plan = compile_plan(loads(DIAMOND), frozenset({"email"}))
    items = plan.step("app.items")
    assert {k.field for k in items.keys} == {"cart_id", "wishlist_id"}
    assert items.needs_dedupe


def test_cycle_reaches_every_collection() -> None:
    plan = compile_plan(loads(CYCLE), frozenset({"email"}))
    assert {s.name for s in plan.steps} == {"app.a", "app.b", "app.c"}
    # a is fed by its identity and, going round the cycle, by c
    assert {k.field for k in plan.step("app.a").keys} == {"email", "c_id", "id"}


@pytest.mark.parametrize(
    ("direction", "reachable"),
    [("both", {"app.users", "app.orders", "app.payments"}), ("to", {"app.users"})],
)
def test_reference_direction_limits_the_walk(direction: str, reachable: set[str]) -> None:
    text = CHAIN.replace(
        "{name: user_id, references: users.id}",
        f"{{name: user_id, references: {{field: users.id, direction: {direction}}}}}",
    )
    plan = compile_plan(loads(text), frozenset({"email"}))
    assert {s.name for s in plan.steps} == reachable
    assert set(plan.unreachable) == {"app.users", "app.orders", "app.payments"} - reachable


def test_identities_cross_systems() -> None:
    other = """
  - name: billing
    url: sqlite://
    collections:
      - name: invoices
        fields:
          - {name: id, primary_key: true}
          - {name: customer, identity: user_id}
"""
    text = datamap(
        """
      - name: users
        fields:
          - {name: id, primary_key: true, identity: user_id}
          - {name: email, identity: email}
""",
        extra_system=other,
    )
    plan = compile_plan(loads(text), frozenset({"email"}))
    assert [s.name for s in plan.steps] == ["app.users", "billing.invoices"]
    assert plan.step("billing.invoices").keys[0].sources == ("identity:user_id",)
    assert ("id", "identity:user_id") in plan.step("app.users").publishes


def test_several_identities_seed_several_collections() -> None:
    text = DIAMOND.replace(
        "{name: id, primary_key: true}\n          - {name: user_id, references: users.id}\n      - name: wishlists",
        "{name: id, primary_key: true}\n          - {name: user_id, references: users.id}\n          - {name: phone, identity: phone}\n      - name: wishlists",
    )
    plan = compile_plan(loads(text), frozenset({"email", "phone"}))
    carts = plan.step("app.carts")
    assert {k.field: k.sources for k in carts.keys} == {
        "id": ("app.items.cart_id",),
        "phone": ("identity:phone",),
        "user_id": ("app.users.id",),
    }


def test_unknown_identity_kind_is_a_clear_error() -> None:
    with pytest.raises(PlanError, match="knows identities: email"):
        compile_plan(loads(CHAIN), frozenset({"phone"}))


def test_plan_describes_itself() -> None:
    text = compile_plan(loads(CHAIN), frozenset({"email"})).describe()
    assert "read app.orders by id <- app.payments.order_id; user_id <- app.users.id" in text
    assert "erase order in app: payments -> orders -> users" in text


OWNED = datamap("""
      - name: users
        fields:
          - {name: id, primary_key: true, identity: user_id}
          - {name: email, identity: email}
      - name: products
        personal: false
        fields:
          - {name: id, primary_key: true}
      - name: orders
        owner: user_id
        fields:
          - {name: id, primary_key: true}
          - {name: user_id, references: users.id}
          - {name: product_id, references: products.id}
          - {name: gift_to, identity: email}
      - name: lines
        owner: order_id
        fields:
          - {name: id, primary_key: true}
          - {name: order_id, references: orders.id}
      - name: logs
        fields:
          - {name: id, primary_key: true}
          - {name: user_id, references: users.id}
""")


def test_by_ownership_the_walk_goes_only_from_owner_to_owned() -> None:
    plan = compile_plan(loads(OWNED), frozenset({"email"}))
    assert plan.by_ownership
    keys = {s.name: {k.field: k.sources for k in s.keys} for s in plan.steps}
    assert keys == {
        "app.users": {"email": ("identity:email",), "id": ("identity:user_id",)},
        "app.orders": {"gift_to": ("identity:email",), "user_id": ("app.users.id",)},
        "app.lines": {"order_id": ("app.orders.id",)},
    }
    # an owned row's identity (a gift recipient's email) seeds nothing
    assert plan.step("app.orders").publishes == (("id", "app.orders.id"),)
    assert plan.step("app.orders").owned_by == (("user_id", "app.users.id"),)
    assert plan.unreachable == ("app.logs",)  # a reference that is not an owner is not walked
    assert plan.not_personal == ("app.products",)
    assert "not personal, never read: app.products" in plan.describe()


def test_a_catalogue_is_never_walked_into_by_references() -> None:
    """``personal: false`` alone keeps a map walked by its references (no ownership mode), and
    no reference leads into the catalogue and back out to other people's orders."""
    text = CHAIN.replace(
        "      - name: payments",
        "      - name: products\n        personal: false\n        fields:\n"
        "          - {name: id, primary_key: true}\n      - name: payments",
    ).replace(
        "{name: user_id, references: users.id}",
        "{name: user_id, references: users.id}\n          - {name: product_id, references: products.id}",
    )
    datamap = loads(text)
    assert not datamap.by_ownership
    plan = compile_plan(datamap, frozenset({"email"}))
    assert [s.name for s in plan.steps] == ["app.users", "app.orders", "app.payments"]
    assert plan.not_personal == ("app.products",)
    keys = {k.field: k.sources for k in plan.step("app.orders").keys}
    assert keys == {"user_id": ("app.users.id",), "id": ("app.payments.order_id",)}

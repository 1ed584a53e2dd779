"""Every registered identity kind, rightsdesk's own and any installed plugin's, keeps the
``IdentityKind`` contract; kinds nobody registered get plain rules."""

from __future__ import annotations

import pytest

from rightsdesk.datamap.identities import IDENTITY_KINDS, identity_kind, kind_of_category
from rightsdesk.datamap.taxonomy import check_category
from rightsdesk.domain.identities import IdentityKind

NAMES = IDENTITY_KINDS.names()
SAMPLES = [" Li.Wei@Example.com ", "+86 138 0013 8000", "wei.li", " 42 ", "ÄÖÜ ß"]


@pytest.mark.parametrize("name", NAMES)
def test_the_entry_point_name_is_the_kind_name(name: str) -> None:
    assert IDENTITY_KINDS.get(name).name == name


@pytest.mark.parametrize("name", NAMES)
def test_the_forms_are_stable(name: str) -> None:
    kind = identity_kind(name)
    for value in SAMPLES:
        assert kind.canonical(kind.canonical(value)) == kind.canonical(value)
        assert kind.comparable(kind.comparable(value)) == kind.comparable(value)
        assert kind.canonical(value) == kind.canonical(f"  {value}\t")


@pytest.mark.parametrize("name", NAMES)
def test_the_rules_are_explained_and_the_category_exists(name: str) -> None:
    kind = identity_kind(name)
    assert kind.description and not kind.description.endswith(".")
    assert kind.category is None or check_category(kind.category) is None
    assert set(kind.also) <= set(NAMES)
    assert not kind.self_service or kind.pattern is not None  # a code goes only to a real one


@pytest.mark.parametrize("name", NAMES)
def test_the_kind_is_documented(name: str) -> None:
    from tests.test_docs import DATAMAP_DOC

    assert f"`{name}`" in DATAMAP_DOC


def test_a_kind_nobody_registered_has_plain_rules() -> None:
    assert identity_kind("loyalty_card") == IdentityKind("loyalty_card")
    assert identity_kind("loyalty_card").accepts("anything at all")


@pytest.mark.parametrize(
    ("category", "kind"),
    [
        ("user.contact.email", "email"),
        ("user.contact.phone_number", "phone"),
        ("user.contact.phone_number.mobile", "phone"),
        ("user.account.username", "username"),
        ("user.device.ip_address", "ip_address"),
        ("user.contact.address", None),
        ("user.name", None),
    ],
)
def test_the_kind_a_category_holds(category: str, kind: str | None) -> None:
    assert kind_of_category(category) == kind

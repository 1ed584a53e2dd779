"""The rules of the built-in identity kinds, table-driven; the phone rule is the one both
former patterns (intake's and correction's) are measured against."""

from __future__ import annotations

import re

import pytest

from rightsdesk.domain.identities import EMAIL, PHONE, USER_ID, USERNAME, IdentityKind

#: (value as given, accepted now, by intake's former ^\+?[0-9]{6,15}$ without spaces, by
#: correction's former ^(\+[1-9][0-9]{6,14}|1[3-9][0-9]{9})$ as given)
PHONES = [
    ("13800138000", True, True, True),
    ("+8613800138000", True, True, True),
    ("+15550000000", True, True, True),
    ("+1234567", True, True, True),  # the shortest E.164 both took
    ("+86 138 0013 8000", True, True, False),  # spaces: intake dropped them, correction refused
    ("123456", False, True, False),  # six digits: no text reaches it
    ("+0123456789", False, True, False),  # no country code starts with 0
    ("8613800138000", False, True, False),  # a country code without its +
    ("12800138000", False, True, False),  # mainland mobile numbers start 13-19
    ("12345", False, False, False),
    ("+1234567890123456", False, False, False),  # 16 digits
    ("010-12345678", False, False, False),
    ("+86-138-0013-8000", False, False, False),  # dashes were never dropped
]


@pytest.mark.parametrize(("value", "accepted", "by_intake", "by_correction"), PHONES)
def test_the_phone_rule(value: str, accepted: bool, by_intake: bool, by_correction: bool) -> None:
    assert PHONE.accepts(PHONE.compact(value)) is accepted
    assert bool(re.match(r"^\+?[0-9]{6,15}$", value.replace(" ", ""))) is by_intake
    assert bool(re.match(r"^(\+[1-9][0-9]{6,14}|1[3-9][0-9]{9})$", value)) is by_correction


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        ("li.wei@example.com", True),
        ("LI.WEI@EXAMPLE.COM", True),
        ("not-an-email", False),
        ("a@b.c", False),  # a top-level domain has 2+ characters
        ("a b@example.com", False),
        (f"{'x' * 65}@example.com", False),  # a local part is at most 64
    ],
)
def test_the_email_rule(value: str, accepted: bool) -> None:
    assert EMAIL.accepts(value) is accepted


@pytest.mark.parametrize(
    ("kind", "value", "canonical", "comparable"),
    [
        (EMAIL, " Li.Wei@Example.COM ", "li.wei@example.com", "li.wei@example.com"),
        (EMAIL, "STRASSE@ß.de", "strasse@ß.de", "strasse@ss.de"),  # lower() vs casefold()
        (PHONE, " +86 138 0013 8000", "+8613800138000", "+86 138 0013 8000"),
        (USERNAME, " Wei.Li ", "Wei.Li", "Wei.Li"),
        (IdentityKind("loyalty_card"), " AB 12 ", "AB 12", "AB 12"),
    ],
)
def test_the_filed_and_the_compared_forms(
    kind: IdentityKind, value: str, canonical: str, comparable: str
) -> None:
    assert kind.canonical(value) == canonical
    assert kind.comparable(value) == comparable


def test_records_are_filed_under_the_most_stable_kind() -> None:
    assert USER_ID.rank < EMAIL.rank < PHONE.rank < USERNAME.rank == IdentityKind("x").rank


def test_a_kind_name_is_a_lower_case_identifier() -> None:
    with pytest.raises(ValueError, match="must match"):
        IdentityKind("E-mail")

"""``erase: redact``: the person's values replaced inside text and JSON, the shape kept."""

from __future__ import annotations

import json

import pytest

from rightsdesk.masking.base import MaskingKey
from rightsdesk.masking.redaction import Redact

KEY = MaskingKey(b"k")
VALUES = ["annlee", "ann@example.org", "王安娜", "an"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("annlee", "******"),
        ("User AnnLee <ann@example.org> changed", "User ****** <***************> changed"),
        ("annlee2 and joannlee stay", "annlee2 and joannlee stay"),  # whole words only
        ("an is too short to replace", "an is too short to replace"),
        ("王安娜的订单", "*********的订单"),  # as many stars as bytes
        # PHP serialize keeps its length prefixes right
        ('a:1:{s:8:"username";s:6:"annlee";}', 'a:1:{s:8:"username";s:6:"******";}'),
        (None, None),
        (42, 42),
    ],
)
def test_text_is_starred_in_place(value: object, expected: object) -> None:
    assert Redact({}).bound(VALUES).mask(value, KEY) == expected


def test_a_json_document_stays_valid_and_keeps_its_shape() -> None:
    document = {"username": ["annlee", "annlee2"], "email": [None, "ann@example.org"], "n": 3}
    text = json.dumps(document)
    out = Redact({}).bound(VALUES).mask(text, KEY)
    assert isinstance(out, str)
    assert json.loads(out) == {
        "username": ["******", "annlee2"],
        "email": [None, "***************"],
        "n": 3,
    }
    parsed = Redact({}).bound(VALUES).mask(document, KEY)
    assert parsed == json.loads(out)


def test_without_values_nothing_changes() -> None:
    assert Redact({}).mask("annlee", KEY) == "annlee"

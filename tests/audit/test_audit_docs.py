"""docs/audit.md stays true: its example receipt verifies and every break kind is explained."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from rightsdesk.audit.chain import BreakKind
from rightsdesk.audit.events import CATALOGUE
from rightsdesk.audit.receipts import Receipt, verify_receipt

DOC = (Path(__file__).resolve().parents[2] / "docs" / "audit.md").read_text(encoding="utf-8")


def test_the_documented_receipt_verifies() -> None:
    example = re.search(r"```json\n(.*?)```", DOC, re.S)
    assert example is not None
    check = verify_receipt(json.loads(example.group(1)))
    assert (check.valid, check.problems) == (True, ())


@pytest.mark.parametrize("kind", list(BreakKind))
def test_every_break_kind_is_documented(kind: BreakKind) -> None:
    assert f"| `{kind.value}` |" in DOC


@pytest.mark.parametrize("name", sorted(Receipt.model_fields))
def test_every_receipt_field_is_documented(name: str) -> None:
    assert f"`{name}`" in DOC


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_every_audit_event_is_documented(name: str) -> None:
    assert f"| `{name}` |" in DOC

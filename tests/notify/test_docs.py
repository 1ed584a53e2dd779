"""docs/notifications.md stays true: every kind and every variable the service passes is there."""

from __future__ import annotations

from pathlib import Path

import pytest

from rightsdesk.notify import KINDS
from tests.notify.samples import SAMPLES

DOC = (Path(__file__).resolve().parents[2] / "docs" / "notifications.md").read_text(
    encoding="utf-8"
)


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_is_documented(kind: str) -> None:
    assert f"| `{kind}`" in DOC


@pytest.mark.parametrize("name", sorted({name for context in SAMPLES.values() for name in context}))
def test_every_variable_is_documented(name: str) -> None:
    assert f"`{name}`" in DOC


@pytest.mark.parametrize("scheme", ["smtp://", "smtp+starttls://", "smtps://", "file:///"])
def test_every_mail_url_scheme_is_documented(scheme: str) -> None:
    assert f"`{scheme}" in DOC

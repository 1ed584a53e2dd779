"""The accessibility check: axe-core (vendored, see vendor/README.md) run inside a page.

The script is evaluated through the DevTools protocol, which the page's Content-Security-Policy
does not govern, so the check runs on pages exactly as served (no inline script is added).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE = Path(__file__).with_name("vendor") / "axe.min.js"
#: Impacts that fail the check (axe's scale: minor, moderate, serious, critical).
BLOCKING = frozenset({"serious", "critical"})


@cache
def _source() -> str:
    return AXE.read_text(encoding="utf-8")


def violations(page: Page) -> list[dict[str, Any]]:
    """axe's serious and critical violations on the page as it is now (WCAG 2.x A and AA)."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(_source())
    result: dict[str, Any] = page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    return [v for v in result["violations"] if v.get("impact") in BLOCKING]


def assert_accessible(page: Page) -> None:
    """Fail with each rule, its help text and the offending elements."""
    found = violations(page)
    lines = [
        f"{v['impact']} {v['id']}: {v['help']} -> {[n['target'] for n in v['nodes']][:5]}"
        for v in found
    ]
    assert not found, f"axe on {page.url}:\n" + "\n".join(lines)

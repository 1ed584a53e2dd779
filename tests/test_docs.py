"""The docs stay true: the example map loads, every strategy and command is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rightsdesk.cli import app
from rightsdesk.datamap import loads
from rightsdesk.datamap.taxonomy import CATEGORIES
from rightsdesk.masking.registry import strategies

ROOT = Path(__file__).resolve().parent.parent
DATAMAP_DOC = (ROOT / "docs" / "datamap.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_documented_example_map_loads() -> None:
    example = re.search(r"```yaml\n(.*?)```", DATAMAP_DOC, re.S)
    assert example is not None
    datamap = loads(example.group(1), env={})
    assert {s.name for s in datamap.systems} == {"shop", "crm"}


@pytest.mark.parametrize("name", sorted(strategies()))
def test_every_erasure_strategy_is_documented(name: str) -> None:
    assert f"`{name}`" in DATAMAP_DOC or f"{{{name}:" in DATAMAP_DOC


@pytest.mark.parametrize("category", sorted(CATEGORIES))
def test_every_category_is_documented(category: str) -> None:
    assert f"`{category}`" in DATAMAP_DOC


@pytest.mark.parametrize("command", sorted(c.name or "" for c in app.registered_commands))
def test_every_command_is_in_the_readme(command: str) -> None:
    assert f"rightsdesk {command}" in README or f"make {command}" in README

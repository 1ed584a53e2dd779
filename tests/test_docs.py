"""The docs stay true: the example map loads, every strategy and command is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer

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


SERVICE_DOC = (ROOT / "docs" / "service.md").read_text(encoding="utf-8")


def _grouped() -> list[str]:
    return sorted(
        f"{group.name} {_name(command)}"
        for group in app.registered_groups
        if group.name != "datamap" and group.typer_instance is not None
        for command in group.typer_instance.registered_commands
    )


def _name(command: typer.models.CommandInfo) -> str:
    """The name Typer gives a command: its own, or its function's with dashes."""
    assert command.callback is not None
    return command.name or command.callback.__name__.rstrip("_").replace("_", "-")


@pytest.mark.parametrize("command", sorted(_name(c) for c in app.registered_commands))
def test_every_command_is_in_the_readme(command: str) -> None:
    assert f"rightsdesk {command}" in README or f"make {command}" in README


@pytest.mark.parametrize("command", _grouped())
def test_every_service_command_is_in_the_service_doc(command: str) -> None:
    assert f"rightsdesk {command}" in SERVICE_DOC


def test_every_setting_is_documented() -> None:
    from rightsdesk.settings import Settings

    for name in Settings.model_fields:
        assert f"RIGHTSDESK_{name.upper()}" in SERVICE_DOC, name

"""Every request type has its workflow in the one table, and intake, decisions and execution
name no request type: they dispatch through the table."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from rightsdesk.domain.requests import RequestType
from rightsdesk.service import requests, workflows
from rightsdesk.service.workflows.table import WORKFLOWS, workflow


@pytest.mark.parametrize("kind", list(RequestType))
def test_every_request_type_has_its_workflow(kind: RequestType) -> None:
    assert workflow(kind.value) is WORKFLOWS[kind]
    assert WORKFLOWS[kind].type is kind


@pytest.mark.parametrize("module", ["intake", "decisions", "execution"])
def test_the_request_side_names_no_request_type(module: str) -> None:
    source = Path(requests.__file__).with_name(f"{module}.py").read_text(encoding="utf-8")
    named = [
        node.attr
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "RequestType"
    ]
    assert named == []


@pytest.mark.parametrize(
    "module", sorted(p.name for p in Path(workflows.__file__).parent.glob("*.py"))
)
def test_workflows_read_their_settings_slices_not_the_settings(module: str) -> None:
    source = Path(workflows.__file__).with_name(module).read_text(encoding="utf-8")
    tree = ast.parse(source)
    read = [
        n.lineno for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == "settings"
    ]
    imported = [
        n.lineno
        for n in ast.walk(tree)
        if isinstance(n, ast.ImportFrom) and n.module == "rightsdesk.settings"
    ]
    assert read == imported == [], "read services.slices (service/runtime/context.Slices)"

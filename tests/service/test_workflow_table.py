"""Every request type has its workflow in the one table, and intake, decisions and execution
name no request type: they dispatch through the table."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from rightsdesk.domain.requests import RequestType
from rightsdesk.service import requests
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

"""Every error class has an exit code in the one table, and every code is documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from rightsdesk.cli import EXIT_CODES
from rightsdesk.domain.errors import RightsdeskError
from tests.domain.test_errors import error_classes

DOC = (Path(__file__).resolve().parents[2] / "docs" / "service.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("kind", error_classes(), ids=lambda k: k.__name__)
def test_every_error_class_has_a_row_of_its_own(kind: type[RightsdeskError]) -> None:
    assert kind in EXIT_CODES, f"add {kind.__name__} to rightsdesk.cli.app.EXIT_CODES"


@pytest.mark.parametrize("code", sorted(set(EXIT_CODES.values())))
def test_every_exit_code_is_documented(code: int) -> None:
    listed = DOC[DOC.index("Exit codes: 0 done") :].split("\n\n")[0]
    assert f" {code} " in listed.replace("\n", " ")

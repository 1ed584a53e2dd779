"""Acceptance on Kanboard (PHP), its shipped PostgreSQL schema."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.acceptance import report
from tests.acceptance.apps.kanboard import APPLICATION
from tests.acceptance.scorer import score
from tests.acceptance.targets import TARGET, check


@pytest.mark.postgres
def test_kanboard(tmp_path: Path) -> None:
    result = score(APPLICATION, "postgres", tmp_path)
    print(f"\n{report.table([result])}\n{report.details(result)}")
    check(result, TARGET)

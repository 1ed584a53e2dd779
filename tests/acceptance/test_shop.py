"""Acceptance on an e-commerce shop: django-oscar's own migrations (about 90 tables)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.acceptance import report
from tests.acceptance.apps.shop import APPLICATION
from tests.acceptance.scorer import score
from tests.acceptance.targets import TARGET, check

#: Every target is met on both backends.
LIMITS = {"sqlite": TARGET, "postgres": TARGET}


@pytest.mark.parametrize(
    "backend", [pytest.param("sqlite"), pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_shop(backend: str, tmp_path: Path) -> None:
    result = score(APPLICATION, backend, tmp_path)
    print(f"\n{report.table([result])}\n{report.details(result)}")
    check(result, LIMITS[backend])

"""Acceptance on the accounts stack (Django, allauth, OTP, OAuth2 provider, axes, history, audit log)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.acceptance import report
from tests.acceptance.apps.accounts import APPLICATION
from tests.acceptance.scorer import score
from tests.acceptance.targets import TARGET, check

#: Every target is met on both backends.
LIMITS = {"sqlite": TARGET, "postgres": TARGET}


@pytest.mark.parametrize(
    "backend", [pytest.param("sqlite"), pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_accounts(backend: str, tmp_path: Path) -> None:
    result = score(APPLICATION, backend, tmp_path)
    print(f"\n{report.table([result])}\n{report.details(result)}")
    check(result, LIMITS[backend])

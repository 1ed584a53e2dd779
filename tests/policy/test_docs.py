"""docs/policy.md stays true: its example loads and every ground, remedy and key is listed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rightsdesk.policy import PolicyConfig, Profile, Regime
from rightsdesk.policy.grounds import catalogue
from rightsdesk.policy.remedies import remedies

DOC = (Path(__file__).resolve().parents[2] / "docs" / "policy.md").read_text(encoding="utf-8")


def test_the_documented_policy_file_loads_and_matches_the_default() -> None:
    example = re.search(r"```yaml\n(.*?)```", DOC, re.S)
    assert example is not None
    assert PolicyConfig.loads(example.group(1)) == PolicyConfig.default()


@pytest.mark.parametrize("code", sorted({g.code for p in Profile for g in catalogue(p)}))
def test_every_ground_is_documented(code: str) -> None:
    assert f"`{code}`" in DOC


@pytest.mark.parametrize("code", sorted({r.code for r in remedies(list(Regime))}))
def test_every_remedy_is_documented(code: str) -> None:
    assert f"`{code}`" in DOC


@pytest.mark.parametrize("key", sorted(PolicyConfig.model_fields))
def test_every_config_key_is_documented(key: str) -> None:
    assert f"{key}:" in DOC

"""Every registered erasure strategy, rightsdesk's own and any installed plugin's, keeps the
``MaskingStrategy`` contract (the output of each built-in is in test_strategies.py)."""

from __future__ import annotations

import pytest

from rightsdesk.masking.base import MaskingKey, MaskingStrategy
from rightsdesk.masking.registry import STRATEGIES, parse_erase

KEY = MaskingKey(b"k" * 32)
NAMES = STRATEGIES.names()


def _built(name: str) -> MaskingStrategy | None:
    """The strategy with no parameters, or None when it needs some (and says so)."""
    try:
        return parse_erase(name)
    except ValueError as exc:
        assert name in str(exc)  # a readable reason that names the strategy
        return None


@pytest.mark.parametrize("name", NAMES)
def test_the_entry_point_name_is_the_strategy_name(name: str) -> None:
    assert STRATEGIES.get(name).name == name


@pytest.mark.parametrize("name", NAMES)
def test_an_unknown_parameter_is_refused_by_name(name: str) -> None:
    with pytest.raises(ValueError, match=f"{name}: unknown parameter"):
        STRATEGIES.get(name)({"no_such_parameter": 1})


@pytest.mark.parametrize("name", NAMES)
def test_a_row_independent_strategy_ignores_the_value(name: str) -> None:
    strategy = _built(name)
    if strategy is None or not strategy.row_independent or strategy.deletes_row:
        return
    assert strategy.mask("li.wei@example.com", KEY) == strategy.mask("+8613800138000", KEY)


@pytest.mark.parametrize("name", NAMES)
def test_deleting_the_row_is_row_independent(name: str) -> None:
    cls = STRATEGIES.get(name)
    assert not cls.deletes_row or cls.row_independent


@pytest.mark.parametrize("name", NAMES)
def test_the_description_starts_with_the_name(name: str) -> None:
    strategy = _built(name)
    assert strategy is None or strategy.describe().startswith(name)

"""A system's ``limits:``: validated on load, errors naming file, line and field."""

from __future__ import annotations

import pytest

from rightsdesk.datamap import loads
from rightsdesk.domain.errors import DataMapError

MAP = """\
systems:
  - name: app
    url: sqlite:///app.db
    limits:
{limits}
    collections:
      - name: users
        fields:
          - {{name: id, primary_key: true, identity: user_id}}
"""


def _map(*lines: str) -> str:
    return MAP.format(limits="\n".join(f"      {line}" for line in lines))


def test_limits_load() -> None:
    limits = loads(_map("concurrency: 4", "statements_per_second: 200"), env={}).systems[0].limits
    assert limits is not None
    assert (limits.concurrency, limits.statements_per_second) == (4, 200.0)
    assert limits.per_slot_rate == 50.0


def test_limits_are_optional() -> None:
    text = MAP.replace("    limits:\n{limits}\n", "").format()
    assert loads(text, env={}).systems[0].limits is None


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            ["concurrency: 0"],
            "map.yml:5: app: limits.concurrency: Input should be greater than or equal to 1",
        ),
        (
            ["concurrency: 2", "statements_per_second: 0"],
            "map.yml:6: app: limits.statements_per_second: Input should be greater than 0",
        ),
        (
            ["concurrency: many"],
            "map.yml:5: app: limits.concurrency: Input should be a valid integer",
        ),
        (
            ["statements_per_second: 50"],
            "map.yml:5: app: limits: statements_per_second needs concurrency",
        ),
        (["concurrency: 2", "rate: 5"], "map.yml:6: app: limits.rate: unknown key 'rate'"),
    ],
)
def test_bad_limits_name_file_line_and_field(lines: list[str], expected: str) -> None:
    with pytest.raises(DataMapError) as caught:
        loads(_map(*lines), source="map.yml", env={})
    assert next(str(i) for i in caught.value.issues).startswith(expected)

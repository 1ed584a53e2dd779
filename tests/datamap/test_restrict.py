"""A collection's ``restrict:`` (how rows are marked while restricted) is validated with its line."""

from __future__ import annotations

import pytest

from rightsdesk.datamap import loads
from tests.datamap.test_loader import GOOD, errors

USERS = "      - name: users\n        erase: delete_row\n"
FLAG = "          - {name: password, categories: user.authorization.credentials}\n"


def with_restrict(spec: str, extra_field: str = "") -> str:
    text = GOOD.replace(USERS, f"{USERS}        restrict: {spec}\n")
    return text.replace(FLAG, FLAG + extra_field)


def test_side_table_is_the_default_and_a_flag_names_its_field() -> None:
    plain = loads(GOOD, source="map.yml", env={})
    assert plain.systems[0].collections[0].restrict.mark == "side_table"
    flagged = loads(
        with_restrict("{mark: flag, field: restricted}", "          - {name: restricted}\n"),
        source="map.yml",
        env={},
    )
    spec = flagged.systems[0].collections[0].restrict
    assert (spec.mark, spec.field) == ("flag", "restricted")


@pytest.mark.parametrize(
    ("spec", "extra", "expected"),
    [
        ("{mark: flag}", "", "map.yml:7: app.users: restrict: mark flag needs a field"),
        (
            "{mark: host_event, field: x}",
            "",
            "map.yml:7: app.users: restrict: mark flag needs a field, and only flag",
        ),
        ("{mark: stamp}", "", "map.yml:7: app.users: restrict.mark: Input should be 'flag'"),
        (
            "{mark: flag, field: nope}",
            "",
            "map.yml:7: app.users.restrict: restrict flag 'nope' is not a mapped field",
        ),
        (
            "{mark: flag, field: email}",
            "",
            "map.yml:7: app.users.restrict: restrict flag 'email' must be a plain column",
        ),
    ],
)
def test_a_bad_restrict_is_reported_at_its_line(spec: str, extra: str, expected: str) -> None:
    found = errors(with_restrict(spec, extra))
    assert any(e.startswith(expected) for e in found), found

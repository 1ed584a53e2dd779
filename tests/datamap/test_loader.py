"""Loading data maps: every error names file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from rightsdesk.datamap import load, loads
from rightsdesk.domain.actions import ExportMode
from rightsdesk.domain.errors import DataMapError
from rightsdesk.domain.periods import Period

GOOD = """\
systems:
  - name: app
    url: ${APP_URL:-sqlite:///app.db}
    collections:
      - name: users
        erase: delete_row
        fields:
          - {name: id, primary_key: true, identity: user_id}
          - {name: email, identity: email, categories: user.contact.email}
          - {name: password, categories: user.authorization.credentials}
      - name: orders
        fields:
          - {name: id, primary_key: true}
          - {name: user_id, references: users.id, erase: set_null}
          - {name: note, erase: {fixed: "[erased]"}}
          - {name: at, categories: [system.operations]}
retention:
  - name: tax
    collection: app.orders
    basis: Tax law keeps orders 10 years
    period: 10y
    from: at
    where: {note: [a, b]}
"""


def errors(text: str, env: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(DataMapError) as caught:
        loads(text, source="map.yml", env=env or {})
    return [str(i) for i in caught.value.issues]


def test_a_good_map_loads(tmp_path: Path) -> None:
    path = tmp_path / "map.yml"
    path.write_text(GOOD)
    datamap = load(path, env={})
    assert datamap.systems[0].url == f"sqlite:///{tmp_path / 'app.db'}"
    users = datamap.systems[0].collections[0]
    assert users.primary_key == "id" and users.deletes_rows
    assert users.field("password") is not None
    assert users.fields[2].export_mode is ExportMode.PRESENCE
    assert datamap.retention[0].period == Period(10)
    assert datamap.locate(("systems", 0, "collections", 1, "fields", 2)).line == 15


def test_environment_variables_are_substituted() -> None:
    datamap = loads(GOOD, env={"APP_URL": "postgresql+psycopg://db/app"})
    assert datamap.systems[0].url == "postgresql+psycopg://db/app"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            '{name: note, erase: {fixed: "[erased]"}}',
            "{name: note, erase: shred}",
            "map.yml:15: app.orders.note: erase: unknown erasure strategy 'shred'",
        ),
        (
            "{name: at, categories: [system.operations]}",
            "{name: at, categories: [user.contact.emial]}",
            "map.yml:16: app.orders.at: unknown data category 'user.contact.emial'; did you mean user.contact.email",
        ),
        (
            "{name: user_id, references: users.id, erase: set_null}",
            "{name: user_id, references: users.idx, erase: set_null}",
            "map.yml:14: app.orders.user_id: references unknown field 'idx' of app.users",
        ),
        (
            "{name: user_id, references: users.id, erase: set_null}",
            "{name: user_id, references: users.id}",
            "map.yml:14: app.orders.user_id: references users.id whose rows are erased with delete_row",
        ),
        (
            "    from: at\n",
            "    from: when\n",
            "map.yml:22: tax: app.orders has no mapped field 'when'",
        ),
        (
            "    period: 10y\n",
            "    period: ten years\n",
            "map.yml:21: tax: period: period 'ten years' must look like",
        ),
        (
            "{name: id, primary_key: true}\n          - {name: user_id, references: users.id",
            "{name: id}\n          - {name: user_id",
            "map.yml:11: app.orders: has erasure actions but no field with primary_key: true, "
            "identity or references",
        ),
        (
            "          - {name: at, categories: [system.operations]}\n",
            "          - {name: at, categories: [system.operations], colour: red}\n",
            "map.yml:16: app.orders.at: colour: unknown key 'colour'",
        ),
        (
            "${APP_URL:-sqlite:///app.db}",
            "${APP_URL}",
            "map.yml:3: app: url: environment variable(s) not set: APP_URL",
        ),
    ],
)
def test_errors_name_file_line_and_field(old: str, new: str, expected: str) -> None:
    assert old in GOOD
    found = errors(GOOD.replace(old, new))
    assert any(e.startswith(expected) for e in found), found


def test_every_issue_is_reported_at_once() -> None:
    text = (
        GOOD.replace("erase: shred", "")
        .replace("system.operations", "nope")
        .replace("from: at", "from: nowhere")
    )
    assert len(errors(text)) == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("systems: [\n  - oops", "map.yml:2: not valid YAML"),
        ("", "map.yml:1: the file is empty"),
        ("systems: []\n", "declares no system"),
        ("systems:\n  - {{name: id}}\n", "map.yml:2: a key must be a plain name"),
        ("systems:\n  ? [a, b]\n  : x\n", "map.yml:2: a key must be a plain name"),
    ],
)
def test_broken_files(text: str, expected: str) -> None:
    assert any(expected in e for e in errors(text))


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DataMapError, match="cannot read"):
        load(tmp_path / "absent.yml")

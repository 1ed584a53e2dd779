"""The one registry type: a real package installed on sys.path is found, loaded lazily and
checked, rightsdesk's own entries win a clash, and every group is declared and documented."""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Iterator
from importlib.metadata import distribution
from pathlib import Path

import pytest

from rightsdesk.plugins import OWN, PluginError, Registry, subclass_of

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
DECLARED: dict[str, dict[str, str]] = PYPROJECT["project"]["entry-points"]
PLUGINS_DOC = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
GROUP = "rightsdesk.connectors"


class Base:
    """What the test registry holds: subclasses of this."""


def install(root: Path, name: str, modules: dict[str, str], entry_points: str) -> None:
    """Write a real (unpacked) distribution: its modules and its .dist-info metadata."""
    for module, source in modules.items():
        (root / f"{module}.py").write_text(source, encoding="utf-8")
    info = root / f"{name}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(entry_points, encoding="utf-8")


@pytest.fixture
def acme(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Registry[type[Base]]]:
    """A registry over the connector group, with the package ``acme-plugins`` installed."""
    install(
        tmp_path,
        "acme_plugins",
        {
            "acme_good": "from tests.test_plugins import Base\nclass Good(Base):\n    pass\n",
            "acme_loud": "raise RuntimeError('imported although nobody asked for it')\n",
            "acme_wrong": "class NotABase:\n    pass\n",
        },
        f"[{GROUP}]\n"
        "good = acme_good:Good\n"
        "loud = acme_loud:Anything\n"
        "wrong = acme_wrong:NotABase\n"
        "missing = acme_good:Missing\n"
        "sql = acme_good:Good\n",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    registry: Registry[type[Base]] = Registry(GROUP, "test plugin", subclass_of(Base))
    registry.refresh()
    yield registry
    registry.refresh()
    for module in ("acme_good", "acme_loud", "acme_wrong"):
        sys.modules.pop(module, None)


def test_a_third_party_entry_is_found_and_loaded(acme: Registry[type[Base]]) -> None:
    assert {"good", "loud", "wrong", "missing", "sql"} <= set(acme.names())
    assert acme.entries()["good"].distribution == "acme_plugins"
    assert acme.get("good").__name__ == "Good"
    assert acme.get("good") is acme.get("good")


def test_entries_are_imported_only_when_asked_for(acme: Registry[type[Base]]) -> None:
    acme.get("good")
    assert "acme_loud" not in sys.modules
    with pytest.raises(RuntimeError, match="nobody asked"):
        acme.get("loud")


def test_rightsdesk_own_entry_wins_a_clash(acme: Registry[type[Base]]) -> None:
    assert acme.entries()["sql"].distribution == OWN
    assert next(iter(acme.entries())) == "sql"  # own entries come first


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("nope", r"no test plugin 'nope'; known: sql, .*good"),
        ("wrong", r"test plugin 'wrong' \(acme_wrong:NotABase, from acme_plugins\) is not a"),
        ("missing", r"test plugin 'missing' .* does not load"),
    ],
)
def test_a_bad_name_or_entry_is_a_plugin_error(
    acme: Registry[type[Base]], name: str, message: str
) -> None:
    with pytest.raises(PluginError, match=message):
        acme.get(name)


def test_a_group_rightsdesk_registers_nothing_in_means_a_stale_install() -> None:
    with pytest.raises(PluginError, match="reinstall rightsdesk"):
        Registry("rightsdesk.not_a_group", "thing", callable).names()


def test_the_installed_metadata_matches_pyproject() -> None:
    """Else the entry points above are not what the code runs with: pip install -e . again."""
    installed: dict[str, dict[str, str]] = {}
    for ep in distribution(OWN).entry_points:
        if ep.group.startswith(f"{OWN}."):
            installed.setdefault(ep.group, {})[ep.name] = ep.value
    assert installed == DECLARED


@pytest.mark.parametrize("group", sorted(DECLARED))
def test_every_group_is_documented_for_plugin_authors(group: str) -> None:
    assert f"`{group}`" in PLUGINS_DOC

"""Every registered detector, rightsdesk's own and any installed plugin's, is well formed and
documented; every built-in has its own test file and its place in the precedence."""

from __future__ import annotations

from pathlib import Path

import pytest

from rightsdesk.datamap.taxonomy import check_category
from rightsdesk.discovery import DETECTORS, Detector, by_name, classify_column
from rightsdesk.discovery.detectors.registry import PRECEDENCE, REGISTRY
from rightsdesk.plugins import OWN

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "discovery.md").read_text(encoding="utf-8")
NAMES = [d.name for d in DETECTORS]


def test_names_are_unique() -> None:
    assert len(NAMES) == len(set(NAMES))


@pytest.mark.parametrize("name", REGISTRY.names())
def test_the_entry_point_name_is_the_detector_name(name: str) -> None:
    assert REGISTRY.get(name).name == name


def test_every_built_in_has_its_place_in_the_precedence() -> None:
    own = [n for n, e in REGISTRY.entries().items() if e.distribution == OWN]
    assert sorted(own) == sorted(PRECEDENCE)
    assert NAMES[: len(PRECEDENCE)] == list(PRECEDENCE)


def test_a_tie_goes_to_the_detector_listed_first() -> None:
    """first_name hints a whole name and a part of one alike (0.3 each, no values)."""
    kinds = classify_column("first_name", [None, ""]).kinds
    assert [k.detector for k in kinds[:2]] == ["person_name", "name_part"]
    assert kinds[0].confidence == kinds[1].confidence


@pytest.mark.parametrize("detector", DETECTORS, ids=NAMES)
def test_category_is_in_the_taxonomy(detector: Detector) -> None:
    assert check_category(detector.category) is None


@pytest.mark.parametrize("detector", DETECTORS, ids=NAMES)
def test_detector_is_documented(detector: Detector) -> None:
    assert f"`{detector.name}`" in DOC
    assert f"`{detector.category}`" in DOC


@pytest.mark.parametrize("name", NAMES)
def test_detector_has_its_own_test_file(name: str) -> None:
    assert (Path(__file__).parent / f"test_{name}.py").is_file()


@pytest.mark.parametrize("detector", DETECTORS, ids=NAMES)
def test_detector_can_be_found_from_content_or_a_hint(detector: Detector) -> None:
    assert detector.patterns or (detector.hinted_patterns and detector.column_hints)
    assert 0.0 <= detector.weight <= 1.0 and detector.noun


def test_unknown_detector() -> None:
    with pytest.raises(KeyError):
        by_name("nope")

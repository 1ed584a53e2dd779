"""The demo: build the embedded cloud platform, then run access and erasure for one person."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from rightsdesk.demo import platform
from rightsdesk.domain.subjects import Identity, Subject
from rightsdesk.engine.runner import ErasureResult
from rightsdesk.engine.traversal import Progress
from rightsdesk.export.writer import SubjectExport
from rightsdesk.service.runtime import runs
from rightsdesk.settings import Settings

PERSON = Subject("li.wei@example.com", (Identity("email", "li.wei@example.com"),))


@dataclass
class DemoRun:
    datamap: Path
    before: SubjectExport
    erasure: ErasureResult
    after: SubjectExport


def build(directory: Path, people: int, progress: Callable[[int, int], None] | None = None) -> Path:
    """A fresh platform with ``people`` people under ``directory``; returns its data map path."""
    directory.mkdir(parents=True, exist_ok=True)
    for leftover in ("platform.db", "billing.db", ".rightsdesk", "export", "export-after-erasure"):
        target = directory / leftover
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink(missing_ok=True)
    datamap = directory / "datamap.yml"
    datamap.write_text(
        files("rightsdesk.demo").joinpath("datamap.yml").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    urls = platform.demo_urls(directory)
    platform.create_schema(urls)
    platform.populate(urls, people, progress=progress)
    return datamap


def run(datamap_path: Path, progress: Progress | None = None) -> DemoRun:
    """Export the demo person's data, erase it, and export again to show what the law keeps."""
    datamap = runs.validate(datamap_path, live=True)
    settings = Settings(state_dir=datamap_path.parent / ".rightsdesk")
    with runs.open_engine(datamap, settings, progress) as engine:
        (before,), _ = runs.export(engine, [PERSON], datamap_path.parent / "export")
        erasure = engine.erase([PERSON])
        # after erasure the email is gone: find what is left by the account id the export showed
        ids = [Identity("user_id", str(uid)) for uid in _account_ids(before)]
        left = Subject(PERSON.id, (*PERSON.identities, *ids))
        (after,), _ = runs.export(engine, [left], datamap_path.parent / "export-after-erasure")
    return DemoRun(datamap_path, before, erasure, after)


def _account_ids(export: SubjectExport) -> list[object]:
    data = json.loads((export.directory / "data.json").read_text(encoding="utf-8"))
    return [row["id"] for row in data["collections"].get("platform.accounts", [])]

"""Run checkpoints on disk: a part is replaced whole, whoever else writes or reads it at once."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from rightsdesk.engine.checkpoint import FileCheckpoints

#: A part large enough to take several writes.
PAD = "x" * 200_000


def test_attempts_saving_one_run_at_once_leave_one_whole_part_and_no_drafts(
    tmp_path: Path,
) -> None:
    """Two attempts of a run (a stalled worker and the one that took its lease over) save the
    same part at once while a third loads it: every save succeeds, every load is whole."""
    checkpoints = FileCheckpoints(tmp_path / "runs")
    checkpoints.save("run", {"progress": {"writer": -1}})
    for round_ in range(30):
        start = threading.Barrier(9)
        failures: list[Exception] = []
        seen: list[Any] = []
        threads = [
            threading.Thread(target=_save, args=(checkpoints, n, start, failures)) for n in range(8)
        ]
        threads.append(threading.Thread(target=_load, args=(checkpoints, start, seen, failures)))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == [], (round_, failures[:3])
        assert {part["progress"]["writer"] for part in seen} <= {-1, *range(8)}
        assert checkpoints.load("run")["progress"]["writer"] in range(8)  # type: ignore[index]
        assert [p.name for p in (tmp_path / "runs" / "run").iterdir()] == ["progress.json"]


def _save(
    checkpoints: FileCheckpoints, writer: int, start: threading.Barrier, failures: list[Exception]
) -> None:
    start.wait()
    try:
        checkpoints.save("run", {"progress": {"writer": writer, "pad": PAD}})
    except OSError as error:  # the old shared draft: renamed away by another writer
        failures.append(error)


def _load(
    checkpoints: FileCheckpoints,
    start: threading.Barrier,
    seen: list[Any],
    failures: list[Exception],
) -> None:
    start.wait()
    for _ in range(20):
        try:
            seen.append(checkpoints.load("run"))
        except ValueError as error:  # a torn part
            failures.append(error)

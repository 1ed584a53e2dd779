"""The checkpoint's typed parts keep the stored JSON, and the resume protocol is one rule."""

from __future__ import annotations

import pytest

from rightsdesk.engine.checkpoint import MemoryCheckpoints, Phase, RunCheckpoint, RunMeta, resume

STORED = {
    "run_id": "r1",
    "action": "erasure",
    "phase": "applying",
    "started_at": "2026-01-01T00:00:00+00:00",
    "subjects": 2,
    "committed": ["crm"],
}


def test_the_meta_reads_and_writes_the_stored_json_unchanged() -> None:
    meta = RunMeta.from_json(STORED)
    assert meta.phase is Phase.APPLYING and meta.committed == ("crm",)
    assert meta.to_json() == STORED
    done = meta.committing("shop").done("2026-01-01T00:01:00+00:00")
    assert done.to_json() == STORED | {
        "phase": "done",
        "committed": ["crm", "shop"],
        "finished_at": "2026-01-01T00:01:00+00:00",
    }


@pytest.mark.parametrize(
    ("phase", "resumes"), [("applying", True), ("done", False)], ids=["applying", "done"]
)
def test_only_a_run_stopped_while_applying_is_resumed(phase: str, resumes: bool) -> None:
    store = MemoryCheckpoints()
    parts = {"meta": STORED | {"phase": phase}, "changes": {"crm": []}, "report": []}
    store.save("r1", parts)
    found = resume(store, "r1")
    assert (found is not None) is resumes
    if found is not None:
        assert found == RunCheckpoint.from_parts(parts) and found.to_parts() == parts
    assert resume(store, "unknown") is None and resume(None, "r1") is None

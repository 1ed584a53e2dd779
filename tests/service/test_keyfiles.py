"""Secrets generated into the state directory: one value, never seen half-written."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from rightsdesk.domain.errors import PolicyError
from rightsdesk.service.runtime import keyfiles


def test_threads_that_need_the_key_at_once_all_get_the_same_full_one(tmp_path: Path) -> None:
    for round_ in range(40):
        path = tmp_path / f"round{round_}" / "masking.key"
        start = threading.Barrier(8)
        seen: list[bytes | Exception] = []
        threads = [threading.Thread(target=_need_key, args=(path, start, seen)) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert all(isinstance(value, bytes) and len(value) == 64 for value in seen), seen
        assert len(set(seen)) == 1
        assert [p.name for p in path.parent.iterdir()] == ["masking.key"]  # no drafts left
        assert path.stat().st_mode & 0o777 == 0o600


def _need_key(path: Path, start: threading.Barrier, seen: list[bytes | Exception]) -> None:
    start.wait()
    try:
        seen.append(keyfiles.secret(None, path, minimum=1))
    except PolicyError as error:
        seen.append(error)


def test_an_empty_key_file_is_refused_with_the_way_out(tmp_path: Path) -> None:
    path = tmp_path / "masking.key"
    path.write_text("")
    with pytest.raises(PolicyError, match="is empty: use at least 1 random characters"):
        keyfiles.secret(None, path, minimum=1)

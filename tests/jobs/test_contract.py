"""Every registered job backend, rightsdesk's own and any installed plugin's, keeps the
``JobBackend`` contract: built from the settings, ``submit`` returns at once with the id the
only thing passed, and every submitted id reaches the bound handler (for a broker backend: a
broker that is down costs the caller nothing, the lease sweep submits the job again)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from rightsdesk.jobs.base import JOB_BACKENDS, BrokerBackend, JobBackend
from rightsdesk.settings import Settings

NAMES = JOB_BACKENDS.names()
#: A broker nobody listens on (a broker backend must not wait for it).
DOWN = "redis://127.0.0.1:1/0"


def _backend(name: str, tmp_path: Path) -> JobBackend:
    settings = Settings(state_dir=tmp_path, job_backend=name, broker_url=DOWN, workers=2)
    return JOB_BACKENDS.get(name).from_settings(settings)


@pytest.mark.parametrize("name", NAMES)
def test_submit_returns_at_once_and_every_id_reaches_the_handler(name: str, tmp_path: Path) -> None:
    backend = _backend(name, tmp_path)
    release, seen, lock = threading.Event(), [], threading.Lock()

    def handler(job_id: str) -> None:
        release.wait(10)
        with lock:
            seen.append(job_id)

    backend.bind(handler)
    try:
        started = time.monotonic()
        for job_id in ("job-a", "job-b", "job-c"):
            backend.submit(job_id)
        assert time.monotonic() - started < 5  # not the handler's 10 s, not a broker's retries
        release.set()
        backend.drain(timeout=None)
        if not isinstance(backend, BrokerBackend):  # a broker's jobs run in its workers
            assert sorted(seen) == ["job-a", "job-b", "job-c"]
    finally:
        release.set()
        backend.close()


@pytest.mark.parametrize("name", NAMES)
def test_the_settings_name_the_backend(name: str) -> None:
    assert name in Settings(job_backend=name).job_backend
    with pytest.raises(ValueError, match=f"no job backend 'nope'; known: .*{name}"):
        Settings(job_backend="nope")


@pytest.mark.parametrize(("name", "broker"), [("celery", True), ("inprocess", False)])
def test_a_broker_backend_is_told_apart_by_what_it_can_do(
    name: str, broker: bool, tmp_path: Path
) -> None:
    backend = _backend(name, tmp_path)
    try:
        assert isinstance(backend, BrokerBackend) is broker
    finally:
        backend.close()

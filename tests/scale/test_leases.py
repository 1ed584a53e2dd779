"""Leases, the lease sweep, store checkpoints and backend choice, in one process (no broker)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr

from rightsdesk.demo import direct as demo
from rightsdesk.domain.errors import PolicyError
from rightsdesk.service.requests import execution
from rightsdesk.service.runtime import leases, wiring
from rightsdesk.service.runtime.checkpoints import DbCheckpoints
from rightsdesk.service.runtime.context import Services
from rightsdesk.settings import Settings
from rightsdesk.store.models import Job
from tests.scale.cluster import Holding, approve_erasures

PERSON = demo.PERSON.identities[0].value  # on the demo platform


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 6, 8, 2, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="store-sqlite"),
        pytest.param("postgres", id="store-postgres", marks=pytest.mark.postgres),
    ]
)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    url: str = request.getfixturevalue(f"{request.param}_url")
    return Settings(
        state_dir=tmp_path / "state",
        database_url=url,
        datamap=demo.build(tmp_path / "demo", 5),
        mail_url=(tmp_path / "outbox").as_uri(),
        sms_url="none",
        secret_key=SecretStr("lease-tests-secret-of-at-least-32-characters"),
    )


@pytest.fixture
def held(settings: Settings) -> Iterator[tuple[Services, Holding, Clock]]:
    holding, clock = Holding(), Clock()
    services = wiring.build(settings, clock=clock, jobs=holding)
    try:
        yield services, holding, clock
    finally:
        wiring.close(services)


def _job(services: Services, job_id: str) -> Job:
    with services.store.session() as session:
        job = session.get(Job, job_id)
        assert job is not None
        return job


def test_a_second_delivery_during_a_live_lease_does_nothing(
    held: tuple[Services, Holding, Clock], settings: Settings
) -> None:
    services, holding, clock = held
    (request_id,) = approve_erasures(services, [PERSON])
    (job_id,) = holding.ids
    # another worker took the job, then went silent (killed)
    assert execution._start(services, job_id, "other-worker") is not None
    execution.run_job(services, job_id)  # the broker delivers the message again
    job = _job(services, job_id)
    assert (job.state, job.attempts, job.lease_owner) == ("running", 1, "other-worker")
    assert execution.recover(services) == 0  # the lease is still live
    clock.now += timedelta(seconds=settings.lease_seconds + 1)
    assert execution.recover(services) == 1
    assert execution.recover(services) == 0  # re-leased: a second sweeper submits nothing
    assert holding.ids == [job_id, job_id]
    execution.run_job(services, job_id)
    job = _job(services, job_id)
    assert (job.state, job.attempts, job.lease_owner, job.lease_until) == ("done", 2, None, None)
    with services.store.session() as session:
        from rightsdesk.store.models import Request

        request = session.get(Request, request_id)
        assert request is not None and request.status == "completed"


def test_a_queued_job_waiting_long_is_resubmitted_less_often(
    held: tuple[Services, Holding, Clock], settings: Settings
) -> None:
    services, holding, clock = held
    approve_erasures(services, [PERSON])
    lease = timedelta(seconds=settings.lease_seconds)
    clock.now += 10 * lease  # the message was lost long ago
    assert execution.recover(services) == 1
    job = _job(services, holding.ids[0])
    assert job.lease_owner is None
    assert job.lease_until == clock.now + leases.MAX_BACKOFF * lease


def test_the_heartbeat_keeps_a_running_job_leased(settings: Settings) -> None:
    # a lease of 20 heartbeats, so a loaded machine that starves the beat for a while does
    # not fail the test; the waits are on the lease's own times, not on sleeps
    fast = settings.model_copy(update={"lease_seconds": 1.0, "heartbeat_seconds": 0.05})
    holding = Holding()
    services = wiring.build(fast, jobs=holding)
    try:
        approve_erasures(services, [PERSON])
        (job_id,) = holding.ids
        assert execution._start(services, job_id, "me") is not None
        first = _job(services, job_id).lease_until
        assert first is not None
        with leases.heartbeat(services, job_id, "me"):
            _wait_past(first + timedelta(seconds=1.0))  # past two leases: only the beat keeps it
            assert execution.recover(services) == 0
        last = _job(services, job_id).lease_until
        assert last is not None and last > first
        _wait_past(last)
        assert execution.recover(services) == 1
    finally:
        wiring.close(services)


def _wait_past(moment: datetime) -> None:
    while datetime.now(UTC) <= moment:
        time.sleep(0.05)


def test_store_checkpoints_replace_parts_and_survive_a_new_process(
    held: tuple[Services, Holding, Clock],
) -> None:
    services, _, clock = held
    first = DbCheckpoints(services.store, clock)
    assert first.load("run-1") is None
    first.save("run-1", {"meta": {"phase": "applying"}, "changes": {"crm": [{"op": "x"}]}})
    first.save("run-1", {"meta": {"phase": "applying", "committed": ["crm"]}}, durable=False)
    again = DbCheckpoints(services.store, clock)
    assert again.load("run-1") == {
        "meta": {"phase": "applying", "committed": ["crm"]},
        "changes": {"crm": [{"op": "x"}]},
    }
    assert again.load("run-2") is None


def test_the_celery_backend_needs_a_broker_and_survives_one_that_is_down(
    settings: Settings,
) -> None:
    with pytest.raises(PolicyError, match="RIGHTSDESK_BROKER_URL"):
        wiring.job_backend(settings.model_copy(update={"job_backend": "celery"}))
    down = settings.model_copy(
        update={"job_backend": "celery", "broker_url": "redis://127.0.0.1:1/0"}
    )
    backend = wiring.job_backend(down)
    try:
        started = time.monotonic()
        backend.submit("job-a")  # refused: logged, left to the lease sweep
        backend.submit("job-b")  # not even tried while the broker is known to be down
        assert time.monotonic() - started < 30
    finally:
        backend.close()

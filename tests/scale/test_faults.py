"""Real `rightsdesk worker` processes on Redis and RabbitMQ with a PostgreSQL store: workers
killed and messages repeated all end with every request done once (brokers lost under running
workers: test_broker_loss.py)."""

from __future__ import annotations

import signal

import pytest
from sqlalchemy import func, select

from rightsdesk.service.runtime.context import Services
from rightsdesk.store.models import Job
from tests.scale.cluster import (
    Cluster,
    Holding,
    accounts_left,
    approve_erasures,
    assert_done_exactly_once,
    completed,
    emails,
    messages,
    ran,
    wait_until,
)

pytestmark = [pytest.mark.cluster, pytest.mark.postgres]


def test_two_workers_complete_every_erasure_exactly_once(cluster: Cluster) -> None:
    people = emails(cluster, 60)
    cluster.start_worker()
    cluster.start_worker()
    with cluster.services() as services:  # approving submits through the Celery backend
        ids = approve_erasures(services, people)
        wait_until(lambda: completed(services) == len(ids), 180, "all completed", cluster)
        assert_done_exactly_once(services, ids)
        assert accounts_left(cluster, people) == 0


def test_the_same_message_delivered_twice_is_done_once(cluster: Cluster) -> None:
    people = emails(cluster, 20)
    holding = Holding()
    with cluster.services(holding) as services:
        ids = approve_erasures(services, people)
    with cluster.services() as services:
        for job_id in holding.ids * 2:  # every message twice, both queued before any runs
            services.jobs.submit(job_id)
        cluster.start_worker()
        cluster.start_worker()
        wait_until(lambda: completed(services) == len(ids), 120, "all completed", cluster)
        late = messages(services, holding.ids)  # and once more after the work is done
        wait_until(lambda: ran(cluster, late), 60, "the late copies run", cluster)
        assert_done_exactly_once(services, ids)
        assert accounts_left(cluster, people) == 0
        with services.store.session() as session:
            assert session.scalar(select(func.max(Job.attempts))) == 1


def test_a_worker_killed_mid_batch_of_1000_erasures(own_redis_cluster: Cluster) -> None:
    """SIGKILL a worker while it holds jobs; the lease sweep hands them to the others."""
    cluster = own_redis_cluster
    people = emails(cluster, 1000)
    holding = Holding()
    with cluster.services(holding) as services:
        ids = approve_erasures(services, people)
    with cluster.services() as services:
        for job_id in holding.ids:
            services.jobs.submit(job_id)
        victim = cluster.start_worker()
        cluster.start_worker()
        wait_until(lambda: completed(services) >= 300, 600, "300 completed", cluster)
        wait_until(lambda: _holds(services, victim.pid), 30, "victim holds a job", cluster)
        held = _held_by(services, victim.pid)
        cluster.kill(victim)
        assert completed(services) < len(ids), "the kill must land mid-batch"
        cluster.start_worker()  # a supervisor would restart it; the sweep does the recovery
        wait_until(lambda: completed(services) == len(ids), 900, "all completed", cluster)
        assert_done_exactly_once(services, ids)
        assert accounts_left(cluster, people) == 0
        with services.store.session() as session:
            attempts = dict(session.execute(select(Job.id, Job.attempts)).tuples().all())
        # the victim's jobs were taken over (one may have committed just before the kill)
        assert any(attempts[job_id] == 2 for job_id in held)


def _held_by(services: Services, pid: int) -> list[str]:
    """Jobs running under a lease of process ``pid`` (owner tokens name host and pid)."""
    with services.store.session() as session:
        query = select(Job.id).where(Job.state == "running", Job.lease_owner.like(f"%.{pid}.%"))
        return list(session.scalars(query))


def _holds(services: Services, pid: int) -> bool:
    return bool(_held_by(services, pid))


def test_a_worker_stopped_with_ctrl_c_ends_cleanly(own_redis_cluster: Cluster) -> None:
    """Celery's warm shutdown on SIGINT exits 1, which scripts/cluster.sh read as a crash."""
    cluster = own_redis_cluster
    worker = cluster.start_worker(concurrency=1)
    log = cluster.logs / "worker-0.log"
    wait_until(lambda: " ready." in log.read_text(errors="replace"), 120, "ready", cluster)
    worker.send_signal(signal.SIGINT)
    assert worker.wait(60) == 0, cluster.tail()

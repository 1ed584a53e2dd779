"""The API and four workers started at the same instant on a fresh PostgreSQL store all come
up (one of them migrates, the others wait for it: store/migration_lock.py) and complete a batch.

Repeated ``RIGHTSDESK_TEST_STARTUP_ROUNDS`` times (3 by default, to keep CI short; the issue
that found the race asks for 20 in a row before a change to start-up lands), each round on a
store emptied of every table.
"""

from __future__ import annotations

import os

import httpx
import pytest

from tests.mailbox import free_port
from tests.scale.cluster import (
    Cluster,
    accounts_left,
    approve_erasures,
    assert_done_exactly_once,
    completed,
    emails,
    wait_until,
)

pytestmark = [pytest.mark.cluster, pytest.mark.postgres]

ROUNDS = int(os.environ.get("RIGHTSDESK_TEST_STARTUP_ROUNDS", "3"))
WORKERS = 4


def answers(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200
    except httpx.TransportError:
        return False


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_the_api_and_four_workers_started_at_once_come_up_and_work(
    round_: int, own_redis_cluster: Cluster
) -> None:
    cluster = own_redis_cluster
    port = free_port()
    processes = [cluster.start_api(port)] + [cluster.start_worker() for _ in range(WORKERS)]
    wait_until(lambda: answers(port), 120, "the API answers", cluster)
    people = emails(cluster, 40)
    with cluster.services() as services:  # a sixth process on the store, submitting the batch
        ids = approve_erasures(services, people)
        wait_until(lambda: completed(services) == len(ids), 180, "all completed", cluster)
        assert [p.poll() for p in processes] == [None] * len(processes), cluster.tail()
        assert_done_exactly_once(services, ids)
        assert accounts_left(cluster, people) == 0

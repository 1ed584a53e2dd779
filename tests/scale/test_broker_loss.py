"""Workers outlive their broker: a Redis server replaced by a new process on the same address
(at once, or after a while down), and a RabbitMQ restarted, under running workers; every queued
request still completes exactly once, no worker exits, and each worker's metrics say when it
lost the broker and when it had it back."""

from __future__ import annotations

import re
import signal
from collections.abc import Callable

import httpx
import pytest

from tests.mailbox import free_port
from tests.scale.cluster import (
    Cluster,
    Holding,
    accounts_left,
    approve_erasures,
    assert_done_exactly_once,
    completed,
    emails,
    wait_until,
)
from tests.scale.servers import RabbitServer, RedisServer

pytestmark = [pytest.mark.cluster, pytest.mark.postgres]

PEOPLE, WORKERS = 200, 2


def broker_connected(port: int) -> tuple[bool, int] | None:
    """A worker's ``rightsdesk_broker_connected`` and connections made, from its metrics port
    (None until it serves them)."""
    try:
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    except httpx.TransportError:
        return None
    up = re.search(r"^rightsdesk_broker_connected\{.*\} (\S+)$", text, re.M)
    made = re.search(r"^rightsdesk_broker_connects_total\{.*\} (\S+)$", text, re.M)
    assert up and made, text[-2000:]
    return float(up.group(1)) == 1, int(float(made.group(1)))


def run_through_losses(cluster: Cluster, lose: Callable[[list[int]], None], times: int) -> None:
    """Queue a batch of erasures, start workers, call ``lose`` ``times`` times while they run
    (with the workers' metrics ports), and check that all were done once."""
    people = emails(cluster, PEOPLE)
    holding = Holding()
    with cluster.services(holding) as services:
        ids = approve_erasures(services, people)
    cluster.env["RIGHTSDESK_BATCH_SIZE"] = "5"  # the run goes in steps; the losses land between
    ports = [free_port() for _ in range(WORKERS)]
    with cluster.services() as services:
        for job_id in holding.ids:
            services.jobs.submit(job_id)
        for port in ports:
            cluster.start_worker(metrics_port=port)
        for loss in range(times):
            goal = 20 + 25 * loss
            wait_until(lambda g=goal: completed(services) >= g, 120, f"{goal} completed", cluster)
            # read as the loss starts: ``lose`` returns only once every worker has reconnected,
            # and the first one back may finish the whole batch while the last one reconnects
            assert completed(services) < len(ids), "the loss must land mid-run"
            lose(ports)
        wait_until(lambda: completed(services) == len(ids), 300, "all completed", cluster)
        assert [w.poll() for w in cluster.workers] == [None] * WORKERS, cluster.tail()
        assert_done_exactly_once(services, ids)
        assert accounts_left(cluster, people) == 0


def test_a_redis_server_replaced_at_once_loses_nothing(
    own_redis: RedisServer, own_redis_cluster: Cluster
) -> None:
    """A new server process on the same port, five times: each time the queued messages go with
    the old one and the workers' connections are reset mid-conversation (kombu 5.7 stopped a
    worker holding an unacknowledged message then: jobs/broker.py)."""
    run_through_losses(own_redis_cluster, lambda ports: own_redis.replace(), times=5)


def test_a_redis_server_down_for_a_while_then_replaced_loses_nothing(
    own_redis: RedisServer, own_redis_cluster: Cluster
) -> None:
    lose = down_then_up(own_redis.kill, own_redis.start, own_redis_cluster)
    run_through_losses(own_redis_cluster, lose, times=1)


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["stopped", "killed"])
def test_a_rabbitmq_restarted_loses_nothing(
    own_rabbit: RabbitServer, own_rabbit_cluster: Cluster, how: signal.Signals
) -> None:
    """Stopped (it closes its connections) or killed (they are reset), then started again on the
    same node name and data: its durable queue keeps what was queued, and the messages the
    workers held unacknowledged are delivered again."""
    lose = down_then_up(lambda: own_rabbit.stop(how), own_rabbit.start, own_rabbit_cluster)
    run_through_losses(own_rabbit_cluster, lose, times=1)


def down_then_up(
    stop: Callable[[], None], start: Callable[[], None], cluster: Cluster
) -> Callable[[list[int]], None]:
    """A loss that waits until every worker says it lost the broker before starting it again,
    and until each says it reconnected."""

    def lose(ports: list[int]) -> None:
        made = {port: _connects(port, cluster) for port in ports}
        stop()
        for port in ports:
            lost = (False, made[port])
            wait_until(lambda p=port, s=lost: broker_connected(p) == s, 90, "broker lost", cluster)
        start()
        for port in ports:
            # at least once more: a reconnect may flap (py-amqp once read a torn frame from
            # acks sent by job threads right after reconnecting, and reconnected again)
            back = made[port]
            wait_until(lambda p=port, n=back: _reconnected(p, n), 90, "reconnected", cluster)

    return lose


def _connects(port: int, cluster: Cluster) -> int:
    """Connections the worker on ``port`` made, once it is connected."""
    wait_until(lambda: (broker_connected(port) or (False,))[0], 90, "connected", cluster)
    seen = broker_connected(port)
    assert seen is not None
    return seen[1]


def _reconnected(port: int, before: int) -> bool:
    seen = broker_connected(port)
    return seen is not None and seen[0] and seen[1] > before

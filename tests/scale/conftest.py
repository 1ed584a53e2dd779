"""Brokers and data stores for the fault tests: Redis and RabbitMQ servers of each test's own,
PostgreSQL on this machine; one that cannot run fails the test, never skips it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from rightsdesk.demo import platform
from tests.conftest import SERVERS
from tests.scale.cluster import DEPLOYED, SHORT, Cluster, Lease, make_cluster
from tests.scale.servers import RabbitServer, RedisServer

#: People on the demo platform: enough for the largest batch (1,000 erasures).
PEOPLE = 1050


@pytest.fixture(params=["rabbitmq", "redis"])
def broker_url(request: pytest.FixtureRequest) -> str:
    """A broker of this test's own on each kind in turn: never the shared servers, where another
    run's workers would take this test's messages (and its purge drop theirs)."""
    own = {"rabbitmq": "own_rabbit", "redis": "own_redis"}[request.param]
    server: RabbitServer | RedisServer = request.getfixturevalue(own)
    return server.url


@pytest.fixture
def data_stores(postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """The demo platform's two systems as PostgreSQL databases, filled with ``PEOPLE`` people.

    PostgreSQL, not SQLite files: several worker processes write to them at once, as to any
    production store (SQLite allows one writer per file and refuses a deadlocked second).
    """
    server = SERVERS["postgres"]
    admin = make_url(os.environ.get(server.env, server.admin_url))
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    names = {system: f"rd_scale_{os.getpid()}_{system}" for system in ("platform", "billing")}
    with engine.connect() as conn:
        for name in names.values():
            conn.execute(text(server.drop.format(name)))
            conn.execute(text(server.create.format(name)))
    urls = {s: admin.set(database=n).render_as_string(False) for s, n in names.items()}
    platform.create_schema(urls)
    platform.populate(urls, PEOPLE)
    for system, url in urls.items():  # the data map reads them when the test process loads it
        monkeypatch.setenv(f"RIGHTSDESK_DEMO_{system.upper()}_URL", url)
    yield urls
    with engine.connect() as conn:
        for name in names.values():
            conn.execute(text(server.drop.format(name)))
    engine.dispose()


def _cluster(
    tmp_path: Path, store_url: str, broker: str, data: dict[str, str], lease: Lease = SHORT
) -> Iterator[Cluster]:
    datamap = tmp_path / "datamap.yml"
    datamap.write_text(files("rightsdesk.demo").joinpath("datamap.yml").read_text("utf-8"))
    cluster = make_cluster(tmp_path, store_url, broker, datamap, data, lease)
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def cluster(
    tmp_path: Path, postgres_url: str, broker_url: str, data_stores: dict[str, str]
) -> Iterator[Cluster]:
    """A cluster on each broker in turn (no workers started yet), with the deployed lease: its
    tests kill no worker and lose no broker (those use the own_* clusters' short leases)."""
    yield from _cluster(tmp_path, postgres_url, broker_url, data_stores, DEPLOYED)


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A Redis server of this test's own, which it may kill and replace."""
    folder = tmp_path / "redis"
    folder.mkdir()
    server = RedisServer(folder)
    server.start()
    yield server
    server.kill()


@pytest.fixture
def own_redis_cluster(
    tmp_path: Path, postgres_url: str, own_redis: RedisServer, data_stores: dict[str, str]
) -> Iterator[Cluster]:
    yield from _cluster(tmp_path, postgres_url, own_redis.url, data_stores)


@pytest.fixture
def own_rabbit() -> Iterator[RabbitServer]:
    """A RabbitMQ node of this test's own, which it may stop and start again."""
    server = RabbitServer()
    try:
        server.start()
        yield server
    finally:
        server.remove()


@pytest.fixture
def own_rabbit_cluster(
    tmp_path: Path, postgres_url: str, own_rabbit: RabbitServer, data_stores: dict[str, str]
) -> Iterator[Cluster]:
    yield from _cluster(tmp_path, postgres_url, own_rabbit.url, data_stores)

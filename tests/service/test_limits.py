"""Per-system limits: runs never share a slot, slots come back after errors, rates hold."""

from __future__ import annotations

import itertools
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from rightsdesk.connectors.registry import open_connector
from rightsdesk.datamap import DataMap, loads
from rightsdesk.datamap.model import Limits
from rightsdesk.service.runtime import connections, runs
from rightsdesk.service.runtime.context import Services
from rightsdesk.service.runtime.limits import Gate, lock_key
from rightsdesk.service.runtime.throttle import Bucket, Throttled
from rightsdesk.settings import Settings
from rightsdesk.store.db import Store

HOLD = 0.3  # seconds each run stays inside its systems


def _datamap(tmp_path: Path, limits: str) -> DataMap:
    """Two systems ``a`` and ``b`` (SQLite files, one user each), both with ``limits``."""
    systems = []
    for name in ("a", "b"):
        with sqlite3.connect(tmp_path / f"{name}.db") as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, email TEXT)")
            conn.execute("INSERT OR REPLACE INTO users VALUES (1, 'a@example.com')")
        systems.append(
            f"""\
  - name: {name}
    url: sqlite:///{tmp_path / f"{name}.db"}
    limits: {limits}
    collections:
      - name: users
        fields:
          - {{name: id, primary_key: true}}
          - {{name: email, identity: email, categories: user.contact.email}}
"""
        )
    return loads("systems:\n" + "".join(systems), env={})


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="store-sqlite"),
        pytest.param("postgres", id="store-postgres", marks=pytest.mark.postgres),
    ]
)
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    opened = Store(request.getfixturevalue(f"{request.param}_url"))
    yield opened
    opened.close()


def _runs(
    gates: list[Gate], datamap: DataMap, settings: Settings, count: int
) -> list[tuple[float, float]]:
    """``count`` runs on threads (gate ``i % len(gates)``); each run's (entered, left) times."""
    spans: list[tuple[float, float]] = []
    lock = threading.Lock()

    def run(gate: Gate) -> None:
        with runs.open_engine(datamap, settings, limits=gate) as engine:
            entered = time.monotonic()
            list(engine.connectors["a"].read("users", "id", [1], ["email"]))
            time.sleep(HOLD)
            left = time.monotonic()
        with lock:
            spans.append((entered, left))

    threads = [threading.Thread(target=run, args=(gates[i % len(gates)],)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(spans) == count
    return sorted(spans)


def _most_at_once(spans: list[tuple[float, float]]) -> int:
    events = sorted([(t, 1) for t, _ in spans] + [(t, -1) for _, t in spans])
    inside = most = 0
    for _, step in events:
        inside += step
        most = max(most, inside)
    return most


def test_one_slot_means_one_run_at_a_time(store: Store, tmp_path: Path) -> None:
    """Two gates stand for two worker processes: each has its own store connections."""
    datamap = _datamap(tmp_path, "{concurrency: 1}")
    other = Store(store.url)
    try:
        gates = [Gate(store, max_backoff=0.05), Gate(other, max_backoff=0.05)]
        if store.is_sqlite:
            gates = gates[:1]  # one process: the semaphores are the gate's own
        spans = _runs(gates, datamap, Settings(state_dir=tmp_path / "state"), 3)
    finally:
        other.close()
    for (_, left), (entered, _) in itertools.pairwise(spans):
        assert entered >= left  # the next run started only after the previous one let go


def test_concurrency_two_lets_two_in(store: Store, tmp_path: Path) -> None:
    datamap = _datamap(tmp_path, "{concurrency: 2}")
    spans = _runs(
        [Gate(store, max_backoff=0.05)], datamap, Settings(state_dir=tmp_path / "state"), 5
    )
    assert _most_at_once(spans) <= 2


def test_slots_come_back_after_an_error(store: Store, tmp_path: Path) -> None:
    datamap = _datamap(tmp_path, "{concurrency: 1}")
    gate = Gate(store, max_backoff=0.05)
    settings = Settings(state_dir=tmp_path / "state")
    with pytest.raises(RuntimeError), runs.open_engine(datamap, settings, limits=gate):
        assert _advisory_locks(store) in (None, 2)  # a and b
        raise RuntimeError("the run failed")
    assert _advisory_locks(store) in (None, 0)
    taken = threading.Event()

    def again() -> None:
        with gate.take(datamap):
            taken.set()

    thread = threading.Thread(target=again)
    thread.start()
    thread.join(timeout=30)
    assert taken.is_set()


def test_a_map_without_limits_takes_nothing(store: Store, tmp_path: Path) -> None:
    datamap = _datamap(tmp_path, "{}")
    with Gate(store).take(datamap) as held:
        assert _advisory_locks(store) in (None, 0)
        assert held.rates == {}


@pytest.mark.postgres
def test_slots_are_advisory_locks_with_stable_keys(postgres_url: str, tmp_path: Path) -> None:
    store = Store(postgres_url)
    try:
        datamap = _datamap(tmp_path, "{concurrency: 3}")
        with Gate(store).take(datamap), store.engine.connect() as conn:
            held = set(
                conn.execute(
                    sa.text(
                        "SELECT classid::bigint, objid::bigint FROM pg_locks"
                        " WHERE locktype = 'advisory' AND objsubid = 2 AND granted"
                        " AND database = (SELECT oid FROM pg_database"
                        " WHERE datname = current_database())"
                    )
                ).tuples()
            )
        expected = {lock_key(name, 0) for name in ("a", "b")}
        assert held == {(classid & 0xFFFFFFFF, objid) for classid, objid in expected}
        assert lock_key("a", 0) == lock_key("a", 0) != lock_key("b", 0)
    finally:
        store.close()


def test_the_rate_holds_across_statements(tmp_path: Path) -> None:
    """N statements at R per second take at least (N - 1) / R: the burst is one statement."""
    datamap = _datamap(tmp_path, "{}")
    system = datamap.systems[0]
    connector = Throttled(open_connector(system.name, system.kind, system.url), Bucket(20))
    try:
        started = time.monotonic()
        for _ in range(11):
            assert list(connector.read("users", "id", [1], ["email"])) == [[("a@example.com",)]]
        assert time.monotonic() - started >= 10 / 20
    finally:
        connector.close()


def test_a_held_slot_gets_its_share_of_the_rate(store: Store, tmp_path: Path) -> None:
    """statements_per_second 40 over 2 slots: one run sends 20 a second."""
    datamap = _datamap(tmp_path, "{concurrency: 2, statements_per_second: 40}")
    settings = Settings(state_dir=tmp_path / "state")
    with runs.open_engine(datamap, settings, limits=Gate(store)) as engine:
        started = time.monotonic()
        for _ in range(11):
            list(engine.connectors["b"].read("users", "id", [1], ["email"]))
        assert time.monotonic() - started >= 10 / 20


def test_a_bucket_counts_each_statement_of_a_call() -> None:
    slept: list[float] = []
    now = [0.0]
    bucket = Bucket(10, clock=lambda: now[0], sleep=slept.append)
    bucket.take(3)  # the first goes at once; the next call waits for all three
    bucket.take()
    assert slept == [pytest.approx(0.3)]


def test_services_hold_slots_through_the_shared_engine(services: Services) -> None:
    """Every service workflow's run goes through ``connections.engine``, which uses the gate."""
    assert services.datamap is not None and services.limits is not None
    name = services.datamap.systems[0].name
    limited = services.datamap.model_copy(
        update={
            "systems": tuple(
                s.model_copy(update={"limits": Limits(concurrency=1)}) if s.name == name else s
                for s in services.datamap.systems
            )
        }
    )
    with connections.engine(services, limited):
        assert _advisory_locks(services.store) in (None, 1)
        if services.store.is_sqlite:
            semaphore = services.limits.semaphore(name, 1)
            assert not semaphore.acquire(blocking=False)
    assert _advisory_locks(services.store) in (None, 0)


def _advisory_locks(store: Store) -> int | None:
    """Slot locks held in the store's database (None when the store is SQLite)."""
    if store.is_sqlite:
        return None
    with store.engine.connect() as conn:
        return int(
            conn.execute(
                sa.text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 2"
                    " AND database = (SELECT oid FROM pg_database"
                    " WHERE datname = current_database())"
                )
            ).scalar_one()
        )


def test_slot_waits_are_counted(store: Store, tmp_path: Path) -> None:
    from rightsdesk.observability import metrics

    def counted() -> float:
        found = metrics.registry().get_sample_value(
            "rightsdesk_limit_wait_seconds_total", {"system": "a"}
        )
        return found or 0.0

    gate = Gate(store, max_backoff=0.05)
    gate.observer = metrics.observe_wait
    datamap = _datamap(tmp_path, "{concurrency: 1}")
    before = counted()
    started = threading.Event()

    def second() -> None:
        started.set()
        gate.take(datamap).release()

    with gate.take(datamap):
        thread = threading.Thread(target=second)
        thread.start()
        started.wait()
        time.sleep(0.2)
    thread.join()
    assert counted() > before

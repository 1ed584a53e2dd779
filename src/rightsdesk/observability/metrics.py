"""Prometheus metrics: store gauges computed at scrape time, and step latency per system.

The gauges (requests by type and status, deadlines at risk and overdue, queue depth, deliveries,
the audit head) are read from the store by a custom collector on each scrape, so every process
reports the same truth and nothing has to be kept in step. Step latency is a histogram observed
in the process that runs the work; in a multi-process deployment each worker serves its own
(``serve``), and Prometheus adds them up. This is the only module importing prometheus_client.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from wsgiref.simple_server import WSGIServer

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    start_http_server,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError

from rightsdesk.domain.requests import RequestType
from rightsdesk.jobs.base import BrokerState
from rightsdesk.service.runtime import overview
from rightsdesk.service.runtime.context import Services

log = logging.getLogger("rightsdesk.metrics")

CONTENT_TYPE = CONTENT_TYPE_LATEST

#: Seconds one run spent in one system; long buckets because an erasure of a big store is slow.
STEP_SECONDS = Histogram(
    "rightsdesk_step_seconds",
    "Time a run (access, erasure, correction) spent in one data store, per system.",
    ["action", "system"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900),
    registry=None,  # registered in each registry() below, never in the global one
)


#: Seconds runs waited for a slot of a system with a ``concurrency`` limit (data map ``limits``).
LIMIT_WAIT_SECONDS = Counter(
    "rightsdesk_limit_wait_seconds",
    "Time runs waited for a slot of a data store whose concurrency is limited, per system.",
    ["system"],
    registry=None,
)


def observe_step(action: str, system: str, seconds: float) -> None:
    STEP_SECONDS.labels(action, system).observe(seconds)


def observe_wait(system: str, seconds: float) -> None:
    LIMIT_WAIT_SECONDS.labels(system).inc(seconds)


def install(services: Services) -> None:
    """Observe step latency and slot waits for the runs this process makes with ``services``."""
    services.step_observer = observe_step
    if services.limits is not None:
        services.limits.observer = observe_wait


class StoreCollector(Collector):
    """The store's numbers, queried on each scrape (a few aggregate queries, no rows loaded)."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def describe(self) -> Iterable[Metric]:
        # names only, so registering the collector does not query the store
        return list(_families())

    def collect(self) -> Iterable[Metric]:
        try:
            seen = overview.gather(self.services)
        except SQLAlchemyError as exc:
            log.warning("metrics: the store could not be read: %s", type(exc).__name__)
            up = GaugeMetricFamily("rightsdesk_store_up", _HELP["store_up"])
            up.add_metric([], 0)
            return [up]
        return list(_families(seen))


class BrokerCollector(Collector):
    """A worker's broker connection, as its consumer last made or lost it."""

    def __init__(self, state: Callable[[], BrokerState]) -> None:
        self.state = state

    def collect(self) -> Iterable[Metric]:
        seen = self.state()
        up = GaugeMetricFamily("rightsdesk_broker_connected", _HELP["broker"], labels=["broker"])
        up.add_metric([seen.url], 1 if seen.connected else 0)
        made = CounterMetricFamily(
            "rightsdesk_broker_connects", _HELP["connects"], labels=["broker"]
        )
        made.add_metric([seen.url], seen.connects)
        return [up, made]


_HELP = {
    "broker": "1 while this worker's consumer is connected to its broker, 0 while it reconnects.",
    "connects": "Broker connections this worker made; a rise past 1 is a reconnect.",
    "store_up": "1 when the store answered this scrape's queries.",
    "requests": "Requests by type and status.",
    "at_risk": "Open requests due within the policy's at-risk window, by type.",
    "overdue": "Open requests past their due date, by type.",
    "jobs": "Jobs by state (queued, running, waiting, failed).",
    "depth": "Jobs queued, running or waiting.",
    "oldest": "Seconds the longest-waiting queued job has waited.",
    "deliveries": "Webhooks and recipient e-mails by state (pending, sent, failed).",
    "audit": "Sequence number of the audit chain's head.",
    "lockouts": "Lock-outs in the last 24 hours (too many codes sent or wrong codes), by "
    "scope (person, client address) and kind (send, guess).",
}


def _families(seen: overview.Overview | None = None) -> Iterator[Metric]:
    up = GaugeMetricFamily("rightsdesk_store_up", _HELP["store_up"])
    requests = GaugeMetricFamily(
        "rightsdesk_requests", _HELP["requests"], labels=["type", "status"]
    )
    at_risk = GaugeMetricFamily("rightsdesk_requests_at_risk", _HELP["at_risk"], labels=["type"])
    overdue = GaugeMetricFamily("rightsdesk_requests_overdue", _HELP["overdue"], labels=["type"])
    jobs = GaugeMetricFamily("rightsdesk_jobs", _HELP["jobs"], labels=["state"])
    depth = GaugeMetricFamily("rightsdesk_queue_depth", _HELP["depth"])
    oldest = GaugeMetricFamily("rightsdesk_oldest_queued_job_age_seconds", _HELP["oldest"])
    deliveries = GaugeMetricFamily("rightsdesk_deliveries", _HELP["deliveries"], labels=["state"])
    audit = GaugeMetricFamily("rightsdesk_audit_head_seq", _HELP["audit"])
    lockouts = GaugeMetricFamily(
        "rightsdesk_lockouts_last_day", _HELP["lockouts"], labels=["scope", "kind"]
    )
    if seen is not None:
        up.add_metric([], 1)
        for (type_, status), count in sorted(seen.requests.items()):
            requests.add_metric([type_, status], count)
        for type_ in RequestType:  # zeros too, so an alert rule never sees a missing series
            at_risk.add_metric([type_.value], seen.deadlines["at_risk"].get(type_.value, 0))
            overdue.add_metric([type_.value], seen.deadlines["overdue"].get(type_.value, 0))
        for state, count in seen.jobs.items():
            jobs.add_metric([state], count)
        depth.add_metric([], seen.queue_depth)
        oldest.add_metric([], seen.oldest_queued_seconds)
        for state, count in seen.deliveries.items():
            deliveries.add_metric([state], count)
        audit.add_metric([], seen.audit_seq)
        for (scope, kind), count in sorted(seen.lockouts.items()):
            lockouts.add_metric([scope, kind], count)
    yield from (up, requests, at_risk, overdue, jobs, depth, oldest, deliveries, audit, lockouts)


def registry(
    services: Services | None = None, broker: Callable[[], BrokerState] | None = None
) -> CollectorRegistry:
    """This process's metrics, plus the store's gauges when ``services`` is given and the
    broker connection when ``broker`` is.

    The API passes its services (one scrape target reports the store); workers pass none, so
    scraping N workers does not run the store queries N times or duplicate the series.
    """
    found = CollectorRegistry(auto_describe=True)
    found.register(STEP_SECONDS)
    found.register(LIMIT_WAIT_SECONDS)
    for shared in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
        found.register(shared)
    if services is not None:
        found.register(StoreCollector(services))
    if broker is not None:
        found.register(BrokerCollector(broker))
    return found


def render(source: CollectorRegistry) -> bytes:
    """The text exposition format (``CONTENT_TYPE``)."""
    return generate_latest(source)


def serve(
    port: int,
    addr: str = "0.0.0.0",
    services: Services | None = None,
    broker: Callable[[], BrokerState] | None = None,
) -> WSGIServer:
    """Serve ``/metrics`` on ``port`` from a background thread (for `rightsdesk worker`).

    Returns the server; ``shutdown()`` stops it. The port serves metrics only, without
    authentication: bind it to an address only Prometheus reaches.
    """
    server, _ = start_http_server(port, addr, registry=registry(services, broker))
    return server

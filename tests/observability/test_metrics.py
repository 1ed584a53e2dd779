"""Prometheus metrics: the store's gauges on each backend, step latency, /metrics and its auth."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime, timedelta

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import IPvAnyNetwork, TypeAdapter

from rightsdesk.domain.requests import RequestType
from rightsdesk.jobs.base import BrokerState
from rightsdesk.observability import metrics
from rightsdesk.service.requests import actions as requests
from rightsdesk.service.requests import views
from rightsdesk.service.runtime import overview
from rightsdesk.service.runtime.context import Services, unit
from rightsdesk.service.runtime.operators import Operator, Scope
from rightsdesk.store.db import Store
from rightsdesk.store.models import Delivery, Job
from tests.api.conftest import KeyMaker
from tests.mailbox import free_port
from tests.service.conftest import PERSON, Clock
from tests.service.flows import submit

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]
DESK = Operator("desk", "test desk", frozenset(Scope))


def scrape(text: str) -> Samples:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def store_samples(services: Services) -> Samples:
    return scrape(metrics.render(metrics.registry(services)).decode())


def ticket(services: Services, kind: RequestType, email: str) -> str:
    """A request recorded from a ticket, verified by the evidence cited: awaiting approval."""
    done = submit(services, kind, email, channel="ticket", evidence="ticket 1", actor="desk")
    return done.request.id


def beijing_morning(day: datetime) -> datetime:
    return day.replace(hour=2, minute=0)  # 10:00 in Beijing: the local date is the UTC one


def test_store_gauges_count_requests_deadlines_jobs_and_deliveries(
    services: Services, clock: Clock
) -> None:
    first = ticket(services, RequestType.DELETE, "first@example.com")
    submit(services, RequestType.ACCESS, PERSON)  # awaiting the code mailed to the person
    due = views.detail(services, first).due
    clock.now = beijing_morning(datetime.combine(due, clock.now.timetz()))
    ticket(services, RequestType.DELETE, "second@example.com")  # on time: received today
    with unit(services) as work:
        work.session.add(
            Job(
                id=uuid.uuid4().hex,
                request_id=first,
                kind="delete",
                state="queued",
                attempts=0,
                created_at=work.now - timedelta(minutes=5),
                updated_at=work.now - timedelta(seconds=90),
            )
        )
        work.session.add(
            Delivery(
                id=uuid.uuid4().hex,
                request_id=first,
                target="host",
                channel="webhook",
                event="erasure",
                payload={},
                state="failed",
                attempts=8,
                created_at=work.now,
                updated_at=work.now,
            )
        )

    seen = store_samples(services)
    assert seen[("rightsdesk_store_up", ())] == 1
    assert seen[("rightsdesk_requests", (("status", "awaiting_approval"), ("type", "delete")))] == 2
    verifying = (("status", "identity_unverified"), ("type", "access"))
    assert seen[("rightsdesk_requests", verifying)] == 1
    # the two first requests are due today: at risk, not yet overdue (as the operator filter)
    assert seen[("rightsdesk_requests_at_risk", (("type", "delete"),))] == 1
    assert seen[("rightsdesk_requests_at_risk", (("type", "access"),))] == 1
    assert seen[("rightsdesk_requests_overdue", (("type", "delete"),))] == 0
    assert seen[("rightsdesk_requests_overdue", (("type", "cancel_account"),))] == 0  # zeros too
    assert views.search(services, views.Filter(deadline="at_risk"))[0] == 2
    assert seen[("rightsdesk_jobs", (("state", "queued"),))] == 1
    assert seen[("rightsdesk_jobs", (("state", "failed"),))] == 0
    assert seen[("rightsdesk_queue_depth", ())] == 1
    assert seen[("rightsdesk_oldest_queued_job_age_seconds", ())] == 90
    assert seen[("rightsdesk_deliveries", (("state", "failed"),))] == 1
    head = overview.gather(services).audit_seq
    assert seen[("rightsdesk_audit_head_seq", ())] == head > 0

    clock.advance(days=1)
    later = store_samples(services)
    assert later[("rightsdesk_requests_overdue", (("type", "delete"),))] == 1
    assert later[("rightsdesk_requests_at_risk", (("type", "delete"),))] == 0
    assert views.search(services, views.Filter(deadline="overdue"))[0] == 2
    assert later[("rightsdesk_oldest_queued_job_age_seconds", ())] == 90 + 86400


def test_an_unreachable_store_is_reported_not_raised(services: Services) -> None:
    down = dataclasses.replace(services, store=Store("postgresql+psycopg://nobody@127.0.0.1:1/x"))
    try:
        seen = store_samples(down)
    finally:
        down.store.close()
    assert seen[("rightsdesk_store_up", ())] == 0
    assert not any(name == "rightsdesk_requests" for name, _ in seen)


def test_step_latency_is_observed_per_system_for_each_run(services: Services) -> None:
    def count(system: str) -> float:
        labels = {"action": "erasure", "system": system}
        return metrics.registry().get_sample_value("rightsdesk_step_seconds_count", labels) or 0

    before = {system: count(system) for system in ("platform", "billing")}
    metrics.install(services)
    request_id = ticket(services, RequestType.DELETE, PERSON)
    requests.approve(services, DESK, request_id, None)
    services.jobs.drain()
    assert views.detail(services, request_id).status == "completed"
    assert {system: count(system) - before[system] for system in before} == {
        "platform": 1,
        "billing": 1,
    }
    labels = {"action": "erasure", "system": "platform"}
    assert (metrics.registry().get_sample_value("rightsdesk_step_seconds_sum", labels) or 0) > 0


def test_metrics_need_a_read_key_or_a_trusted_network(
    live: httpx.Client, services: Services, key: KeyMaker
) -> None:
    assert live.get("/metrics").status_code == 401
    assert live.get("/metrics", headers=key("legal")).status_code == 403
    answered = live.get("/metrics", headers=key("read"))
    assert answered.status_code == 200, answered.text
    assert answered.headers["content-type"].startswith("text/plain; version=")
    seen = scrape(answered.text)
    assert seen[("rightsdesk_store_up", ())] == 1
    assert ("rightsdesk_queue_depth", ()) in seen
    token = key("decide")["X-API-Key"]  # decide implies read; as Prometheus sends it:
    assert live.get("/metrics", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    networks = TypeAdapter(list[IPvAnyNetwork]).validate_python(["10.0.0.0/8"])
    services.settings = services.settings.model_copy(update={"metrics_anonymous": networks})
    assert live.get("/metrics").status_code == 401  # the test client is not on 10/8
    networks = TypeAdapter(list[IPvAnyNetwork]).validate_python(["127.0.0.1/32", "::1"])
    services.settings = services.settings.model_copy(update={"metrics_anonymous": networks})
    assert live.get("/metrics").status_code == 200
    assert "/metrics" not in live.get("/openapi.json").json()["paths"]


@pytest.mark.parametrize("with_store", [False, True])
def test_a_worker_serves_its_own_metrics_on_a_port(services: Services, with_store: bool) -> None:
    port = free_port()
    server = metrics.serve(port, "127.0.0.1", services if with_store else None)
    try:
        answered = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5)
    finally:
        server.shutdown()
        server.server_close()
    assert answered.status_code == 200
    names = {name for name, _ in scrape(answered.text)}
    assert "process_cpu_seconds_total" in names
    # workers leave the store's gauges to the API, so N workers do not run N queries a scrape
    assert ("rightsdesk_requests_at_risk" in names) is with_store


@pytest.mark.parametrize(
    ("state", "connected", "connects"),
    [
        pytest.param(BrokerState("redis://h:6379/0", False), 0, 0, id="before-the-first"),
        pytest.param(BrokerState("redis://h:6379/0", True, 1), 1, 1, id="connected"),
        pytest.param(BrokerState("redis://h:6379/0", False, 1, "lost"), 0, 1, id="lost"),
        pytest.param(BrokerState("redis://h:6379/0", True, 3), 1, 3, id="reconnected"),
    ],
)
def test_a_worker_exports_its_broker_connection(
    state: BrokerState, connected: int, connects: int
) -> None:
    text = metrics.render(metrics.registry(broker=lambda: state)).decode()
    samples = {
        sample.name: (sample.labels, sample.value)
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
    broker = {"broker": "redis://h:6379/0"}
    assert samples["rightsdesk_broker_connected"] == (broker, connected)
    assert samples["rightsdesk_broker_connects_total"] == (broker, connects)

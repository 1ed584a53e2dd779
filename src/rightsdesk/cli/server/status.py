"""`rightsdesk status`: the numbers `GET /metrics` exports, at a glance (or as JSON)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from rightsdesk.cli.app import app, out
from rightsdesk.cli.local import open_services
from rightsdesk.jobs.base import BrokerBackend

if TYPE_CHECKING:
    from rightsdesk.jobs.base import BrokerState
    from rightsdesk.service.runtime.context import Services


@app.command()
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Requests by type and status, deadlines at risk and overdue, the job queue, failed
    deliveries, the last day's lock-outs and the audit chain's head, read from the store; and
    whether the broker (with RIGHTSDESK_JOB_BACKEND=celery) answers."""
    from rightsdesk.service.runtime import overview

    with open_services() as services:
        seen = overview.gather(services)
        broker = _broker(services)
    if as_json:
        shown = seen.to_json() | {"broker": asdict(broker) if broker else None}
        out.print_json(json.dumps(shown))
        return
    statuses = sorted({status for _, status in seen.requests})
    table = Table(title="requests", title_justify="left")
    table.add_column("type")
    for column in (*statuses, "at risk", "overdue"):
        table.add_column(column, justify="right")
    for type_ in sorted({type_ for type_, _ in seen.requests}):
        counts = [str(seen.requests.get((type_, s), 0) or "-") for s in statuses]
        late = [str(seen.deadlines[d].get(type_, 0)) for d in ("at_risk", "overdue")]
        table.add_row(type_, *counts, *late)
    out.print(table if seen.requests else "no requests yet")
    jobs = ", ".join(f"{n} {state}" for state, n in seen.jobs.items())
    out.print(f"jobs: {jobs}; oldest queued {seen.oldest_queued_seconds:.0f} s", highlight=False)
    sent = ", ".join(f"{n} {state}" for state, n in seen.deliveries.items())
    out.print(f"deliveries: {sent}", highlight=False)
    locked = ", ".join(f"{n} {scope} {kind}" for (scope, kind), n in seen.lockouts.items() if n)
    out.print(f"lock-outs in the last day: {locked or 'none'}", highlight=False)
    head = f"audit head: entry {seen.audit_seq}, hash {seen.audit_hash}"
    out.print(head, highlight=False, soft_wrap=True)
    if broker is None:
        out.print("broker: none (jobs run in this process)", highlight=False)
    elif broker.connected:
        out.print(f"broker: connected to {broker.url}", highlight=False)
    else:
        out.print(f"broker: unreachable at {broker.url} ({broker.detail})", highlight=False)


def _broker(services: Services) -> BrokerState | None:
    """A fresh connection to the broker's answer, or None with the in-process backend."""
    if not isinstance(services.jobs, BrokerBackend):
        return None
    return services.jobs.probe()

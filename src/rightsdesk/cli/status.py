"""`rightsdesk status`: the numbers `GET /metrics` exports, at a glance (or as JSON)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from rightsdesk.cli.app import app, out
from rightsdesk.cli.service import _services


@app.command()
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Requests by type and status, deadlines at risk and overdue, the job queue, failed
    deliveries and the audit chain's head, read from the store."""
    from rightsdesk.service import overview

    with _services() as services:
        seen = overview.gather(services)
    if as_json:
        out.print_json(json.dumps(seen.to_json()))
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
    head = f"audit head: entry {seen.audit_seq}, hash {seen.audit_hash}"
    out.print(head, highlight=False, soft_wrap=True)

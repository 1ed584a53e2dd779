"""`rightsdesk request import FILE`: a help desk's tickets taken in, checked all first."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rightsdesk.cli.app import out
from rightsdesk.cli.desk.requests import request_app
from rightsdesk.cli.local import JsonFlag, local_operator, open_services, print_json


@request_app.command("import")
def import_(
    file: Annotated[
        Path, typer.Argument(help="CSV with a header, or JSONL (.jsonl): one ticket per line.")
    ],
    approve: Annotated[
        bool, typer.Option(help="Approve each request that waits for an operator.")
    ] = False,
    reason: Annotated[str | None, typer.Option(help="The approval's reason.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Record tickets from a file: columns type, evidence, optional locale and params (JSON),
    and identity kinds (email, phone, user_id...). Every line is checked before any is stored;
    then they are stored 1,000 to a transaction."""
    from rightsdesk.service.requests import tickets
    from rightsdesk.service.runtime import wiring

    operator = local_operator()
    batch, names = tickets.read(file, actor=operator.actor)
    with open_services() as services:
        checked = tickets.check_all(services, batch, names)  # every line before any is stored
        size, ids, joined = tickets.MAX_TICKETS, [], 0
        for start in range(0, len(checked), size):
            taken = tickets.store(
                services, operator, checked[start : start + size], approve, reason
            )
            ids += [t.request.id for t in taken]
            joined += sum(1 for t in taken if t.joined)
            if not as_json:
                out.print(f"stored {len(ids):,}/{len(batch):,} tickets")
        wiring.settle(services)
    if as_json:  # one id per line of the file, in its order (a joined one: the open request's)
        print_json({"new": len(batch) - joined, "joined": joined, "requests": ids})
        return
    out.print(f"{len(batch) - joined:,} new requests, {joined:,} joined an open one")


@request_app.command("verify")
def verify(
    request_id: str,
    evidence: Annotated[
        str,
        typer.Option(
            help="Where the identity evidence is kept (a signed letter, ticket 123), or how an "
            "agent's power of attorney was checked."
        ),
    ],
) -> None:
    """Verify a request's person from evidence kept elsewhere (or an agent's attached power of
    attorney, CCR 7063(b)); the request then goes on as policy says."""
    from rightsdesk.service.requests import actions as requests
    from rightsdesk.service.requests import views

    with open_services() as services:
        requests.verify_for(services, local_operator(), request_id, evidence)
        services.jobs.drain()
        shown = views.detail(services, request_id)
    out.print(f"request {shown.id}: {shown.status}")

"""`rightsdesk restriction ...`: restrictions and objections in force, lifted, and checked."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from rightsdesk.cli.app import app, out
from rightsdesk.cli.local import JsonFlag, local_operator, open_services, print_json
from rightsdesk.domain.subjects import Identity

restriction_app = typer.Typer(
    help="Restrictions of processing and objections (GDPR Arts. 18, 21; PIPL Art. 44).",
    no_args_is_help=True,
)
app.add_typer(restriction_app, name="restriction")


@restriction_app.command("list")
def list_(
    lifted: Annotated[bool, typer.Option("--lifted", help="Include lifted ones.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Restrictions and objections, oldest first, with the id `restriction lift` takes."""
    from rightsdesk.service.restrictions import ledger

    with open_services() as services:
        found = ledger.listing(services, active=not lifted, limit=500)
    if as_json:
        keys = ("id", "kind", "ground", "purpose", "collections", "opened_at", "lifted_at")
        print_json([{k: getattr(r, k) for k in keys} | {"marks": r.marks} for r in found])
        return
    table = Table(title=f"restrictions: {len(found)}", title_justify="left")
    for column in ("id", "kind", "ground", "purpose", "collections", "opened", "lifted"):
        table.add_column(column, no_wrap=column == "id")
    for r in found:
        lifted_at = r.lifted_at.isoformat(timespec="minutes") if r.lifted_at else ""
        table.add_row(
            r.id,
            r.kind,
            r.ground,
            r.purpose or "",
            ", ".join(sorted(r.marks)) or ", ".join(r.collections),
            r.opened_at.isoformat(timespec="minutes"),
            lifted_at,
        )
    out.print(table)


@restriction_app.command("lift")
def lift(
    restriction_id: str,
    reason: Annotated[str, typer.Option("--reason", help="Why; the person is told it first.")],
) -> None:
    """Lift one: the person is told first, then the marks come off (exit 7 if they cannot be)."""
    from rightsdesk.service.restrictions import lifting
    from rightsdesk.service.runtime import wiring

    with open_services() as services:
        done = lifting.lift(services, restriction_id, actor=local_operator().actor, reason=reason)
        wiring.settle(services)
    out.print(f"lifted {done.id} ({done.kind}); the person was told")


@restriction_app.command("check")
def check(
    identity: Annotated[
        list[Identity] | None,
        typer.Option("--identity", "-i", parser=Identity.parse, help="kind=value (repeatable)."),
    ] = None,
    purpose: Annotated[
        str | None, typer.Option("--purpose", help="The processing's purpose, e.g. marketing.")
    ] = None,
    collection: Annotated[
        str | None, typer.Option("--collection", help="system.collection")
    ] = None,
    key: Annotated[str | None, typer.Option("--key", help="The row's key in --collection.")] = None,
) -> None:
    """May this person (or row) be processed (for --purpose)? Prints the verdict as JSON; exit
    code 0 when processing may go on, 1 when a restriction or objection stops it."""
    from rightsdesk.domain.errors import InputError
    from rightsdesk.service.restrictions import ledger

    if not identity and (collection is None or key is None):
        raise InputError("name the person (--identity) or a row (--collection and --key)")
    with open_services() as services:
        verdict = ledger.check(
            services,
            identity or [],
            purpose=purpose,
            collection=collection,
            key=key,
        )
    out.print_json(json.dumps(verdict.to_json()))
    raise typer.Exit(0 if verdict.may_process else 1)

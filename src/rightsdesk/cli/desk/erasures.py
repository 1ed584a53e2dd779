"""`rightsdesk suppression check` and `rightsdesk replay`: erasures remembered without the person
(the suppression list, DEL-09) and replayed after a company database is restored (DEL-05)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

import typer

from rightsdesk.cli.app import app, out
from rightsdesk.cli.local import JsonFlag, local_operator, open_services, print_json
from rightsdesk.domain.subjects import Identity

suppression_app = typer.Typer(
    help="The suppression list of erased people (keyed hashes only; CCR 7022(e)).",
    no_args_is_help=True,
)
app.add_typer(suppression_app, name="suppression")


@suppression_app.command("check")
def check(
    identity: Annotated[
        list[Identity],
        typer.Option("--identity", "-i", parser=Identity.parse, help="kind=value (repeatable)."),
    ],
) -> None:
    """Does this incoming record belong to a person erased? Prints JSON; exit code 0 when it
    does not, 1 when it does (do not ingest it)."""
    from rightsdesk.service.erasures import suppression

    with open_services() as services:
        found = suppression.check(services, identity)
    matches = [{"kind": m.kind, "since": m.since.isoformat()} for m in found.matches]
    out.print_json(json.dumps({"suppressed": found.suppressed, "matches": matches}))
    raise typer.Exit(1 if found.suppressed else 0)


def _since(text: str) -> datetime:
    """An ISO date or time; without a zone it is UTC."""
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not an ISO date (2026-11-30 or 2026-11-30T02:00)"
        ) from None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


@app.command("replay")
def replay(
    since: Annotated[
        datetime,
        typer.Option(
            "--since",
            parser=_since,
            metavar="DATE",
            help="When the restored backup was taken (ISO date or time, UTC unless it says).",
        ),
    ],
    as_json: JsonFlag = False,
) -> None:
    """After restoring a company database from a backup taken at DATE: erase again everyone
    erased since (idempotent), mark restrictions in force again, list corrections to redo.
    Exit code 1 when an erasure could not be replayed (past its horizon, or failed)."""
    from rightsdesk.service.erasures import replay as replaying

    def progress(n: int, of: int, done: replaying.Replayed) -> None:
        if not as_json:
            what = f"{done.rows} rows" if done.state == replaying.REPLAYED else done.cause or ""
            out.print(
                f"[{n}/{of}] {done.kind} {done.request_id or '(unlinked)'} "
                f"erased {done.erased_at.isoformat(timespec='minutes')}: {done.state} {what}"
            )

    with open_services() as services:
        summary = replaying.replay(services, since, actor=local_operator().actor, progress=progress)
    counts = {
        s: summary.count(s) for s in (replaying.REPLAYED, replaying.EXPIRED, replaying.FAILED)
    }
    if as_json:
        print_json(
            {
                "since": since.isoformat(),
                **counts,
                "rows": sum(e.rows for e in summary.erasures),
                "restrictions_marked": summary.restrictions_marked,
                "corrections": [
                    {"request_id": r, "completed_at": at.isoformat()}
                    for r, at in summary.corrections
                ],
            }
        )
    else:
        out.print(
            f"replayed {counts['replayed']} erasure(s) since {since.isoformat()} "
            f"({sum(e.rows for e in summary.erasures)} rows), {counts['expired']} past the "
            f"horizon, {counts['failed']} failed; {summary.restrictions_marked} restriction(s) "
            "marked again"
        )
        for request_id, at in summary.corrections:
            out.print(
                f"not replayed: correction {request_id} of {at.isoformat(timespec='minutes')}; "
                "check the value and redo it if still right"
            )
    raise typer.Exit(0 if summary.complete else 1)

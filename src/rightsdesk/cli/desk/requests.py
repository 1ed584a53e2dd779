"""`rightsdesk request ...`: handle rights requests as the local operator.

The service layer is imported inside each command (see ``cli/server/service.py``).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from rightsdesk.cli.app import app, out
from rightsdesk.cli.local import Identities, JsonFlag, local_operator, open_services, print_json
from rightsdesk.domain.agents import Agent, Authority
from rightsdesk.domain.errors import InputError
from rightsdesk.domain.requests import RequestType, Status
from rightsdesk.settings import Settings

request_app = typer.Typer(
    help="Handle rights requests (as a local operator).", no_args_is_help=True
)
app.add_typer(request_app, name="request")


@request_app.command("submit")
def submit(
    type_: Annotated[RequestType, typer.Option("--type", "-t", help="The right exercised.")],
    identity: Identities,
    regime: Annotated[
        list[str] | None, typer.Option("--regime", help="Regime (repeatable).")
    ] = None,
    locale: Annotated[str | None, typer.Option(help="zh-CN or en.")] = None,
    evidence: Annotated[
        str | None, typer.Option(help="Verify now, citing the evidence kept (e.g. ticket 123).")
    ] = None,
    params: Annotated[
        str | None,
        typer.Option(
            help='Type-specific JSON, e.g. {"changes": [{"field": "phone", "value": "..."}]} '
            'for a correction, {"purposes": ["marketing"]} for a withdrawal.'
        ),
    ] = None,
    agent: Annotated[
        str | None,
        typer.Option(
            help='An authorised agent asking for the person (CCR 7063), as JSON: {"name": ..., '
            '"email": ..., "authority": "signed_permission" or "power_of_attorney"}.'
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Record a request received by another channel (ticket, letter, phone)."""
    from rightsdesk.service.requests import intake, views

    if Settings().datamap is None:  # a request with no map to run against is bound to fail
        raise InputError(
            "no data map: set RIGHTSDESK_DATAMAP=path/to/datamap.yml before taking requests"
        )
    parsed = tuple(identity)
    extra = _json_object(params, "--params") if params else {}
    by = _agent(_json_object(agent, "--agent")) if agent else None
    with open_services() as services:
        done = intake.submit(
            services,
            intake.Submission(
                type_,
                parsed,
                channel="cli",
                regimes=tuple(regime or ()),
                locale=locale,
                evidence=evidence,
                actor=local_operator().actor,
                params=extra,
                agent=by,
            ),
        )
        services.jobs.drain()
        shown = views.detail(services, done.request.id)
    if as_json:
        print_json({"id": shown.id, "status": shown.status, "due": shown.due, "token": done.token})
        return
    out.print(f"request {shown.id}: {shown.status}, due {shown.due} ({shown.governing_regime})")
    out.print(f"requester token (give it to the person, shown once): {done.token}")


@request_app.command("confirm")
def confirm(
    request_id: str,
    evidence: Annotated[
        str,
        typer.Option(help="Where the person's explicit confirmation is kept (e.g. ticket 123)."),
    ],
    waive: Annotated[
        list[str] | None, typer.Option(help="A waivable pre-check the person waived (repeatable).")
    ] = None,
) -> None:
    """Confirm an account cancellation on the person's behalf (their written confirmation)."""
    from rightsdesk.service.requests import actions as requests
    from rightsdesk.service.requests import views

    with open_services() as services:
        requests.confirm_for(services, local_operator(), request_id, list(waive or ()), evidence)
        services.jobs.drain()
        shown = views.detail(services, request_id)
    out.print(f"request {shown.id}: {shown.status}")


@request_app.command("stopped")
def stopped(
    request_id: str,
    evidence: Annotated[
        str, typer.Option(help="Where the host's confirmation is kept (e.g. ticket 123).")
    ],
) -> None:
    """Record that the host stopped processing for a withdrawal or cancellation awaiting it."""
    from rightsdesk.service.requests import actions as requests
    from rightsdesk.service.requests import views

    with open_services() as services:
        settled = requests.record_stop(services, local_operator(), request_id, evidence)
        shown = views.detail(services, request_id)
    out.print(f"request {shown.id}: {shown.status} ({settled} host event(s) recorded as done)")


def _json_object(text: str, option: str) -> dict[str, object]:
    import json

    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise typer.BadParameter(f"not JSON: {exc}", param_hint=option) from None
    if not isinstance(value, dict):
        raise typer.BadParameter("must be a JSON object", param_hint=option)
    return value


def _agent(value: dict[str, object]) -> Agent:
    """The ``--agent`` JSON, with the keys the API's ``agent`` field takes."""
    known = {"name", "email", "authority", "phone", "registration"}
    if unknown := sorted(set(value) - known):
        raise typer.BadParameter(f"unknown key(s) {', '.join(unknown)}", param_hint="--agent")
    text = {k: v for k, v in value.items() if isinstance(v, str)}
    if len(text) != len(value) or not {"name", "email", "authority"} <= set(text):
        raise typer.BadParameter("name, email and authority, as text", param_hint="--agent")
    try:
        authority = Authority(text["authority"])
    except ValueError:
        kinds = ", ".join(a.value for a in Authority)
        raise typer.BadParameter(f"authority is one of {kinds}", param_hint="--agent") from None
    return Agent(
        text["name"], text["email"], authority, text.get("phone"), text.get("registration")
    )


@request_app.command("list")
def list_(
    status: Annotated[list[Status] | None, typer.Option(help="Status (repeatable).")] = None,
    deadline: Annotated[str | None, typer.Option(help="at_risk or overdue.")] = None,
    q: Annotated[str | None, typer.Option(help="Request id or identity value.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="At most this many.")] = 50,
    as_json: JsonFlag = False,
) -> None:
    """List requests, soonest due first."""
    from rightsdesk.service.requests import views

    with open_services() as services:
        total, items = views.search(
            services, views.Filter(tuple(status or ()), None, deadline, None, q, limit)
        )
    if as_json:
        print_json({"total": total, "items": [asdict(item) for item in items]})
        return
    table = Table(title=f"{total} request(s)", title_justify="left")
    table.add_column("id", no_wrap=True, min_width=32)
    for column in ("type", "status", "due", "deadline", "assignee"):
        table.add_column(column)
    for item in items:
        table.add_row(
            item.id, item.type, item.status, str(item.due), item.deadline, item.assignee or "-"
        )
    out.print(table)


@request_app.command("show")
def show(request_id: str) -> None:
    """One request with identities, notes and its audit trail (JSON)."""
    from rightsdesk.service.requests import views

    with open_services() as services:
        shown = views.detail(services, request_id)
    out.print_json(json.dumps(asdict(shown), default=str))


@request_app.command("approve")
def approve(
    request_id: str,
    reason: Annotated[str | None, typer.Option(help="Why, kept in the audit log.")] = None,
) -> None:
    """Approve a verified request; access and delete requests then run."""
    from rightsdesk.service.requests import actions as requests
    from rightsdesk.service.requests import views

    with open_services() as services:
        requests.approve(services, local_operator(), request_id, reason)
        services.jobs.drain()
        out.print(f"request {request_id}: {views.detail(services, request_id).status}")


@request_app.command("refuse")
def refuse(
    request_id: str,
    ground: Annotated[str, typer.Option(help="A ground code (see `request grounds`).")],
    justification: Annotated[str, typer.Option(help="Why, in words the person will read.")],
    part: Annotated[
        list[str] | None,
        typer.Option(
            help="Refuse only this place of the data map (system.collection or "
            "system.collection.field; repeatable): the run leaves it as it is."
        ),
    ] = None,
    alternative: Annotated[str | None, typer.Option(help="An alternative method offered.")] = None,
    evidence: Annotated[
        str | None, typer.Option(help="Where the demonstration some grounds need is recorded.")
    ] = None,
) -> None:
    """Refuse a request (or places of the data map in it) on a ground from the catalogue."""
    from rightsdesk.service.requests import actions as requests
    from rightsdesk.service.requests import views

    with open_services() as services:
        requests.refuse(
            services,
            local_operator(),
            request_id,
            ground=ground,
            justification=justification,
            parts=part or (),
            alternative=alternative,
            evidence=evidence,
        )
        out.print(f"request {request_id}: {views.detail(services, request_id).status}")


@request_app.command("flag-fraud")
def flag_fraud(
    request_id: str,
    reason: Annotated[str, typer.Option(help="The documented reason fraud is suspected.")],
) -> None:
    """Flag suspected fraud (CCR 7061(b)): the run waits for a fresh verification."""
    from rightsdesk.service.requests import actions as requests

    with open_services() as services:
        requests.flag_fraud(services, local_operator(), request_id, reason)
    out.print(f"request {request_id}: flagged; it runs only after a fresh verification")


@request_app.command("lift")
def lift(
    request_id: str,
    reason: Annotated[str, typer.Option(help="Why the ground of the refusal has ended.")],
    part: Annotated[
        list[str] | None,
        typer.Option(help="Lift the hold on this place only (repeatable; default: all)."),
    ] = None,
) -> None:
    """Lift the hold a partial refusal put on places; after the run a follow-up handles them."""
    from rightsdesk.service.requests import actions as requests

    with open_services() as services:
        followup = requests.lift(services, local_operator(), request_id, reason, part or ())
        services.jobs.drain()
        if followup is None:
            out.print(f"request {request_id}: hold lifted; the run covers those places")
        else:
            out.print(f"request {request_id}: hold lifted; follow-up request {followup}")


@request_app.command("grounds")
def grounds(as_json: JsonFlag = False) -> None:
    """The refusal grounds of the configured policy profile."""
    with open_services() as services:
        if as_json:
            found = services.policy.grounds()
            shown = [{"code": g.code, "kind": str(g.kind), "title": g.title("en")} for g in found]
            print_json(shown)
            return
        table = Table(
            title=f"refusal grounds ({services.policy.config.refusal_profile})",
            title_justify="left",
        )
        for column in ("code", "kind", "ground"):
            table.add_column(column)
        for ground in services.policy.grounds():
            table.add_row(ground.code, str(ground.kind), ground.title("en"))
    out.print(table)


@request_app.command("run")
def run(request_id: str) -> None:
    """Run an approved request now and wait for it."""
    from rightsdesk.service.requests import actions as requests
    from rightsdesk.service.requests import views

    with open_services() as services:
        requests.run(services, local_operator(), request_id)
        services.jobs.drain()
        out.print(f"request {request_id}: {views.detail(services, request_id).status}")


@request_app.command("receipt")
def receipt(
    request_id: str,
    output: Annotated[Path, typer.Option("--out", "-o", help="Where to write the receipt JSON.")],
) -> None:
    """Write the signed receipt of a completed request (check it with `receipt verify`)."""
    from rightsdesk.audit.receipts import write_receipt
    from rightsdesk.service.requests import receipts

    with open_services() as services:
        write_receipt(receipts.document(services, request_id), output)
    out.print(f"receipt of {request_id} written to {output}")


@request_app.command("report")
def report(
    year: Annotated[int, typer.Option(help="Calendar year (UTC) of receipt.")],
    as_json: JsonFlag = False,
) -> None:
    """Yearly metrics per request type: received, complied with, denied, days to respond."""
    from dataclasses import asdict

    from rightsdesk.service.requests import reports

    with open_services() as services:
        stats = reports.yearly(services, year)
    if as_json:
        print_json([asdict(s) | {"type": s.type.value} for s in stats])
        return
    table = Table(title=f"requests received in {year}", title_justify="left")
    columns: tuple[str, ...] = ("type", "received", "completed", "partly", "refused", "to IdP")
    columns += ("open", "median d", "mean d")
    for column in columns:
        table.add_column(column)
    for s in stats:
        table.add_row(
            s.type.value,
            *(
                str(n)
                for n in (
                    s.received,
                    s.completed,
                    s.partially_completed,
                    s.refused,
                    s.redirected_to_idp,
                    s.open,
                )
            ),
            "-" if s.median_days is None else str(s.median_days),
            "-" if s.mean_days is None else str(s.mean_days),
        )
    out.print(table)


@request_app.command("sweep")
def sweep() -> None:
    """Expire requests left unverified or unpaid too long (run it from cron, or `serve` does)."""
    from rightsdesk.service.runtime import wiring

    with open_services() as services:
        counts = wiring.sweep(services)
    out.print(", ".join(f"{n} {what}" for what, n in counts.items()))

"""Commands on the request service: serve the API, handle requests, keys, audit and receipts.

The service layer (store, migrations, templates, crypto) is imported inside each command, so the
engine commands (`access`, `erase`, ...) do not pay its start-up time and memory.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from rightsdesk.cli.app import app, err, out
from rightsdesk.cli.console import plain
from rightsdesk.domain.errors import EvidenceError, InputError, SignerUnknownError
from rightsdesk.domain.requests import RequestType, Status
from rightsdesk.domain.subjects import Identity
from rightsdesk.settings import Settings

if TYPE_CHECKING:
    from rightsdesk.service.context import Services
    from rightsdesk.service.operators import Operator

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def _json(value: object) -> None:
    """One JSON document on stdout (plain on a pipe, whatever the console)."""
    out.print_json(json.dumps(value, default=str))


request_app = typer.Typer(
    help="Handle rights requests (as a local operator).", no_args_is_help=True
)
apikey_app = typer.Typer(help="Operator API keys.", no_args_is_help=True)

audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
receipt_app = typer.Typer(help="Signed receipts of completed requests.", no_args_is_help=True)
db_app = typer.Typer(help="rightsdesk's own database.", no_args_is_help=True)
for sub, name in (
    (request_app, "request"),
    (apikey_app, "apikey"),
    (audit_app, "audit"),
    (receipt_app, "receipt"),
    (db_app, "db"),
):
    app.add_typer(sub, name=name)


def _local() -> Operator:
    """Whoever runs the CLI on the server has the database itself; they act as this operator."""
    from rightsdesk.service.operators import Operator, Scope

    return Operator("cli", "local command line", frozenset(Scope))


@contextmanager
def _services() -> Iterator[Services]:
    from rightsdesk.service import wiring

    services = wiring.build(Settings())
    try:
        yield services
    finally:
        wiring.close(services)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    sweep_minutes: Annotated[
        float, typer.Option(help="How often to expire abandoned requests and old exports.")
    ] = 10,
) -> None:
    """Serve the REST API (OpenAPI docs at /docs) with the in-process job runner."""
    import uvicorn

    from rightsdesk.api.server import compose
    from rightsdesk.service import execution, leases, wiring

    settings = Settings()
    app_, services = compose(settings)
    try:
        resumed = execution.recover(services)
        if resumed:
            err.print(f"resuming {resumed} job(s) left by a previous run")
        stop = threading.Event()
        sweeper = threading.Thread(
            target=wiring.sweep_forever, args=(services, sweep_minutes * 60, stop), daemon=True
        )
        sweeper.start()
        threading.Thread(  # jobs whose lease lapsed are resumed within seconds, not minutes
            target=leases.sweep_forever, args=(services, stop), daemon=True
        ).start()
        err.print(f"rightsdesk API on http://{host}:{port} (docs at /docs)")
        try:
            # log_config=None: uvicorn's loggers go through the handler configured above
            level = settings.log_level.lower()
            uvicorn.run(app_, host=host, port=port, log_level=level, log_config=None)
        finally:
            stop.set()
    finally:
        wiring.close(services)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or upgrade rightsdesk's tables to the newest migration."""
    with _services() as services:
        out.print(f"database at {services.store.engine.url.render_as_string()} is up to date")


@request_app.command("submit")
def submit(
    type_: Annotated[RequestType, typer.Option("--type", "-t", help="The right exercised.")],
    identity: Annotated[
        list[str], typer.Option("--identity", "-i", help="kind=value (repeatable).")
    ],
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
    as_json: JsonFlag = False,
) -> None:
    """Record a request received by another channel (ticket, letter, phone)."""
    from rightsdesk.service import intake, views

    if Settings().datamap is None:  # a request with no map to run against is bound to fail
        raise InputError(
            "no data map: set RIGHTSDESK_DATAMAP=path/to/datamap.yml before taking requests"
        )
    parsed = tuple(Identity.parse(text) for text in identity)
    extra = _json_object(params, "--params") if params else {}
    with _services() as services:
        done = intake.submit(
            services,
            intake.Submission(
                type_,
                parsed,
                channel="cli",
                regimes=tuple(regime or ()),
                locale=locale,
                evidence=evidence,
                actor=_local().actor,
                params=extra,
            ),
        )
        services.jobs.drain()
        shown = views.detail(services, done.request.id)
    if as_json:
        _json({"id": shown.id, "status": shown.status, "due": shown.due, "token": done.token})
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
    from rightsdesk.service import requests, views

    with _services() as services:
        requests.confirm_for(services, _local(), request_id, list(waive or ()), evidence)
        services.jobs.drain()
        shown = views.detail(services, request_id)
    out.print(f"request {shown.id}: {shown.status}")


def _json_object(text: str, option: str) -> dict[str, object]:
    import json

    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise typer.BadParameter(f"not JSON: {exc}", param_hint=option) from None
    if not isinstance(value, dict):
        raise typer.BadParameter("must be a JSON object", param_hint=option)
    return value


@request_app.command("list")
def list_(
    status: Annotated[list[Status] | None, typer.Option(help="Status (repeatable).")] = None,
    deadline: Annotated[str | None, typer.Option(help="at_risk or overdue.")] = None,
    q: Annotated[str | None, typer.Option(help="Request id or identity value.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="At most this many.")] = 50,
    as_json: JsonFlag = False,
) -> None:
    """List requests, soonest due first."""
    from rightsdesk.service import views

    with _services() as services:
        total, items = views.search(
            services, views.Filter(tuple(status or ()), None, deadline, None, q, limit)
        )
    if as_json:
        _json({"total": total, "items": [item.__dict__ for item in items]})
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
    from rightsdesk.service import views

    with _services() as services:
        shown = views.detail(services, request_id)
    out.print_json(json.dumps(shown.__dict__, default=str))


@request_app.command("approve")
def approve(
    request_id: str,
    reason: Annotated[str | None, typer.Option(help="Why, kept in the audit log.")] = None,
) -> None:
    """Approve a verified request; access and delete requests then run."""
    from rightsdesk.service import requests, views

    with _services() as services:
        requests.approve(services, _local(), request_id, reason)
        services.jobs.drain()
        out.print(f"request {request_id}: {views.detail(services, request_id).status}")


@request_app.command("refuse")
def refuse(
    request_id: str,
    ground: Annotated[str, typer.Option(help="A ground code (see `request grounds`).")],
    justification: Annotated[str, typer.Option(help="Why, in words the person will read.")],
    part: Annotated[str | None, typer.Option(help="Refuse only this part.")] = None,
    alternative: Annotated[str | None, typer.Option(help="An alternative method offered.")] = None,
) -> None:
    """Refuse a request (or part of it) on a ground from the policy's catalogue."""
    from rightsdesk.service import requests, views

    with _services() as services:
        requests.refuse(
            services,
            _local(),
            request_id,
            ground=ground,
            justification=justification,
            part=part,
            alternative=alternative,
        )
        out.print(f"request {request_id}: {views.detail(services, request_id).status}")


@request_app.command("grounds")
def grounds() -> None:
    """The refusal grounds of the configured policy profile."""
    with _services() as services:
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
    from rightsdesk.service import requests, views

    with _services() as services:
        requests.run(services, _local(), request_id)
        services.jobs.drain()
        out.print(f"request {request_id}: {views.detail(services, request_id).status}")


@request_app.command("receipt")
def receipt(
    request_id: str,
    output: Annotated[Path, typer.Option("--out", "-o", help="Where to write the receipt JSON.")],
) -> None:
    """Write the signed receipt of a completed request (check it with `receipt verify`)."""
    from rightsdesk.audit.receipts import write_receipt
    from rightsdesk.service import receipts

    with _services() as services:
        write_receipt(receipts.document(services, request_id), output)
    out.print(f"receipt of {request_id} written to {output}")


@request_app.command("report")
def report(year: Annotated[int, typer.Option(help="Calendar year (UTC) of receipt.")]) -> None:
    """Yearly metrics per request type: received, complied with, denied, days to respond."""
    from rightsdesk.service import reports

    with _services() as services:
        stats = reports.yearly(services, year)
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
    from rightsdesk.service import wiring

    with _services() as services:
        counts = wiring.sweep(services)
    out.print(", ".join(f"{n} {what}" for what, n in counts.items()))


@apikey_app.command("create")
def apikey_create(
    name: str,
    scope: Annotated[
        list[str],
        typer.Option("--scope", "-s", help="read, decide, admin, legal or finance (repeatable)."),
    ],
    as_json: JsonFlag = False,
) -> None:
    """Create an operator API key; the secret is printed once and stored only as a hash."""
    from rightsdesk.service import operators

    with _services() as services:
        key_id, secret = operators.create_key(services, name, scope)
    if as_json:
        _json({"id": key_id, "name": name, "scopes": scope, "key": secret})
    else:  # the key alone on its own line, never wrapped: KEY=$(... | tail -1)
        out.print(f"key {key_id} ({', '.join(scope)}):")
        out.print(secret, soft_wrap=True, markup=False)
    err.print("keep it now: it cannot be shown again", style="dim")


@apikey_app.command("list")
def apikey_list(as_json: JsonFlag = False) -> None:
    """List operator API keys: id, name, scopes, active or revoked (never the secret)."""
    from rightsdesk.service import operators

    with _services() as services:
        keys = operators.list_keys(services)
    if as_json:
        _json(
            [
                {"id": k.id, "name": k.name, "scopes": list(k.scopes), "revoked_at": k.revoked_at}
                for k in keys
            ]
        )
        return
    for key in keys:
        state = "revoked" if key.revoked_at else "active"
        out.print(f"{key.id}  {key.name}  {','.join(key.scopes)}  {state}")


@apikey_app.command("revoke")
def apikey_revoke(key_id: str) -> None:
    """Revoke an operator API key; requests made with it are refused from now on."""
    from rightsdesk.service import operators

    with _services() as services:
        operators.revoke(services, key_id)
    out.print(f"key {key_id} revoked")


@audit_app.command("verify")
def audit_verify() -> None:
    """Check every entry of the audit chain; exit 8 when anything was edited, removed or moved."""
    from rightsdesk.audit import log as audit
    from rightsdesk.connectors.urls import parse, sqlite_file

    settings = Settings()
    store = sqlite_file(parse("store", settings.store_url()))
    if store is not None and not Path(store).exists():  # never create a store to check it
        out.print(f"nothing to verify: no rightsdesk store at {store}")
        return
    with _services() as services:
        count, breaks = audit.check(services.store)
    for item in breaks:
        out.print(f"[red]entry {item.seq}: {item.kind}[/red] {plain(item.message)}")
    if breaks:
        first = breaks[0]
        more = f" and {len(breaks) - 1} more" if len(breaks) > 1 else ""
        raise EvidenceError(f"the audit log does not verify: entry {first.seq}: {first.kind}{more}")
    out.print(f"audit log intact: {count} entries")


@receipt_app.command("verify")
def receipt_verify(
    file: Path,
    public_key: Annotated[
        Path | None, typer.Option(help="The issuer's public key (PEM) to check who signed it.")
    ] = None,
    trust_embedded_key: Annotated[
        bool,
        typer.Option(help="Accept the key inside the receipt (proves integrity, not origin)."),
    ] = False,
) -> None:
    """Check a receipt's Ed25519 signature offline; exit 8 when it is not valid, 10 when it
    is intact but no --public-key said who signed it (unless --trust-embedded-key)."""
    from rightsdesk.audit.receipts import load_public_key, verify_receipt

    for given in (file, public_key):
        if given is not None and not given.is_file():
            raise InputError(f"{given}: no such file")
    trusted = [load_public_key(public_key)] if public_key else None
    check = verify_receipt(file, trusted)
    if not check.valid:
        raise EvidenceError("\n".join([f"{file}: NOT valid", *check.problems]))
    if check.trusted:
        out.print(f"{file}: valid, signed by the given key, key {check.key_id}")
        return
    out.print(f"{file}: signature valid, signer unknown (key {check.key_id})")
    if not trust_embedded_key:
        raise SignerUnknownError("give the issuer's key with --public-key to know who signed it")

"""Commands on the service: serve the API, the database, operator keys, audit and receipts.

The service layer (store, migrations, templates, crypto) is imported inside each command, so the
engine commands (`access`, `erase`, ...) do not pay its start-up time and memory.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Annotated

import typer

from rightsdesk.cli.app import app, err, out
from rightsdesk.cli.console import plain
from rightsdesk.cli.local import JsonFlag, open_services, print_json
from rightsdesk.domain.errors import EvidenceError, InputError, SignerUnknownError
from rightsdesk.settings import Settings

apikey_app = typer.Typer(help="Operator API keys.", no_args_is_help=True)

audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
receipt_app = typer.Typer(help="Signed receipts of completed requests.", no_args_is_help=True)
db_app = typer.Typer(help="rightsdesk's own database.", no_args_is_help=True)
for sub, name in (
    (apikey_app, "apikey"),
    (audit_app, "audit"),
    (receipt_app, "receipt"),
    (db_app, "db"),
):
    app.add_typer(sub, name=name)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    sweep_minutes: Annotated[
        float, typer.Option(help="How often to expire abandoned requests and old exports.")
    ] = 10,
) -> None:
    """Serve the REST API (OpenAPI docs at /docs) with the in-process job runner."""
    import uvicorn

    from rightsdesk.api.server import compose
    from rightsdesk.service.requests import execution
    from rightsdesk.service.runtime import leases, wiring

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
    with open_services() as services:
        out.print(f"database at {services.store.engine.url.render_as_string()} is up to date")


def _known_scopes(values: list[str]) -> list[str]:
    """Scopes checked while the command line is parsed, so a typo makes no state."""
    from rightsdesk.service.runtime.operators import Scope

    known = [scope.value for scope in Scope]
    for value in values:
        if value not in known:
            raise typer.BadParameter(f"{value!r} is not one of {', '.join(known)}")
    return values


@apikey_app.command("create")
def apikey_create(
    name: str,
    scope: Annotated[
        list[str],
        typer.Option(
            "--scope",
            "-s",
            callback=_known_scopes,
            help="read, decide, admin, legal or finance (repeatable).",
        ),
    ],
    as_json: JsonFlag = False,
) -> None:
    """Create an operator API key; the secret is printed once and stored only as a hash."""
    from rightsdesk.service.runtime import operators

    with open_services() as services:
        key_id, secret = operators.create_key(services, name, scope)
    if as_json:
        print_json({"id": key_id, "name": name, "scopes": scope, "key": secret})
    else:  # the key alone on its own line, never wrapped: KEY=$(... | tail -1)
        out.print(f"key {key_id} ({', '.join(scope)}):")
        out.print(secret, soft_wrap=True, markup=False)
    err.print("keep it now: it cannot be shown again", style="dim")


@apikey_app.command("list")
def apikey_list(as_json: JsonFlag = False) -> None:
    """List operator API keys: id, name, scopes, active or revoked (never the secret)."""
    from rightsdesk.service.runtime import operators

    with open_services() as services:
        keys = operators.list_keys(services)
    if as_json:
        print_json(
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
    from rightsdesk.service.runtime import operators

    with open_services() as services:
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
    with open_services() as services:
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

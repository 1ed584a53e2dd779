"""`rightsdesk vault ...`: read sealed rows as a legal or finance role, and crypto-shred."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated, Any

import typer

from rightsdesk.cli.app import app, out
from rightsdesk.cli.local import local_operator, open_services

vault_app = typer.Typer(
    help="The retention vault: rows kept by law, sealed per person.", no_args_is_help=True
)
app.add_typer(vault_app, name="vault")

Role = Annotated[str, typer.Option(help="The role you act as: legal or finance (audited).")]


@vault_app.command("show")
def show(subject: str, role: Role) -> None:
    """A subject's sealed rows the role may read (JSON); every read is audited."""
    from rightsdesk.service.retention import vault
    from rightsdesk.vault.codec import plain

    with open_services() as services:
        found = vault.read(services, subject, role=role, actor=local_operator().actor)
    out.print_json(json.dumps(plain(asdict(found)), default=str))


@vault_app.command("tombstone")
def tombstone(tombstone_id: str, role: Role) -> None:
    """A cancelled account's obligations (bills, disputes) for finance or legal (JSON)."""
    from rightsdesk.service.retention import vault
    from rightsdesk.vault.codec import plain

    with open_services() as services:
        found = vault.obligations(services, tombstone_id, role=role, actor=local_operator().actor)
    shown: dict[str, Any] = plain(asdict(found))
    out.print_json(json.dumps(shown, default=str))


@vault_app.command("sweep")
def sweep() -> None:
    """Destroy the keys of subjects whose retention ended (crypto-shredding); audited."""
    from rightsdesk.service.retention import vault

    with open_services() as services:
        destroyed = vault.sweep(services)
    out.print(f"{destroyed} vault key(s) destroyed")

"""`rightsdesk binding ...`: a person's third-party account bindings, listed and removed."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from rightsdesk.cli.app import app, out
from rightsdesk.cli.local import local_operator, open_services
from rightsdesk.domain.subjects import Identity

binding_app = typer.Typer(help="Third-party account bindings of a person.", no_args_is_help=True)
app.add_typer(binding_app, name="binding")
Identities = Annotated[list[str], typer.Option("--identity", "-i", help="kind=value (repeatable).")]


@binding_app.command("list")
def list_(identity: Identities) -> None:
    """The person's bindings, one per line, with the id `binding remove` takes."""
    from rightsdesk.service.consent import bindings

    with open_services() as services:
        found = bindings.listing(services, [Identity.parse(t) for t in identity])
    table = Table(title=f"bindings: {len(found)}", title_justify="left")
    for column in ("id", "provider", "external id"):
        table.add_column(column, no_wrap=column == "id")
    for binding in found:
        table.add_row(binding.id, binding.provider, binding.external_id)
    out.print(table)


@binding_app.command("remove")
def remove(binding_id: str, identity: Identities) -> None:
    """Remove one binding; the host platform is told to revoke the third party's token."""
    from rightsdesk.service.consent import bindings
    from rightsdesk.service.runtime import wiring

    with open_services() as services:
        removed = bindings.remove(
            services,
            [Identity.parse(t) for t in identity],
            binding_id,
            actor=local_operator().actor,
        )
        wiring.settle(services)
    out.print(f"removed {removed.id} ({removed.provider})")

"""`rightsdesk binding ...`: a person's third-party account bindings, listed and removed."""

from __future__ import annotations

import typer
from rich.table import Table

from rightsdesk.cli.app import app, out
from rightsdesk.cli.local import Identities, JsonFlag, local_operator, open_services, print_json

binding_app = typer.Typer(help="Third-party account bindings of a person.", no_args_is_help=True)
app.add_typer(binding_app, name="binding")


@binding_app.command("list")
def list_(identity: Identities, as_json: JsonFlag = False) -> None:
    """The person's bindings, one per line, with the id `binding remove` takes."""
    from rightsdesk.service.consent import bindings

    with open_services() as services:
        found = bindings.listing(services, identity)
    if as_json:
        shown = [{"id": b.id, "provider": b.provider, "external_id": b.external_id} for b in found]
        print_json(shown)
        return
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
            identity,
            binding_id,
            actor=local_operator().actor,
        )
        wiring.settle(services)
    out.print(f"removed {removed.id} ({removed.provider})")

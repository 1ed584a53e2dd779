"""`rightsdesk delivery ...`: follow, acknowledge and resend messages to the host and recipients."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from rightsdesk.cli.app import app, out
from rightsdesk.cli.local import JsonFlag, local_operator, open_services, print_json
from rightsdesk.domain.jobs import DeliveryState

delivery_app = typer.Typer(
    help="Webhooks and e-mails to the host platform and recipients.", no_args_is_help=True
)
app.add_typer(delivery_app, name="delivery")


@delivery_app.command("list")
def list_(
    state: Annotated[
        DeliveryState | None,
        typer.Option(help="pending, sent (awaiting acknowledgement), acknowledged, failed."),
    ] = None,
    target: Annotated[str | None, typer.Option(help="host, or a recipient's name.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="At most this many.")] = 100,
    as_json: JsonFlag = False,
) -> None:
    """Deliveries oldest first."""
    from rightsdesk.service.deliveries import outbox as deliveries

    with open_services() as services:
        rows = deliveries.listing(services, state=state, target=target, limit=limit)
    if as_json:
        keys = ("id", "target", "channel", "event", "state", "attempts", "created_at", "last_error")
        print_json([{key: getattr(row, key) for key in keys} for row in rows])
        return
    table = Table(title=f"deliveries: {len(rows)}", title_justify="left")
    table.add_column("id", no_wrap=True, min_width=32)
    for column in ("target", "channel", "event", "state", "attempts", "created", "last error"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row.id,
            row.target,
            row.channel,
            row.event,
            row.state,
            str(row.attempts),
            f"{row.created_at:%Y-%m-%d %H:%M}",
            row.last_error or "-",
        )
    out.print(table)


@delivery_app.command("ack")
def ack(delivery_id: str) -> None:
    """Record that the receiver confirmed it acted (e.g. a recipient answered our e-mail)."""
    from rightsdesk.service.deliveries import outbox as deliveries

    with open_services() as services:
        deliveries.acknowledge(services, delivery_id, actor=local_operator().actor)
    out.print(f"delivery {delivery_id} acknowledged")


@delivery_app.command("retry")
def retry(
    delivery_id: Annotated[
        str | None, typer.Argument(help="Resend this one afresh; none: send everything due.")
    ] = None,
) -> None:
    """Resend a pending or failed delivery now, or every delivery whose retry is due."""
    from rightsdesk.service.deliveries import outbox as deliveries
    from rightsdesk.service.runtime import wiring
    from rightsdesk.store.models import Delivery

    with open_services() as services:
        if delivery_id is None:
            count = deliveries.retry_due(services)
            out.print(f"{count} delivery attempt(s) made")
            return
        deliveries.retry(services, delivery_id, actor=local_operator().actor)
        wiring.settle(services)
        with services.store.session() as session:
            row = session.get(Delivery, delivery_id)
            state = (
                f"{row.state} ({row.last_error})" if row and row.last_error else row and row.state
            )
    out.print(f"delivery {delivery_id}: {state}")


@delivery_app.command("secret")
def secret(target: Annotated[str, typer.Argument(help="host, or a recipient's name.")]) -> None:
    """Print the key webhooks to TARGET are signed with, to configure the receiver."""
    from rightsdesk.service.deliveries import outbox as deliveries

    with open_services() as services:
        key = deliveries.secret_for(services, target)
    out.print(key.decode(), highlight=False)

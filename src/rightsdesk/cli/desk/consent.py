"""`rightsdesk consent ...`: a person's purposes and receipts; give or withdraw on their behalf."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from rightsdesk.cli.app import app, out
from rightsdesk.cli.local import Identities, JsonFlag, open_services, print_json
from rightsdesk.domain.subjects import Identity

consent_app = typer.Typer(help="Consents and the scope of authorisation.", no_args_is_help=True)
app.add_typer(consent_app, name="consent")

Jurisdiction = Annotated[
    str | None, typer.Option(help="Regime of the receipt (default: the policy's first).")
]


@consent_app.command("show")
def show(identity: Identities, as_json: JsonFlag = False) -> None:
    """Every purpose as it stands for the person, with the number of receipts."""
    from rightsdesk.service.consent import choices as consent

    with open_services() as services:
        states = consent.show(services, identity)
    if as_json:
        keys = ("purpose", "basis", "state", "since", "source", "features")
        shown = [{k: getattr(s, k) for k in keys} | {"receipts": len(s.history)} for s in states]
        print_json(shown)
        return
    table = Table(title="consents", title_justify="left")
    for column in ("purpose", "basis", "state", "since", "why", "receipts", "features"):
        table.add_column(column)
    for s in states:
        since = f"{s.since:%Y-%m-%d %H:%M}" if s.since else "-"
        features = ", ".join(s.features) or "-"
        table.add_row(s.purpose, s.basis, s.state, since, s.source, str(len(s.history)), features)
    out.print(table)


@consent_app.command("grant")
def grant(
    purpose: str, identity: Identities, jurisdiction: Jurisdiction = None, as_json: JsonFlag = False
) -> None:
    """Record the person's consent to PURPOSE (e.g. given on paper); prints the receipt id."""
    _decide(purpose, identity, jurisdiction, given=True, as_json=as_json)


@consent_app.command("withdraw")
def withdraw(
    purpose: str, identity: Identities, jurisdiction: Jurisdiction = None, as_json: JsonFlag = False
) -> None:
    """Record the withdrawal of PURPOSE; the host and recipients are told to stop."""
    _decide(purpose, identity, jurisdiction, given=False, as_json=as_json)


def _decide(
    purpose: str, identity: list[Identity], jurisdiction: str | None, *, given: bool, as_json: bool
) -> None:
    from rightsdesk.service.consent import choices as consent

    with open_services() as services:
        record = consent.decide(
            services,
            identity,
            purpose,
            given=given,
            method="cli",
            jurisdiction=jurisdiction,
        )
    if as_json:
        print_json(
            {"receipt": record.id, "purpose": purpose, "state": record.state}
            | {"effective_at": record.effective_at}
        )
        return
    out.print(f"{purpose}: {record.state} from {record.effective_at:%Y-%m-%d %H:%M} UTC")
    out.print(f"receipt {record.id}")

"""The Typer application, its consoles, and the one table mapping errors to exit codes."""

from __future__ import annotations

import typer
from rich.console import Console

from rightsdesk.domain.errors import (
    AuthenticationError,
    ConflictError,
    ConnectorError,
    DataMapError,
    ExecutionError,
    GuardError,
    NotFoundError,
    PermissionDeniedError,
    PlanError,
    PolicyError,
    RightsdeskError,
)
from rightsdesk.service.runs import InputError

app = typer.Typer(
    help="rightsdesk: fulfil people's rights over their personal information.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
datamap_app = typer.Typer(help="Work with data maps.", no_args_is_help=True)
app.add_typer(datamap_app, name="datamap")
out = Console()
err = Console(stderr=True)

#: The one place errors become exit codes (most specific first).
EXIT_CODES: dict[type[RightsdeskError], int] = {
    DataMapError: 2,
    PlanError: 2,
    InputError: 2,
    PolicyError: 2,
    ConnectorError: 3,
    ExecutionError: 4,
    NotFoundError: 5,
    AuthenticationError: 6,
    PermissionDeniedError: 6,
    ConflictError: 7,
    GuardError: 9,
}


def exit_code(exc: RightsdeskError) -> int:
    return next((c for kind, c in EXIT_CODES.items() if isinstance(exc, kind)), 1)


def main() -> None:
    try:
        app()
    except RightsdeskError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False, markup=True)
        raise SystemExit(exit_code(exc)) from None

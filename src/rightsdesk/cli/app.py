"""The Typer application, its consoles, and the one table mapping errors to exit codes."""

from __future__ import annotations

import sys

import typer
from typer._click import exceptions as click  # the click typer vendors (0.29+)

from rightsdesk.cli.console import CliConsole, plain
from rightsdesk.domain.errors import (
    AuthenticationError,
    ConflictError,
    ConnectorError,
    DatabaseUrlError,
    DataMapError,
    DeliveryError,
    DocumentTooLargeError,
    DocumentTypeError,
    EvidenceError,
    ExecutionError,
    GuardError,
    InputError,
    KeyDestroyedError,
    KeyFileError,
    LockedOutError,
    NotFoundError,
    NotifyError,
    PermissionDeniedError,
    PlanError,
    PolicyError,
    PolicyFileError,
    RenderError,
    RightsdeskError,
    SignerUnknownError,
    TamperedError,
    VaultError,
    nearest,
)
from rightsdesk.domain.requests import TransitionError
from rightsdesk.domain.states import StateError

app = typer.Typer(
    help="rightsdesk: fulfil people's rights over their personal information.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
datamap_app = typer.Typer(help="Work with data maps.", no_args_is_help=True)
app.add_typer(datamap_app, name="datamap")
out = CliConsole()
err = CliConsole(stderr=True)

#: The one table of exit codes: every error class has a row, looked up along the exception's
#: class hierarchy (docs/service.md lists the codes).
EXIT_CODES: dict[type[RightsdeskError], int] = {
    RightsdeskError: 1,
    NotifyError: 1,
    DeliveryError: 1,
    RenderError: 1,
    VaultError: 1,
    TamperedError: 1,
    KeyFileError: 1,
    DatabaseUrlError: 2,
    DataMapError: 2,
    PlanError: 2,
    InputError: 2,
    DocumentTypeError: 2,
    DocumentTooLargeError: 2,
    PolicyError: 2,
    PolicyFileError: 2,
    ConnectorError: 3,
    ExecutionError: 4,
    NotFoundError: 5,
    AuthenticationError: 6,
    LockedOutError: 6,
    PermissionDeniedError: 6,
    ConflictError: 7,
    TransitionError: 7,
    StateError: 7,
    KeyDestroyedError: 7,
    EvidenceError: 8,  # an audit chain or a receipt that does not verify
    GuardError: 9,
    SignerUnknownError: 10,  # a receipt intact, but nothing said who signed it
}


def exit_code(exc: RightsdeskError) -> int:
    """The exit code of ``exc``: the row of its nearest class in ``EXIT_CODES``."""
    found = nearest(EXIT_CODES, exc)
    return 1 if found is None else found


def main() -> None:
    """Run the CLI; every error a user can cause ends here as one line and its exit code."""
    try:
        code = app(standalone_mode=False)
    except click.NoArgsIsHelpError as exc:
        exc.show()
        raise SystemExit(exc.exit_code) from None
    except click.ClickException as exc:  # a usage error: bad option, missing file argument
        where = f"{exc.ctx.command_path}: " if isinstance(exc, click.UsageError) and exc.ctx else ""
        _fail(f"{where}{exc.format_message()}", exc.exit_code)
    except typer.Abort:
        _fail("aborted", 1)
    except RightsdeskError as exc:
        _fail(str(exc), exit_code(exc))
    except OSError as exc:  # a file named on the command line: missing, unreadable, a folder
        _fail(_os_message(exc), 2)
    raise SystemExit(code if isinstance(code, int) else 0)


def _fail(message: str, code: int) -> None:
    err.print(f"[red]error:[/red] {plain(message)}", highlight=False, markup=True)
    raise SystemExit(code) from None


def _os_message(exc: OSError) -> str:
    """``path: reason`` for an OSError, e.g. ``nope.yml: No such file or directory``."""
    reason = exc.strerror or str(exc)
    return f"{exc.filename}: {reason}" if exc.filename is not None else reason


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        sys.stdout.write(f"rightsdesk {version('rightsdesk')}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """rightsdesk: fulfil people's rights over their personal information."""

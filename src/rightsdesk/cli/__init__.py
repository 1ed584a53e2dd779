"""The command line: argument parsing and printing only; the work is in ``service``.

Here: the Typer app and the exit-code table (``app``), consoles, what every command shares
(``local``) and files written (``files``). Commands by concern: ``desk/`` (requests and what
follows from them, as the local operator), ``stores/`` (data stores and data maps directly, the
demo), ``server/`` (serving the API, workers, keys, audit, status). Importing a command's module
registers it.
"""

from rightsdesk.cli.app import EXIT_CODES, app, exit_code, main
from rightsdesk.cli.desk import (
    bindings,
    consent,
    deliveries,
    documents,
    erasures,
    outbox,
    requests,
    restrictions,
    tickets,
    vault,
)
from rightsdesk.cli.server import service, status, worker
from rightsdesk.cli.stores import data, datamap, demo
from rightsdesk.domain.errors import RightsdeskError

__all__ = [
    "EXIT_CODES",
    "RightsdeskError",
    "app",
    "bindings",
    "consent",
    "data",
    "datamap",
    "deliveries",
    "demo",
    "documents",
    "erasures",
    "exit_code",
    "main",
    "outbox",
    "requests",
    "restrictions",
    "service",
    "status",
    "tickets",
    "vault",
    "worker",
]

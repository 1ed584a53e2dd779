"""The command line: argument parsing and printing only; the work is in ``service``."""

from rightsdesk.cli import (
    bindings,
    consent,
    data,
    datamap,
    deliveries,
    demo,
    outbox,
    requests,
    restrictions,
    service,
    status,
    tickets,
    vault,
    worker,
)
from rightsdesk.cli.app import EXIT_CODES, app, exit_code, main
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

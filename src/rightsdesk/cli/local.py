"""What every service command shares: the Services of this machine, the local operator, JSON."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from rightsdesk.cli.app import out
from rightsdesk.domain.subjects import Identity
from rightsdesk.settings import Settings

if TYPE_CHECKING:
    from rightsdesk.service.runtime.context import Services
    from rightsdesk.service.runtime.operators import Operator

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
#: ``-i kind=value``, checked while the command line is parsed, before any state is made.
Identities = Annotated[
    list[Identity],
    typer.Option(
        "--identity",
        "-i",
        parser=Identity.parse,
        help="kind=value the person proved, e.g. email=a@b.c (repeatable: all are one person).",
    ),
]


def print_json(value: object) -> None:
    """One JSON document on stdout (plain on a pipe, whatever the console)."""
    out.print_json(json.dumps(value, default=str))


def local_operator() -> Operator:
    """Whoever runs the CLI on the server has the database itself; they act as this operator."""
    from rightsdesk.service.runtime.operators import Operator, Scope

    return Operator("cli", "local command line", frozenset(Scope))


@contextmanager
def open_services() -> Iterator[Services]:
    """The service layer (store, migrations, templates, crypto), closed when the command ends."""
    from rightsdesk.service.runtime import wiring

    services = wiring.build(Settings())
    try:
        yield services
    finally:
        wiring.close(services)

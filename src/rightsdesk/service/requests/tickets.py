"""Tickets in bulk: a help desk's backlog taken in, and approved if asked, in one transaction.

Every ticket is checked before anything is stored, so one bad ticket refuses the call (naming
it) and stores none. Each request is still its own: its own identities, verification by the
operator's evidence, deadline, audit events and answer; only the transaction, and the one lock
of the audit chain at its commit, are shared.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError

from rightsdesk.domain.errors import InputError, PolicyError
from rightsdesk.domain.requests import RequestType, Status
from rightsdesk.domain.subjects import Identity
from rightsdesk.service.requests import decisions, intake
from rightsdesk.service.runtime import runs
from rightsdesk.service.runtime.context import Services, unit
from rightsdesk.service.runtime.operators import Operator, Scope

#: Tickets in one call: a transaction that stays short, and an answer that stays small.
MAX_TICKETS = 1000
#: The names in a ticket file that are not identity kinds.
FIELDS = frozenset({"type", "evidence", "locale", "params"})


def take_in(
    services: Services,
    operator: Operator,
    tickets: Sequence[intake.Submission],
    *,
    approve: bool = False,
    reason: str | None = None,
    names: Sequence[str] | None = None,
) -> list[intake.Submitted]:
    """Store ``tickets`` (operator submissions) in order; with ``approve``, approve each one
    that waits for an operator's approval, as ``operator``. ``names`` name the tickets in
    errors (e.g. file:line; by default "ticket N")."""
    operator.require(Scope.DECIDE)
    if not 1 <= len(tickets) <= MAX_TICKETS:
        raise PolicyError(f"send between 1 and {MAX_TICKETS} tickets in one call")
    return store(services, operator, check_all(services, tickets, names), approve, reason)


def store(
    services: Services,
    operator: Operator,
    checked: Sequence[intake.Checked],
    approve: bool = False,
    reason: str | None = None,
) -> list[intake.Submitted]:
    """Store tickets already checked (``check_all``) in one transaction; see ``take_in``.

    A concurrent submission for one of the same people may win the database's one-open-request
    index: the whole call is then taken again, and that ticket joins it (as in ``intake``)."""
    operator.require(Scope.DECIDE)
    try:
        return _store_once(services, operator, checked, approve, reason)
    except IntegrityError:
        return _store_once(services, operator, checked, approve, reason)


def _store_once(
    services: Services,
    operator: Operator,
    checked: Sequence[intake.Checked],
    approve: bool,
    reason: str | None,
) -> list[intake.Submitted]:
    with unit(services) as work, work.session.no_autoflush:
        # the rows of all tickets go out in a few multi-row INSERTs at the end, rather than
        # a flush before every lookup; a ticket repeating an earlier one of the call flushes
        # first, so it joins that request as it would across calls
        taken: list[intake.Submitted] = []
        seen: set[object] = set()
        for c in checked:
            same = {(c.key, c.submission.type.value), c.submission.idempotency_key} - {None}
            if same & seen:
                work.session.flush()
            seen |= same
            taken.append(intake.take(services, work, c))
        for done in taken if approve else ():
            if Status(done.request.status) is Status.AWAITING_APPROVAL:
                decisions.approve(services, work, done.request, actor=operator.actor, reason=reason)
    return taken


def check_all(
    services: Services, tickets: Sequence[intake.Submission], names: Sequence[str] | None = None
) -> list[intake.Checked]:
    """Each ticket checked as intake would; every refusal is listed, naming its ticket."""
    checked, refused = [], []
    for number, ticket in enumerate(tickets):
        try:
            checked.append(intake.check(services, ticket))
        except PolicyError as exc:
            refused.append(f"{names[number] if names else f'ticket {number}'}: {exc}")
    if refused:
        raise PolicyError("\n".join(refused) + "\nno ticket was stored")
    return checked


def read(file: Path, *, actor: str) -> tuple[list[intake.Submission], list[str]]:
    """(tickets, their file:line names) from a CSV file with a header, or a JSONL file, of flat
    objects: ``type``, ``evidence``, optional ``locale`` and ``params`` (JSON), and identity
    kinds (``email``, ``phone``, ``user_id``...) for the rest."""
    tickets, names, bad = [], [], []
    for line, record in runs.records(file):
        where = f"{file}:{line}"
        try:
            tickets.append(_ticket(record, actor))
        except (ValueError, TypeError) as exc:
            bad.append(f"{where}: {exc}")  # every bad line at once, not one per attempt
        names.append(where)
    if bad:
        raise InputError("\n".join(bad))
    if not tickets:
        raise InputError(f"{file}: no tickets listed")
    return tickets, names


def _ticket(record: dict[str, Any], actor: str) -> intake.Submission:
    kinds = [t.value for t in RequestType]
    if record.get("type") not in kinds:
        raise ValueError(f"type must be one of {', '.join(kinds)}, not {record.get('type')!r}")
    params = record.get("params") or {}
    if isinstance(params, str):
        params = json.loads(params)
    if not isinstance(params, dict):
        raise ValueError("params must be a JSON object")
    identities = tuple(
        Identity(k, str(v)) for k, v in record.items() if k not in FIELDS and v not in (None, "")
    )
    if not identities:
        raise ValueError("no identity on this line (columns such as email, phone, user_id)")
    return intake.Submission(
        RequestType(record["type"]),
        identities,
        channel="ticket",
        locale=record.get("locale") or None,
        params=params,
        evidence=record.get("evidence") or None,
        actor=actor,
    )

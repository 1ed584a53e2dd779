"""The demo's second half: one person's deletion request through the request service."""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rightsdesk.audit import log as audit
from rightsdesk.audit.receipts import ReceiptCheck, verify_receipt, write_receipt
from rightsdesk.demo import stores
from rightsdesk.domain.requests import RequestType
from rightsdesk.domain.subjects import Identity
from rightsdesk.service.requests import actions as requests
from rightsdesk.service.requests import intake, receipts, views
from rightsdesk.service.runtime import wiring
from rightsdesk.service.runtime.context import Services
from rightsdesk.service.runtime.operators import Operator, Scope
from rightsdesk.service.verification import codes as verification
from rightsdesk.settings import Settings

DESK = Operator("demo", "demo privacy desk", frozenset(Scope))
CODE = re.compile(r"^\s+(\d{6})\s*$", re.MULTILINE)


@dataclass
class RequestDemo:
    email: str
    request_id: str
    statuses: list[str]
    outbox: Path
    receipt: Path
    check: ReceiptCheck
    audit_entries: int
    audit_intact: bool
    #: The partial refusal: the place held, rows kept linked, the lift and its follow-up.
    held: str = ""
    lifted: str = ""


def settings_for(datamap: Path) -> tuple[Settings, Path]:
    """The demo's service settings (state beside the data map, mail to a folder) and outbox."""
    state = datamap.parent / ".rightsdesk"
    outbox = state / "outbox"
    settings = Settings(
        state_dir=state, datamap=datamap, mail_url=outbox.resolve().as_uri(), locale="en"
    )
    return settings, outbox


def run(datamap: Path) -> RequestDemo:
    """Submit, verify by the mailed code, approve, run, and prove a deletion for one person."""
    directory = datamap.parent
    settings, outbox = settings_for(datamap)
    person = stores.someone_to_delete(directory)
    services = wiring.build(settings)
    try:
        done = intake.submit(
            services, intake.Submission(RequestType.DELETE, (Identity("email", person),))
        )
        statuses = [done.request.status]
        wiring.settle(services)  # the code is in the mailbox
        result = verification.enter_code(services, done.request.id, done.own_token(), code(outbox))
        statuses.append(result.status)
        requests.refuse(
            services, DESK, done.request.id, ground=GROUND, justification=AUDIT, parts=[HELD]
        )
        requests.approve(services, DESK, done.request.id, "demo: identity verified by code")
        services.jobs.drain()
        shown = views.detail(services, done.request.id)
        statuses.append(shown.status)
        held, lifted = _hold_then_lift(services, done.request.id, shown.outcome["run"])
        receipt = directory / "receipt.json"
        write_receipt(receipts.document(services, done.request.id), receipt)
        check = verify_receipt(receipt, [services.signing_key.public_key()])
        entries, breaks = audit.check(services.store)
    finally:
        wiring.close(services)
    return RequestDemo(
        person, done.request.id, statuses, outbox, receipt, check, entries, not breaks, held, lifted
    )


#: The demo's partial refusal: the person's bills kept, linked, for an open tax audit.
GROUND, HELD = "legal_obligation", "billing.bills"
AUDIT = "the bills are kept for the tax bureau's open audit of 2026"


def _hold_then_lift(services: Services, request_id: str, run: dict[str, Any]) -> tuple[str, str]:
    """What the hold kept, then the audit closing: the hold lifted and the follow-up run."""
    kept = run["collections"][HELD].get("held", 0)
    held = f"{HELD}: {kept} record(s) left as they were, still linked ({GROUND})"
    followup = requests.lift(services, DESK, request_id, "demo: the tax audit closed")
    assert followup is not None
    requests.approve(services, DESK, followup, "demo: the hold was lifted")
    services.jobs.drain()
    status = views.detail(services, followup).status
    return held, f"hold lifted -> follow-up {followup} {status}"


def code(outbox: Path) -> str:
    """What the person does: open the newest message with a code in their mailbox."""
    for path in sorted(outbox.glob("*.eml"), reverse=True):
        with path.open("rb") as handle:
            message = email.message_from_binary_file(handle, policy=email.policy.default)
        body = message.get_body()
        found = CODE.search(body.get_content() if body is not None else "")
        if found:
            return found.group(1)
    raise RuntimeError(f"no verification code in {outbox}")

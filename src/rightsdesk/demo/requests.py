"""The demo's second half: one person's deletion request through the request service."""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from pathlib import Path

from rightsdesk.audit import log as audit
from rightsdesk.audit.receipts import ReceiptCheck, verify_receipt, write_receipt
from rightsdesk.demo import stores
from rightsdesk.domain.requests import RequestType
from rightsdesk.domain.subjects import Identity
from rightsdesk.service.requests import actions as requests
from rightsdesk.service.requests import intake, receipts, views
from rightsdesk.service.runtime import wiring
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
        requests.approve(services, DESK, done.request.id, "demo: identity verified by code")
        services.jobs.drain()
        statuses.append(views.detail(services, done.request.id).status)
        receipt = directory / "receipt.json"
        write_receipt(receipts.document(services, done.request.id), receipt)
        check = verify_receipt(receipt, [services.signing_key.public_key()])
        entries, breaks = audit.check(services.store)
    finally:
        wiring.close(services)
    return RequestDemo(
        person, done.request.id, statuses, outbox, receipt, check, entries, not breaks
    )


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

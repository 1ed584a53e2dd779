"""Small steps shared by the service tests: submit, read the emailed code, verify."""

from __future__ import annotations

import re
import time

from rightsdesk.domain.requests import RequestType
from rightsdesk.domain.subjects import Identity
from rightsdesk.service.requests import intake
from rightsdesk.service.runtime.context import Services
from rightsdesk.service.verification import codes as verification
from tests.mailbox import Mailbox, Received
from tests.service.conftest import PERSON

CODE = re.compile(r"^\s+(\d{6})\s*$", re.MULTILINE)


def submit(
    services: Services,
    kind: RequestType = RequestType.ACCESS,
    email: str = PERSON,
    **options: object,
) -> intake.Submitted:
    return intake.submit(
        services,
        intake.Submission(kind, (Identity("email", email),), **options),  # type: ignore[arg-type]
    )


def mails_to(mailbox: Mailbox, email: str = PERSON) -> list[Received]:
    return [m for m in mailbox.messages if email in m.envelope_to]


def wait_for_mail(
    mailbox: Mailbox, count: int, email: str = PERSON, timeout: float = 5
) -> list[Received]:
    """At least ``count`` messages to ``email`` (they arrive after the transaction commits)."""
    deadline = time.monotonic() + timeout
    while len(found := mails_to(mailbox, email)) < count:
        if time.monotonic() > deadline:
            raise AssertionError(f"{len(found)} message(s) to {email}, expected {count}")
        time.sleep(0.01)
    return found


def emailed_code(mailbox: Mailbox, email: str = PERSON) -> str:
    """The code in the newest message to ``email`` that carries one."""
    for message in reversed(mails_to(mailbox, email)):
        found = CODE.search(message.body)
        if found:
            return found.group(1)
    raise AssertionError(f"no code was mailed to {email}")


def verify(services: Services, mailbox: Mailbox, done: intake.Submitted) -> None:
    wait_for_mail(mailbox, 1)
    result = verification.enter_code(services, done.request.id, done.token, emailed_code(mailbox))
    assert result.ok, result.message

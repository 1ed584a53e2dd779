"""Authorised agents (CCR 7063) and the signed documents a case may need (doc (f), INT-14)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Authority(StrEnum):
    """What lets an agent act for the person."""

    #: A permission the person signed (CCR 7063(a)): the person may still be asked directly.
    SIGNED_PERMISSION = "signed_permission"
    #: A power of attorney under Probate Code 4121-4130 (CCR 7063(b)): the person is never
    #: asked; our staff review the document and verify from it.
    POWER_OF_ATTORNEY = "power_of_attorney"


class ConsumerStep(StrEnum):
    """What the person does directly when an agent asks with a signed permission (7063(a))."""

    #: Verify their own identity with us: the one-time code goes to them, not the agent.
    VERIFY = "verify"
    #: Confirm to us that they gave the agent permission: a code to them, worded so.
    CONFIRM = "confirm"


class DocumentKind(StrEnum):
    """A signed document kept with a case (encrypted, erased with the case record)."""

    #: The person's signed written request, where the policy asks for one (doc (f)).
    WRITTEN_REQUEST = "written_request"
    #: The permission the person signed for their agent (CCR 7063(a)).
    PERMISSION = "permission"
    #: A power of attorney (CCR 7063(b)).
    POWER_OF_ATTORNEY = "power_of_attorney"


#: The document an agent shows, by authority.
PROOF = {
    Authority.SIGNED_PERMISSION: DocumentKind.PERMISSION,
    Authority.POWER_OF_ATTORNEY: DocumentKind.POWER_OF_ATTORNEY,
}


@dataclass(frozen=True)
class Agent:
    """Who asks on the person's behalf: a person or a business registered with the Secretary
    of State (``registration``), how to reach them, and by what authority."""

    name: str
    email: str
    authority: Authority
    phone: str | None = None
    registration: str | None = None

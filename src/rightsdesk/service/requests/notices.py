"""What the person is told: a notice built from their request, to a contact they gave."""

from __future__ import annotations

from typing import Any

from rightsdesk.service.runtime.context import Notice
from rightsdesk.store.models import Request


def contact(request: Request) -> tuple[str | None, str | None]:
    """(email, phone) the person is written to: identities they gave, never anything new.

    A correction is never verified (or answered) through the identity it corrects.
    """
    corrected = set(request.params.get("corrects", ()))
    usable = [i for i in request.identities if i.kind not in corrected]
    email = next((i.value for i in usable if i.kind == "email"), None)
    phone = next((i.value for i in usable if i.kind == "phone"), None)
    return email, phone


def notice(request: Request, kind: str, extra: dict[str, Any]) -> Notice:
    """A message to the person behind ``request``: by email, else by SMS, in their locale."""
    email, phone = contact(request)
    context = {"request_id": request.id, "request_type": request.type, **extra}
    return Notice(
        kind, email, phone if email is None else None, request.locale, context, request.id
    )

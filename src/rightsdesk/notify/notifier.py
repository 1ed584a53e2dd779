"""Tell the requester what happened: render a notice in their locale and send it by mail or SMS."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import default
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Any

from rightsdesk.domain.errors import DeliveryError
from rightsdesk.notify.locales import resolve_locale
from rightsdesk.notify.mailer import Mailer
from rightsdesk.notify.rendering import render, render_sms
from rightsdesk.notify.sms import SmsSender

#: 7-bit transfer encodings (base64 / quoted-printable for non-ASCII) reach any SMTP server.
_POLICY = default.clone(cte_type="7bit")


class Notifier:
    """Renders notices and hands them to a mailer and an optional SMS sender."""

    def __init__(
        self,
        mailer: Mailer,
        sms: SmsSender | None,
        sender: str,
        *,
        default_locale: str = "zh-CN",
        templates: Path | None = None,
    ) -> None:
        self.mailer, self.sms, self.sender = mailer, sms, sender
        self.default_locale = resolve_locale(default_locale)
        self.templates = templates

    def notify(
        self,
        kind: str,
        *,
        email: str | None = None,
        phone: str | None = None,
        locale: str | None = None,
        context: Mapping[str, Any],
    ) -> None:
        """Render everything first (so a template error sends nothing), then mail and/or text."""
        if email is None and phone is None:
            raise ValueError("a notice needs an email address, a phone number, or both")
        if phone is not None and self.sms is None:
            # the message is logged and audited: it names no phone number
            raise DeliveryError("sms", "no SMS sender is configured, cannot send a text")
        chosen = resolve_locale(locale, self.default_locale)
        message = self.message(kind, email, chosen, context) if email is not None else None
        text = render_sms(kind, chosen, context, templates=self.templates) if phone else None
        if message is not None:
            self.mailer.send(message)
        if phone is not None and text is not None and self.sms is not None:
            self.sms.send(phone, text)

    def message(
        self, kind: str, to: str, locale: str | None, context: Mapping[str, Any]
    ) -> EmailMessage:
        """The finished e-mail for ``kind``, UTF-8 throughout, headers RFC 2047-encoded."""
        chosen = resolve_locale(locale, self.default_locale)
        subject, body = render(kind, chosen, context, templates=self.templates)
        message = EmailMessage(policy=_POLICY)
        message["Subject"] = subject
        message["From"] = self.sender
        message["To"] = to
        message["Date"] = format_datetime(datetime.now(UTC))
        # not email.utils.make_msgid: it draws on the global `random` state
        message["Message-ID"] = f"<{secrets.token_hex(16)}@{_domain(self.sender)}>"
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
        message.set_content(body, charset="utf-8")
        message["Content-Language"] = chosen  # after set_content, which clears Content-* headers
        return message


def _domain(sender: str) -> str:
    """The sender's mail domain, so Message-IDs never need a DNS lookup of this host."""
    address = parseaddr(sender)[1]
    return address.rpartition("@")[2] or "rightsdesk.invalid"

"""Telling the requester what happened, by e-mail (SMTP or an outbox folder) or SMS."""

from __future__ import annotations

from rightsdesk.domain.errors import DeliveryError, NotifyError, RenderError
from rightsdesk.domain.texts import LOCALES
from rightsdesk.notify.locales import resolve_locale
from rightsdesk.notify.mailer import Mailer, OutboxMailer, SmtpMailer, mailer_from_url
from rightsdesk.notify.notifier import Notifier
from rightsdesk.notify.rendering import KINDS, render, render_sms
from rightsdesk.notify.sms import ConsoleSms, FileSms, OutboxSms, SmsSender, sms_from_url

__all__ = [
    "KINDS",
    "LOCALES",
    "ConsoleSms",
    "DeliveryError",
    "FileSms",
    "Mailer",
    "Notifier",
    "NotifyError",
    "OutboxMailer",
    "OutboxSms",
    "RenderError",
    "SmsSender",
    "SmtpMailer",
    "mailer_from_url",
    "render",
    "render_sms",
    "resolve_locale",
    "sms_from_url",
]

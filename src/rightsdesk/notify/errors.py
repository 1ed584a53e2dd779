"""The notify package's errors: a message could not be rendered, or could not be delivered."""

from __future__ import annotations

from rightsdesk.domain.errors import RightsdeskError


class NotifyError(RightsdeskError):
    """Root of the errors raised while telling the requester something."""


class DeliveryError(NotifyError):
    """A transport (``email`` or ``sms``) could not take the message; the request itself stands."""

    def __init__(self, channel: str, message: str) -> None:
        self.channel = channel
        super().__init__(f"{channel} delivery failed: {message}")


class RenderError(NotifyError):
    """A template is unknown, malformed, or needs a context variable the caller did not pass."""

    def __init__(self, kind: str, locale: str, message: str) -> None:
        self.kind = kind
        self.locale = locale
        super().__init__(f"template {locale}/{kind}: {message}")

"""Every registered mail and SMS transport, rightsdesk's own and any installed plugin's, keeps
the transport contract: a URL it cannot use is a DeliveryError that never shows the URL's
password, and building a sender connects to nothing (it happens when the process starts)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rightsdesk.domain.errors import DeliveryError
from rightsdesk.notify.mailer import MAIL_TRANSPORTS, mailer_from_url
from rightsdesk.notify.sms import SMS_TRANSPORTS, sms_from_url
from tests.mailbox import free_port

POINTS = [
    *((MAIL_TRANSPORTS, name) for name in MAIL_TRANSPORTS.names()),
    *((SMS_TRANSPORTS, name) for name in SMS_TRANSPORTS.names()),
]
IDS = [f"{r.group.removeprefix('rightsdesk.')}:{name}" for r, name in POINTS]
#: A usable URL for each built-in transport ({port}: a closed port, {tmp}: a folder).
USABLE = {
    "mail_transports:smtp": "smtp://robot:s3cret@127.0.0.1:{port}",
    "mail_transports:smtp+starttls": "smtp+starttls://robot:s3cret@127.0.0.1:{port}",
    "mail_transports:smtps": "smtps://robot:s3cret@127.0.0.1:{port}",
    "mail_transports:file": "file://{tmp}/outbox",
    "sms_transports:console": "console",
    "sms_transports:file": "file://{tmp}/sms.jsonl",
}


@pytest.mark.parametrize(("registry", "scheme"), POINTS, ids=IDS)
def test_an_unusable_url_is_a_delivery_error_without_its_password(
    registry: Any, scheme: str
) -> None:
    build: Callable[[str], Any] = registry.get(scheme)
    for url in (f"{scheme}://robot:s3cret@:notaport", f"{scheme}:"):
        try:
            build(url)
        except DeliveryError as exc:
            assert "s3cret" not in str(exc)


@pytest.mark.parametrize(("registry", "scheme"), POINTS, ids=IDS)
def test_a_sender_is_built_without_connecting(registry: Any, scheme: str, tmp_path: Path) -> None:
    key = f"{registry.group.removeprefix('rightsdesk.')}:{scheme}"
    url = USABLE.get(key, f"{scheme}://127.0.0.1:{{port}}").format(port=free_port(), tmp=tmp_path)
    sender = registry.get(scheme)(url)  # a closed port: building must not try it
    assert callable(sender.send)
    assert "s3cret" not in repr(sender)
    assert not any(tmp_path.iterdir())  # nothing written before the first message


def test_the_url_scheme_picks_the_transport(tmp_path: Path) -> None:
    assert type(mailer_from_url(f"smtps://h:{free_port()}")).__name__ == "SmtpMailer"
    assert type(mailer_from_url((tmp_path / "o").as_uri())).__name__ == "OutboxMailer"
    assert type(sms_from_url("stderr")).__name__ == "ConsoleSms"
    assert sms_from_url("none") is None
    for bad in ("pigeon://coop", "smtpx://h"):
        with pytest.raises(DeliveryError, match="unsupported mail URL"):
            mailer_from_url(bad)
    with pytest.raises(DeliveryError, match="unsupported SMS URL"):
        sms_from_url("pigeon://coop")

"""The Notifier renders in the requester's locale and sends by e-mail (real SMTP) and SMS."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest

from rightsdesk.notify import DeliveryError, Notifier, RenderError, mailer_from_url
from tests.mailbox import Mailbox
from tests.notify.samples import SAMPLES

SENDER = "个人信息保护团队 <privacy@example.cn>"


class Recorder:
    """A mailer that keeps what it is given."""

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> None:
        self.sent.append(message)


@pytest.mark.parametrize(
    ("locale", "subject"),
    [
        ("zh-CN", "您的身份验证码（请求编号：R-2024-0001）"),  # noqa: RUF001
        ("zh-Hans", "您的身份验证码（请求编号：R-2024-0001）"),  # noqa: RUF001
        ("en-US", "Your verification code for request R-2024-0001"),
        (None, "您的身份验证码（请求编号：R-2024-0001）"),  # noqa: RUF001
    ],
)
def test_a_notice_arrives_over_smtp_in_the_requesters_locale(
    mailbox: Mailbox, locale: str | None, subject: str
) -> None:
    notifier = Notifier(mailer_from_url(mailbox.url), None, SENDER)
    notifier.notify(
        "verification_code",
        email="zs@example.cn",
        locale=locale,
        context=SAMPLES["verification_code"],
    )
    [received] = mailbox.wait_for(1)
    assert received.subject == subject
    assert "482913" in received.body
    assert received["From"].addresses[0].display_name == "个人信息保护团队"
    assert received["Content-Language"] == ("en" if locale == "en-US" else "zh-CN")
    assert received["Auto-Submitted"] == "auto-generated"
    assert received["Message-ID"].endswith("@example.cn>")


def test_the_default_locale_is_configurable() -> None:
    mailer = Recorder()
    Notifier(mailer, None, SENDER, default_locale="en").notify(
        "verified", email="a@example.com", context=SAMPLES["verified"]
    )
    assert str(mailer.sent[0]["Subject"]).startswith("Your identity is verified")


class Texts:
    """An SMS sender that keeps what it is given."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        self.sent.append((phone, text))

    def getvalue(self) -> str:
        return "".join(f"SMS to {phone}: {text}\n" for phone, text in self.sent)


def test_a_text_uses_the_sms_variant() -> None:
    stream = Texts()
    Notifier(Recorder(), stream, SENDER).notify(
        "verification_code",
        phone="+8613800000000",
        locale="zh",
        context=SAMPLES["verification_code"],
    )
    assert stream.getvalue().startswith("SMS to +8613800000000: 您的验证码为482913")
    assert "Subject" not in stream.getvalue()


def test_a_text_without_a_variant_carries_the_whole_body() -> None:
    stream = Texts()
    Notifier(Recorder(), stream, SENDER).notify(
        "refused", phone="+15550000000", locale="en", context=SAMPLES["refused"]
    )
    assert "You may seek a judicial remedy." in stream.getvalue()


def test_email_and_phone_both_get_the_notice() -> None:
    mailer, stream = Recorder(), Texts()
    Notifier(mailer, stream, SENDER).notify(
        "cancelled",
        email="a@example.com",
        phone="+15550000000",
        locale="en",
        context=SAMPLES["cancelled"],
    )
    assert len(mailer.sent) == 1 and "cancelled" in stream.getvalue()


def test_a_phone_without_an_sms_sender_is_a_delivery_error_and_sends_nothing() -> None:
    mailer = Recorder()
    with pytest.raises(DeliveryError, match="no SMS sender is configured"):
        Notifier(mailer, None, SENDER).notify(
            "verified", email="a@example.com", phone="+15550000000", context=SAMPLES["verified"]
        )
    assert mailer.sent == []


def test_a_render_error_sends_nothing() -> None:
    mailer = Recorder()
    with pytest.raises(RenderError, match="missing context variable: 'code'"):
        Notifier(mailer, None, SENDER).notify(
            "verification_code",
            email="a@example.com",
            context={"request_id": "R", "request_type": "access"},
        )
    assert mailer.sent == []


def test_no_address_at_all_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="email address, a phone number"):
        Notifier(Recorder(), None, SENDER).notify("verified", context=SAMPLES["verified"])


def test_the_smtp_server_down_surfaces_as_a_delivery_error() -> None:
    from tests.mailbox import free_port

    notifier = Notifier(mailer_from_url(f"smtp://127.0.0.1:{free_port()}"), None, SENDER)
    with pytest.raises(DeliveryError, match="cannot connect to SMTP server"):
        notifier.notify("verified", email="a@example.com", context=SAMPLES["verified"])


def test_the_notifier_uses_the_override_folder(tmp_path: Path) -> None:
    (tmp_path / "zh-CN").mkdir()
    (tmp_path / "zh-CN" / "verified.txt").write_text(
        "Subject: 【示例公司】身份验证成功\n\n{{ request_id }}\n", encoding="utf-8"
    )
    mailer = Recorder()
    Notifier(mailer, None, SENDER, templates=tmp_path).notify(
        "verified", email="a@example.com", context=SAMPLES["verified"]
    )
    assert str(mailer.sent[0]["Subject"]) == "【示例公司】身份验证成功"

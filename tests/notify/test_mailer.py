"""Mail transports: a real SMTP round trip, a server that is down, the outbox folder, URLs."""

from __future__ import annotations

import stat
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest

from rightsdesk.notify import DeliveryError, OutboxMailer, SmtpMailer, mailer_from_url
from tests.mailbox import Mailbox, free_port

SUBJECT = "您的请求已办理完成（请求编号：R-1）"  # noqa: RUF001
BODY = "您好：\n\n您的“删除您的个人信息”请求已办理完成。回执编号：RC-77\n"  # noqa: RUF001


def chinese_message(to: str = "张三 <zhangsan@example.cn>") -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = SUBJECT
    message["From"] = "个人信息保护团队 <privacy@example.cn>"
    message["To"] = to
    message.set_content(BODY, charset="utf-8")
    return message


def test_a_chinese_message_survives_a_real_smtp_round_trip(mailbox: Mailbox) -> None:
    SmtpMailer(mailbox.host, mailbox.port).send(chinese_message())
    [received] = mailbox.wait_for(1)
    assert received.subject == SUBJECT
    assert received.body == BODY
    assert received.envelope_to == ("zhangsan@example.cn",)
    header_block = received.raw.split(b"\r\n\r\n", 1)[0]
    assert header_block.isascii() and b"=?utf-8?" in header_block


def test_login_is_used_when_a_username_is_given() -> None:
    with Mailbox(login=("robot", "s3cret")) as box:
        mailer_from_url(f"smtp://robot:s3cret@{box.host}:{box.port}").send(chinese_message())
        assert box.wait_for(1)[0].subject == SUBJECT
        with pytest.raises(DeliveryError, match=r"SMTPAuthenticationError: 535"):
            SmtpMailer(box.host, box.port, username="robot", password="wrong").send(
                chinese_message()
            )


def test_login_against_a_server_without_auth_is_a_delivery_error(mailbox: Mailbox) -> None:
    mailer = SmtpMailer(mailbox.host, mailbox.port, username="robot", password="s3cret")
    with pytest.raises(DeliveryError, match="SMTPNotSupportedError"):
        mailer.send(chinese_message())
    assert mailbox.messages == []


def test_a_server_that_is_down_is_a_delivery_error_naming_it() -> None:
    port = free_port()
    with pytest.raises(DeliveryError) as caught:
        SmtpMailer("127.0.0.1", port, timeout=2).send(chinese_message())
    assert caught.value.channel == "email"
    assert str(caught.value).startswith(
        f"email delivery failed: cannot connect to SMTP server 127.0.0.1:{port}"
    )
    assert isinstance(caught.value.__cause__, ConnectionRefusedError)


def test_the_outbox_writes_one_private_readable_eml_per_message(tmp_path: Path) -> None:
    outbox = OutboxMailer(tmp_path / "outbox")
    outbox.send(chinese_message())
    outbox.send(chinese_message())
    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 2
    for file in files:
        assert stat.S_IMODE(file.stat().st_mode) == 0o600
        parsed = message_from_bytes(file.read_bytes(), policy=default)
        assert isinstance(parsed, EmailMessage)
        assert str(parsed["Subject"]) == SUBJECT
        body = parsed.get_body(("plain",))
        assert body is not None and body.get_content() == BODY


def test_an_outbox_that_cannot_be_written_is_a_delivery_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(DeliveryError, match="cannot write to outbox"):
        OutboxMailer(blocker / "outbox").send(chinese_message())


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example.cn", ("mail.example.cn", 25, False, False, None)),
        ("smtp://127.0.0.1:2525", ("127.0.0.1", 2525, False, False, None)),
        ("smtp+starttls://u:p@mail.example.cn", ("mail.example.cn", 587, True, False, "u")),
        ("smtp://u:p@mail.example.cn:587?starttls=1", ("mail.example.cn", 587, True, False, "u")),
        (
            "smtps://user%40corp:p%2Fw@mail.example.cn",
            ("mail.example.cn", 465, False, True, "user@corp"),
        ),
        ("SMTPS://mail.example.cn:2465", ("mail.example.cn", 2465, False, True, None)),
    ],
)
def test_smtp_urls(url: str, expected: tuple[object, ...]) -> None:
    mailer = mailer_from_url(url)
    assert isinstance(mailer, SmtpMailer)
    assert (mailer.host, mailer.port, mailer.starttls, mailer.ssl, mailer.username) == expected


def test_a_password_never_shows_in_repr() -> None:
    assert "p%2Fw" not in repr(mailer_from_url("smtps://u:p%2Fw@h"))
    assert "p/w" not in repr(mailer_from_url("smtps://u:p%2Fw@h"))


def test_a_file_url_is_an_outbox(tmp_path: Path) -> None:
    mailer = mailer_from_url((tmp_path / "out box").as_uri())
    assert isinstance(mailer, OutboxMailer)
    assert mailer.folder == tmp_path / "out box"


@pytest.mark.parametrize(
    "url",
    ["ftp://host", "smtp://", "mail.example.cn", "smtp://host:notaport", "smtps://u:hunter2@:1"],
)
def test_an_unsupported_url_is_a_clear_error_without_the_password(url: str) -> None:
    with pytest.raises(DeliveryError, match="unsupported mail URL") as caught:
        mailer_from_url(url)
    assert "hunter2" not in str(caught.value)


def test_starttls_and_ssl_together_is_a_mistake() -> None:
    with pytest.raises(ValueError, match="not both"):
        SmtpMailer("h", 25, starttls=True, ssl=True)

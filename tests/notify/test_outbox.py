"""Outbox folders: messages appear whole, and read back decoded with their one-time code."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest

from rightsdesk.notify import outbox
from rightsdesk.notify.mailer import OutboxMailer
from rightsdesk.notify.sms import OutboxSms


def _mail(body: str) -> EmailMessage:
    message = EmailMessage()
    message["To"], message["Subject"] = "li.wei@example.com", "您的验证码"
    message.set_content(body, cte="base64")  # as the service sends zh-CN mail
    return message


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("请输入验证码:\n\n    516361\n", "516361"),
        ("请求编号 b2b90c0b13c14cb4b303550b9455e2a9 已完成", None),  # digits inside an id
        ("code 1234567 is too long", None),
    ],
)
def test_a_mailed_message_reads_back_decoded(tmp_path: Path, body: str, code: str | None) -> None:
    OutboxMailer(tmp_path).send(_mail(body))
    [message] = outbox.read(tmp_path)
    assert (message.to, message.subject) == ("li.wei@example.com", "您的验证码")
    assert message.body.strip() == body.strip()
    assert message.code == code


def test_texts_read_back_and_no_temporary_file_is_left(tmp_path: Path) -> None:
    OutboxSms(tmp_path).send("+8613800138000", "验证码 204518")
    [message] = outbox.read(tmp_path)
    assert (message.to, message.code) == ("+8613800138000", "204518")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_message_being_written_is_not_listed(tmp_path: Path) -> None:
    (tmp_path / ".20261203T000000Z-abc.eml.tmp").write_bytes(b"To: half")
    assert outbox.read(tmp_path) == []

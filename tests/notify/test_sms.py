"""SMS transports: the console and the JSON-lines file."""

from __future__ import annotations

import json
import logging
import stat
from pathlib import Path

import pytest

from rightsdesk.notify import ConsoleSms, DeliveryError, FileSms, OutboxSms, sms_from_url

TEXT = "您的验证码为482913，10分钟内有效。"  # noqa: RUF001


def test_the_console_logs_neither_the_number_nor_the_code(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="rightsdesk.sms"):
        ConsoleSms().send("+8613800000000", TEXT)
    assert caplog.messages == ["SMS to a number ending 00: 您的验证码为[withheld]，10分钟内有效。"]  # noqa: RUF001
    assert "482913" not in caplog.text and "13800000000" not in caplog.text


def test_the_outbox_writes_one_private_file_per_text(tmp_path: Path) -> None:
    folder = tmp_path / "sms-outbox"
    sender = OutboxSms(folder)
    sender.send("+8613800000000", TEXT)
    sender.send("+8613900000000", "second")
    files = sorted(folder.iterdir())
    texts = [json.loads(f.read_text(encoding="utf-8")) for f in files]
    assert sorted(t["to"] for t in texts) == ["+8613800000000", "+8613900000000"]
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_an_outbox_that_cannot_be_written_is_a_delivery_error(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file, not a folder")
    with pytest.raises(DeliveryError, match="cannot write to the outbox"):
        OutboxSms(tmp_path / "taken").send("+15550000000", "hello")


def test_the_file_appends_one_private_json_line_per_text(tmp_path: Path) -> None:
    path = tmp_path / "sms" / "outbox.jsonl"
    sender = FileSms(path)
    sender.send("+8613800000000", TEXT)
    sender.send("+8613900000000", "second\nline")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["to"] for line in lines] == ["+8613800000000", "+8613900000000"]
    assert [json.loads(line)["text"] for line in lines] == [TEXT, "second\nline"]
    assert TEXT in lines[0]  # readable, not \u-escaped
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_file_that_cannot_be_written_is_a_delivery_error(tmp_path: Path) -> None:
    with pytest.raises(DeliveryError, match="cannot append to"):
        FileSms(tmp_path).send("+15550000000", "hello")


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("console", ConsoleSms),
        ("CONSOLE", ConsoleSms),
        ("stderr", ConsoleSms),
        ("none", type(None)),
    ],
)
def test_sms_urls(url: str, kind: type) -> None:
    assert isinstance(sms_from_url(url), kind)


def test_a_file_url_is_a_file_sender(tmp_path: Path) -> None:
    sender = sms_from_url((tmp_path / "sms.jsonl").as_uri())
    assert isinstance(sender, FileSms) and sender.path == tmp_path / "sms.jsonl"


def test_a_folder_url_is_an_outbox(tmp_path: Path) -> None:
    sender = sms_from_url((tmp_path / "sms-outbox").as_uri())
    assert isinstance(sender, OutboxSms) and sender.folder == tmp_path / "sms-outbox"


@pytest.mark.parametrize("url", ["twilio://abc", "file://", "sms"])
def test_an_unsupported_sms_url_is_a_clear_error(url: str) -> None:
    with pytest.raises(DeliveryError, match="unsupported SMS URL"):
        sms_from_url(url)

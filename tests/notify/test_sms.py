"""SMS transports: the console and the JSON-lines file."""

from __future__ import annotations

import io
import json
import stat
from pathlib import Path

import pytest

from rightsdesk.notify import ConsoleSms, DeliveryError, FileSms, sms_from_url

TEXT = "您的验证码为482913，10分钟内有效。"  # noqa: RUF001


def test_the_console_prints_each_text() -> None:
    stream = io.StringIO()
    ConsoleSms(stream).send("+8613800000000", TEXT)
    assert stream.getvalue() == f"SMS to +8613800000000: {TEXT}\n"


def test_the_console_defaults_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    ConsoleSms().send("+15550000000", "hello")
    assert capsys.readouterr().err == "SMS to +15550000000: hello\n"


def test_a_closed_console_is_a_delivery_error() -> None:
    stream = io.StringIO()
    stream.close()
    with pytest.raises(DeliveryError, match="sms delivery failed"):
        ConsoleSms(stream).send("+15550000000", "hello")


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


@pytest.mark.parametrize("url", ["twilio://abc", "file://", "sms"])
def test_an_unsupported_sms_url_is_a_clear_error(url: str) -> None:
    with pytest.raises(DeliveryError, match="unsupported SMS URL"):
        sms_from_url(url)

"""Log lines: JSON that parses, event fields, and no personal data, even when a call leaks it."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import httpx
import pytest

from rightsdesk.demo.people import DEMO_PHONE
from rightsdesk.observability import logs
from rightsdesk.service.runtime import wiring
from rightsdesk.service.runtime.context import Services
from tests.api.conftest import KeyMaker
from tests.api.steps import bearer
from tests.mailbox import Mailbox
from tests.service.conftest import PERSON, Clock
from tests.service.flows import emailed_code, wait_for_mail
from tests.service.receiver import Receiver, platform, receiver, settings

__all__ = ["platform", "receiver", "settings"]  # fixtures: recipients with a webhook


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail li.wei@example.com now", "mail [redacted] now"),
        ("phone 13800138000.", "phone [redacted]."),
        ("phone +86 138 0013 8000", "phone [redacted]"),
        ("intl +442079460958", "intl [redacted]"),
        ("id 11010519491231002X here", "id [redacted] here"),
        ("card 4111 1111 1111 1111", "card [redacted]"),
        ("not a card 4111111111111112", "not a card 4111111111111112"),  # fails Luhn
        (
            "GET /x?expires=17&signature=ab12 HTTP/1.1",
            "GET /x?expires=[redacted]&signature=[redacted] HTTP/1.1",
        ),
        ("Authorization: Bearer abc.DEF-12", "Authorization: Bearer [redacted]"),
        ("key rdk_0a1b2c3d4e5f_Zm9v-YmFy_x", "key [redacted]"),
        (
            "broker amqp://guest:s3cret@rabbit:5672//",
            "broker amqp://guest:[redacted]@rabbit:5672//",
        ),
        # ids and times stay readable: a phone-like run inside a hex id is not a phone
        (
            "request 9f13800138000aa1b2c3d4e5f6a7b8c9 done",
            "request 9f13800138000aa1b2c3d4e5f6a7b8c9 done",
        ),
        (
            "at 2026-06-08T02:00:00+00:00 took 1780884000123 us",
            "at 2026-06-08T02:00:00+00:00 took 1780884000123 us",
        ),
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert logs.redact(text) == expected


def _record(handler: logging.Handler, buffer: io.StringIO) -> dict[str, Any]:
    lines = buffer.getvalue().splitlines()
    assert len(lines) == 1, lines
    parsed: dict[str, Any] = json.loads(lines[0])
    return parsed


def test_a_json_line_has_the_fields_and_masks_a_leaky_call() -> None:
    buffer = io.StringIO()
    handler = logs.handler("json", buffer)
    logger = logging.getLogger("rightsdesk.test.json")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        try:
            raise ValueError(f"bad value {PERSON}")
        except ValueError:
            logger.exception(
                "sent to %s",
                PERSON,
                extra={
                    "request_id": "r1",
                    "job_id": "j1",
                    "to": PERSON,
                    "data": {"args": [PERSON]},
                },
            )
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    line = _record(handler, buffer)
    assert set(line) == {
        "time",
        "level",
        "logger",
        "message",
        "request_id",
        "job_id",
        "to",
        "data",
        "exception",
    }
    assert line["data"] == {"args": ["[redacted]"]}
    assert (line["level"], line["logger"]) == ("ERROR", "rightsdesk.test.json")
    assert line["message"] == "sent to [redacted]" and line["to"] == "[redacted]"
    assert (line["request_id"], line["job_id"]) == ("r1", "j1")
    assert "ValueError: bad value [redacted]" in line["exception"]
    assert PERSON not in buffer.getvalue()
    assert line["time"].endswith("+00:00")


def test_text_lines_are_masked_too() -> None:
    buffer = io.StringIO()
    handler = logs.handler("text", buffer)
    record = logging.LogRecord("rightsdesk", logging.WARNING, __file__, 1, "to %s", (PERSON,), None)
    assert handler.filter(record)
    handler.handle(record)
    assert buffer.getvalue().rstrip().endswith("WARNING rightsdesk: to [redacted]")


def test_configure_replaces_its_handler_and_keeps_sqlalchemy_quiet(json_logs: io.StringIO) -> None:
    root = logging.getLogger()
    ours = [h for h in root.handlers if getattr(h, "rightsdesk", False)]
    logs.configure("json", "DEBUG", json_logs)
    assert [h for h in root.handlers if getattr(h, "rightsdesk", False)] != ours
    assert len([h for h in root.handlers if getattr(h, "rightsdesk", False)]) == 1
    assert root.level == logging.DEBUG
    # at INFO SQLAlchemy would log every statement with its parameters
    assert logging.getLogger("sqlalchemy.engine").getEffectiveLevel() >= logging.WARNING


def test_a_whole_request_flow_logs_json_without_the_persons_identifiers(
    json_logs: io.StringIO,
    logged_live: httpx.Client,
    services: Services,
    mailbox: Mailbox,
    receiver: Receiver,
    key: KeyMaker,
    clock: Clock,
) -> None:
    """Submit, verify, search, approve, run, and a recipient webhook that fails for good."""
    receiver.answers = [500] * 10  # the ad_partner recipient refuses every attempt
    identities = [{"kind": "email", "value": PERSON}]
    submitted = logged_live.post("/v1/requests", json={"type": "delete", "identities": identities})
    assert submitted.status_code == 201, submitted.text
    request_id, token = submitted.json()["id"], submitted.json()["token"]
    wait_for_mail(mailbox, 1)
    code = emailed_code(mailbox)
    verified = logged_live.post(
        f"/v1/requests/{request_id}/verify", json={"code": code}, headers=bearer(token)
    )
    assert verified.status_code == 200, verified.text
    operator = key("decide")
    found = logged_live.get("/v1/admin/requests", params={"q": PERSON}, headers=operator)
    assert found.json()["total"] == 1
    approved = logged_live.post(
        f"/v1/admin/requests/{request_id}/approve", json={}, headers=operator
    )
    assert approved.status_code == 200, approved.text
    services.jobs.drain()
    for _ in range(3):  # the retries, until the delivery is marked failed
        clock.advance(hours=7)
        wiring.sweep(services)
    shown = logged_live.get(f"/v1/admin/requests/{request_id}", headers=operator).json()
    assert shown["status"] == "completed"

    text = json_logs.getvalue()
    lines = [json.loads(line) for line in text.splitlines()]
    assert all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    secrets = [PERSON, DEMO_PHONE, DEMO_PHONE.removeprefix("+86"), "李伟", "wei.li", token, code]
    secrets.append(operator["X-API-Key"])
    leaked = [s for s in secrets if s in text or json.dumps(s)[1:-1] in text]
    assert not leaked, leaked
    # the lines an operator needs are there, with their ids as fields
    done = [entry for entry in lines if entry.get("event") == "job_done"]
    assert [entry["request_id"] for entry in done] == [request_id] and "job_id" in done[0]
    failed = [entry for entry in lines if entry.get("event") == "delivery_failed"]
    assert failed and failed[0]["level"] == "ERROR" and failed[0]["request_id"] == request_id
    access = [entry for entry in lines if entry["logger"] == "uvicorn.access"]
    assert any("/v1/admin/requests?q=[redacted]" in entry["message"] for entry in access), access

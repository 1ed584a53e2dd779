"""Verification channels: SMS codes, the host platform's signed login token, step-up rules."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import jwt
import pytest

from rightsdesk.domain.errors import AuthenticationError, PolicyError
from rightsdesk.domain.requests import RequestType
from rightsdesk.domain.subjects import Identity
from rightsdesk.service.requests import intake, views
from rightsdesk.service.runtime import wiring
from rightsdesk.service.runtime.context import Services
from rightsdesk.service.verification import codes as verification
from rightsdesk.settings import Settings
from tests.mailbox import Mailbox
from tests.service.conftest import HOST_SECRET, PERSON, Clock


def host_token(
    clock: Clock, *, secret: str = HOST_SECRET, age: timedelta = timedelta(0), **claims: object
) -> str:
    issued = clock.now - age
    body = {
        "sub": "1",
        "email": PERSON,
        "aud": "rightsdesk",
        "iat": issued,
        "exp": issued + timedelta(minutes=5),
    }
    return jwt.encode({**body, **claims}, secret, algorithm="HS256")


def test_a_fresh_host_token_verifies_at_once(services: Services, clock: Clock) -> None:
    done = intake.submit(
        services, intake.Submission(RequestType.ACCESS, host_token=host_token(clock))
    )
    services.jobs.drain()
    shown = views.detail(services, done.request.id)
    assert shown.verified and shown.status == "completed"
    assert {(i.kind, i.value) for i in shown.identities} == {
        ("user_id", "1"),
        ("email", PERSON),
    }
    assert next(e for e in shown.events if e.event == "verify").data == {"method": "host_token"}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"secret": "someone-elses-secret-of-enough-length"}, "Signature verification failed"),
        ({"age": timedelta(minutes=11), "exp": None}, "too old|expired"),
        ({"aud": "another-service"}, "Audience"),
    ],
)
def test_bad_host_tokens_are_refused(
    services: Services, clock: Clock, options: dict[str, object], message: str
) -> None:
    claims = {k: v for k, v in options.items() if k not in {"secret", "age"}}
    if claims.get("exp", 0) is None:
        claims["exp"] = clock.now + timedelta(minutes=1)
    token = host_token(
        clock,
        secret=str(options.get("secret", HOST_SECRET)),
        age=options.get("age", timedelta(0)),  # type: ignore[arg-type]
        **claims,
    )
    with pytest.raises(AuthenticationError, match=message):
        intake.submit(services, intake.Submission(RequestType.ACCESS, host_token=token))


def test_identities_beyond_the_token_claims_are_refused(services: Services, clock: Clock) -> None:
    with pytest.raises(PolicyError, match="signed login token"):
        intake.submit(
            services,
            intake.Submission(
                RequestType.ACCESS,
                (Identity("email", "someone.else@example.com"),),
                host_token=host_token(clock),
            ),
        )


@pytest.fixture
def sms_services(settings: Settings, clock: Clock, tmp_path: Path) -> Iterator[Services]:
    built = wiring.build(
        settings.model_copy(update={"sms_url": (tmp_path / "sms.jsonl").as_uri()}), clock=clock
    )
    yield built
    wiring.close(built)


def test_a_phone_number_gets_its_code_by_sms(sms_services: Services, tmp_path: Path) -> None:
    done = intake.submit(
        sms_services, intake.Submission(RequestType.ACCESS, (Identity("phone", "+8613800138000"),))
    )
    wiring.settle(sms_services)  # notices go out in the background
    lines = [json.loads(line) for line in (tmp_path / "sms.jsonl").read_text().splitlines()]
    assert {line["to"] for line in lines} == {"+8613800138000"}
    code = next(m.group(1) for line in lines if (m := re.search(r"(\d{6})", line["text"])))
    result = verification.enter_code(sms_services, done.request.id, done.token, code)
    assert result.ok and result.status in {"verified", "awaiting_approval", "approved"}


def test_notices_go_out_in_the_background_after_commit(
    settings: Settings, clock: Clock, mailbox: Mailbox
) -> None:
    mailbox.clear()
    built = wiring.build(settings, clock=clock)
    try:
        done = intake.submit(
            built, intake.Submission(RequestType.ACCESS, (Identity("email", PERSON),))
        )
        wiring.settle(built)
        (message,) = [m for m in mailbox.messages if PERSON in m.envelope_to]
        # one message: the code, which also acknowledges the request with its due date
        assert done.request.id in message.subject
        assert "answer by" in message.body or "前答复您" in message.body
    finally:
        wiring.close(built)

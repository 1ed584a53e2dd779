"""A request service on each store backend, real SMTP (aiosmtpd), the demo platform, a fake clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr

from rightsdesk.demo import direct as demo
from rightsdesk.service.runtime import wiring
from rightsdesk.service.runtime.context import Services
from rightsdesk.settings import Settings
from tests.mailbox import Mailbox

PERSON = "li.wei@example.com"
HOST_SECRET = "host-platform-shared-secret-for-tests"


class Clock:
    """The service's clock, moved by hand (time-dependent rules are tested on fixed dates)."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    # a Monday in Beijing, well clear of holidays
    return Clock(datetime(2026, 6, 8, 2, 0, tzinfo=UTC))


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="store-sqlite"),
        pytest.param("postgres", id="store-postgres", marks=pytest.mark.postgres),
    ]
)
def store_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


@pytest.fixture(scope="session")
def mailbox() -> Iterator[Mailbox]:
    with Mailbox() as box:
        yield box


@pytest.fixture
def platform(tmp_path: Path) -> Path:
    return demo.build(tmp_path / "demo", 30)


@pytest.fixture
def settings(tmp_path: Path, store_url: str, mailbox: Mailbox, platform: Path) -> Settings:
    return Settings(
        state_dir=tmp_path / "state",
        database_url=store_url,
        datamap=platform,
        mail_url=f"smtp://127.0.0.1:{mailbox.port}",
        secret_key=SecretStr("test-secret-of-at-least-thirty-two-characters"),
        host_token_secret=SecretStr(HOST_SECRET),
        workers=1,
    )


@pytest.fixture
def services(settings: Settings, clock: Clock, mailbox: Mailbox) -> Iterator[Services]:
    mailbox.clear()
    built = wiring.build(settings, clock=clock)
    # deliver notices inline, so a test reads the newest code as soon as a call returns;
    # background delivery (the default) has its own test
    assert built.outbox is not None and built.hooks is not None
    built.outbox.close()
    built.outbox = None
    built.hooks.close()  # deliveries (webhooks, recipient mail) too
    built.hooks = None
    try:
        yield built
    finally:
        wiring.close(built)

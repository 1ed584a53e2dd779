"""The API tests' fixtures (a service per store backend, real SMTP, the demo platform, keys),
plus a real uvicorn server whose own loggers go through rightsdesk's log handler."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from rightsdesk.api.app import create_app
from rightsdesk.observability import logs
from rightsdesk.service.runtime.context import Services
from tests.api import conftest as api_fixtures
from tests.api.conftest import serving

clock = api_fixtures.clock
key = api_fixtures.key
live = api_fixtures.live
mailbox = api_fixtures.mailbox
platform = api_fixtures.platform
port = api_fixtures.port
services = api_fixtures.services
settings = api_fixtures.settings
store_url = api_fixtures.store_url

_UVICORN = ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi")


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    """Every log record of the test, at DEBUG, as JSON lines in a buffer (as `serve` logs)."""
    root = logging.getLogger()
    names = (*_UVICORN, "sqlalchemy.engine", "sqlalchemy.pool", "sqlalchemy.orm", "mail.log")
    before = root.level, list(root.handlers), {n: logging.getLogger(n).level for n in names}
    buffer = io.StringIO()
    logs.configure("json", "DEBUG", buffer)
    # the tests' own SMTP server (aiosmtpd) logs each message it receives at DEBUG
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    try:
        yield buffer
    finally:
        for handler in list(root.handlers):
            if handler not in before[1]:
                root.removeHandler(handler)
        root.setLevel(before[0])
        for name, level in before[2].items():
            logging.getLogger(name).setLevel(level)


@pytest.fixture
def logged_live(services: Services, port: int) -> Iterator[httpx.Client]:
    """uvicorn as `rightsdesk serve` runs it: no logging config of its own, access log on."""
    config = uvicorn.Config(
        create_app(services),
        host="127.0.0.1",
        port=port,
        log_config=None,
        log_level="debug",
        access_log=True,
        ws="none",
    )
    with serving(config) as client:
        yield client

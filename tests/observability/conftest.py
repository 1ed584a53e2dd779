"""The API tests' fixtures (a service per store backend, real SMTP, the demo platform, keys),
plus a real uvicorn server whose own loggers go through rightsdesk's log handler."""

from __future__ import annotations

import io
import logging
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from rightsdesk.api.app import create_app
from rightsdesk.observability import logs
from rightsdesk.service.context import Services
from tests.api import conftest as api_fixtures

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
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            yield client
    finally:
        server.should_exit = True
        thread.join(10)

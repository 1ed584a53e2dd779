"""The API in-process (httpx over ASGI) or behind a real uvicorn server, with keys and tokens."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import anyio.from_thread
import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr

from rightsdesk.api.app import create_app
from rightsdesk.service.runtime import operators
from rightsdesk.service.runtime.context import Services
from rightsdesk.settings import Settings
from tests.mailbox import Mailbox, free_port
from tests.service import conftest as service_fixtures

# the service tests' fixtures: a fake clock, real SMTP, the demo platform, each store backend
clock = service_fixtures.clock
mailbox = service_fixtures.mailbox
platform = service_fixtures.platform
services = service_fixtures.services
store_url = service_fixtures.store_url


class Api:
    """The app called in-process from a synchronous test; app errors come back as 500s."""

    def __init__(self, portal: anyio.from_thread.BlockingPortal, client: httpx.AsyncClient) -> None:
        self._portal = portal
        self._client = client

    def request(self, method: str, url: str, **options: object) -> httpx.Response:
        call = partial(self._client.request, method, url, **options)  # type: ignore[arg-type]
        return self._portal.call(call)

    def get(self, url: str, **options: object) -> httpx.Response:
        return self.request("GET", url, **options)

    def post(self, url: str, **options: object) -> httpx.Response:
        return self.request("POST", url, **options)


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def settings(
    tmp_path: Path, store_url: str, mailbox: Mailbox, platform: Path, port: int
) -> Settings:
    """The service tests' settings, with download links pointing at the live server's port."""
    return Settings(
        state_dir=tmp_path / "state",
        database_url=store_url,
        datamap=platform,
        mail_url=mailbox.url,
        secret_key=SecretStr("test-secret-of-at-least-thirty-two-characters"),
        host_token_secret=SecretStr(service_fixtures.HOST_SECRET),
        public_url=f"http://127.0.0.1:{port}",
        workers=1,
    )


@pytest.fixture
def api_app(services: Services) -> FastAPI:
    return create_app(services)


@pytest.fixture
def api(api_app: FastAPI) -> Iterator[Api]:
    transport = httpx.ASGITransport(app=api_app, raise_app_exceptions=False)
    with anyio.from_thread.start_blocking_portal() as portal:
        client = httpx.AsyncClient(transport=transport, base_url="http://test")
        with portal.wrap_async_context_manager(client) as entered:
            yield Api(portal, entered)


@pytest.fixture
def live(services: Services, port: int) -> Iterator[httpx.Client]:
    """A real uvicorn server on 127.0.0.1 and a client for it."""
    config = uvicorn.Config(
        create_app(services), host="127.0.0.1", port=port, log_level="warning", ws="none"
    )
    with serving(config) as client:
        yield client


@contextmanager
def serving(config: uvicorn.Config) -> Iterator[httpx.Client]:
    """Run ``config``'s server on a thread until the block ends; a client for it."""
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    try:
        base = f"http://{config.host}:{config.port}"
        with httpx.Client(base_url=base, timeout=10) as client:
            yield client
    finally:
        server.should_exit = True
        thread.join(10)


KeyMaker = Callable[..., dict[str, str]]


@pytest.fixture
def key(services: Services) -> KeyMaker:
    """``key("read")`` -> the X-API-Key header of a new operator key with those scopes."""

    def make(*scopes: str) -> dict[str, str]:
        _, secret = operators.create_key(services, f"key {'+'.join(scopes)}", list(scopes))
        return {"X-API-Key": secret}

    return make

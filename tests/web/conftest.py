"""A real server and a real browser: uvicorn on a free port, Debian's chromium through Playwright.

One server and one browser per session (starting chromium costs about two seconds); each test
gets a fresh browser context (its own cookies and language). Chromium that cannot start fails
the test with how to install it, never skips it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError
from pydantic import SecretStr

from rightsdesk.api.app import create_app
from rightsdesk.demo import direct as demo
from rightsdesk.notify import outbox
from rightsdesk.service.runtime import wiring
from rightsdesk.service.runtime.context import Services
from rightsdesk.settings import Settings
from tests.api.conftest import serving
from tests.mailbox import free_port

CHROMIUM = "/usr/bin/chromium"
#: Without the background-networking flags chromium's own connections (updates, sync, field
#: trials) hang on a closed network; --no-sandbox because CI runs as root.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HOST_SECRET = "host-platform-shared-secret-for-browser-tests"


@dataclass
class Site:
    """The running server: its base URL, its services, and the outbox it writes mail to."""

    url: str
    services: Services
    mail: Path

    def messages(self, to: str) -> list[outbox.Message]:
        return [m for m in outbox.read(self.mail) if m.to == to]

    def wait_for_mail(self, to: str, count: int, timeout: float = 10) -> outbox.Message:
        """The ``count``-th message to ``to`` (1-based), waiting for background delivery."""
        deadline = time.monotonic() + timeout
        while len(found := self.messages(to)) < count:
            subjects = [m.subject for m in found]
            assert time.monotonic() < deadline, f"{count} message(s) to {to}? got {subjects}"
            time.sleep(0.05)
        return found[count - 1]

    def code_for(self, to: str, count: int) -> str:
        """The one-time code in the ``count``-th message to ``to``."""
        code = self.wait_for_mail(to, count).code
        assert code is not None, f"message {count} to {to} carries no code"
        return code


@contextmanager
def running(
    root: Path,
    mail_url: str,
    prepare: Callable[[Path], object] | None = None,
    **settings: object,
) -> Iterator[Services]:
    """The product on a free port over the demo platform in ``root``, mailing to ``mail_url``
    (``prepare`` changes the demo's data map file first; ``settings`` override the test's own,
    e.g. ``cooling_off_days``)."""
    port = free_port()
    datamap = demo.build(root / "platform", 30)
    if prepare is not None:
        prepare(datamap)
    chosen = Settings(
        state_dir=root / "state",
        datamap=datamap,
        mail_url=mail_url,
        sms_url=f"file://{root / 'sms'}",
        secret_key=SecretStr("browser-test-secret-of-at-least-thirty-two-characters"),
        host_token_secret=SecretStr(HOST_SECRET),
        public_url=f"http://127.0.0.1:{port}",
        workers=1,
        **settings,  # type: ignore[arg-type]
    )
    services = wiring.build(chosen)
    config = uvicorn.Config(
        create_app(services), host="127.0.0.1", port=port, log_level="warning", ws="none"
    )
    try:
        with serving(config):
            yield services
    finally:
        wiring.close(services)


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("site")
    with running(root, f"file://{root / 'outbox'}") as services:
        yield Site(services.settings.public_url, services, root / "outbox")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        failure = ""
        try:
            launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except PlaywrightError as exc:
            failure = f"chromium at {CHROMIUM} did not start ({exc.message.splitlines()[0]}); "
            failure += "install it: bash scripts/browser.sh (apt-get install chromium)"
        if failure:
            pytest.fail(failure, pytrace=False)
        yield launched
        launched.close()


PageMaker = Callable[..., Page]
#: Set to a folder (docs/screenshots) to save the main pages as the flows pass through them.
SHOTS = os.environ.get("RIGHTSDESK_SCREENSHOTS")


def screenshot(page: Page, name: str) -> None:
    """Save the whole page as ``<name>.png`` when RIGHTSDESK_SCREENSHOTS names a folder."""
    if SHOTS:
        page.screenshot(path=Path(SHOTS) / f"{name}.png", full_page=True)


@pytest.fixture
def new_page(browser: Browser, site: Site) -> Iterator[PageMaker]:
    """``new_page("zh-CN")``: a page in a fresh context whose browser prefers that language."""
    contexts = []

    def make(locale: str = "en-US", **options: object) -> Page:
        context = browser.new_context(base_url=site.url, locale=locale, **options)  # type: ignore[arg-type]
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()

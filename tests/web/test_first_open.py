"""The follow link opened twice at the same moment, the first time (two tabs, a mail client's
prefetch): both opens succeed and the link's capability is one row (issue 17).

The link's token gets its row on first use (``verification._follow_row``); concurrent first
opens race to insert it. Real HTTP against a live server on each store, no browser needed: the
race is between requests, not pages.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from rightsdesk.domain.requests import RequestType
from rightsdesk.domain.subjects import Identity
from rightsdesk.service.requests import intake
from rightsdesk.service.runtime.context import Services
from rightsdesk.service.verification.codes import token_hash
from rightsdesk.store.models import AccessToken
from tests.web.conftest import running

OPENS = 8  # at once, per request
REQUESTS = 4


@pytest.fixture
def server(tmp_path: Path, db_url: str) -> Iterator[Services]:
    with running(tmp_path, f"file://{tmp_path / 'outbox'}", database_url=db_url) as services:
        yield services


def _open_at_once(url: str) -> list[httpx.Response]:
    """``OPENS`` clients (no shared cookies) GET ``url`` released together."""
    start = threading.Barrier(OPENS)

    def one(_: int) -> httpx.Response:
        with httpx.Client(timeout=30) as client:
            start.wait()
            return client.get(url)

    with ThreadPoolExecutor(OPENS) as pool:
        return list(pool.map(one, range(OPENS)))


def test_concurrent_first_opens_all_succeed_with_one_capability_row(server: Services) -> None:
    base = server.settings.public_url
    for n in range(REQUESTS):
        done = intake.submit(
            server,
            intake.Submission(
                type=RequestType.ACCESS,
                identities=(Identity("email", f"race.{n}@example.com"),),
                channel="web",
            ),
        )
        request_id = done.request.id
        link = server.secrets.follow_token(request_id)
        answers = _open_at_once(f"{base}/requests/{request_id}/open?token={link}")
        assert [r.status_code for r in answers] == [303] * OPENS, [r.text for r in answers]
        assert {r.headers["location"] for r in answers} == {f"/requests/{request_id}"}
        with server.store.session() as session:
            rows = session.scalar(
                select(func.count())
                .select_from(AccessToken)
                .where(AccessToken.token_hash == token_hash(server, link))
            )
        assert rows == 1

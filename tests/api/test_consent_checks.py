"""The consent check the host's jobs call (WDR-03, WDR-04, OPT-05 groundwork): cached, and a
withdrawal shows at once, also when another process records it. A real uvicorn server, a real
second process (the CLI), both stores.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from rightsdesk.domain.subjects import Identity
from rightsdesk.service.consent import choices as consent
from rightsdesk.service.runtime.context import Services
from rightsdesk.settings import Settings
from tests.api.conftest import KeyMaker
from tests.api.steps import bearer, host_token
from tests.service.conftest import PERSON, Clock
from tests.service.receiver import platform, receiver, settings

__all__ = ["platform", "receiver", "settings"]  # fixtures
ME = (Identity("user_id", "1"), Identity("email", PERSON))
ASKED = [{"kind": "user_id", "value": "1"}]


def ask(live: httpx.Client, headers: dict[str, str], purpose: str, who: Any = None) -> Any:
    body = {"purpose": purpose, "identities": ASKED if who is None else who}
    response = live.post("/v1/consent-checks", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_withdrawal_through_the_api_shows_in_the_next_check(
    live: httpx.Client, services: Services, key: KeyMaker, clock: Clock
) -> None:
    """WDR-03: the host asks before each job; the answer is cached (hits counted), and the
    person's withdrawal turns it to "no" on the very next call, before any webhook is acted on."""
    host = key("read")
    consent.decide(services, ME, "marketing", given=True, method="api")
    first = ask(live, host, "marketing")
    assert (first["allowed"], first["state"], first["source"]) == (True, "active", "receipt")
    hits = services.consent_checks.hits
    assert ask(live, host, "marketing") == first
    assert services.consent_checks.hits == hits + 1  # the second answer came from the cache
    # asked with more identities: the receipts filed under any of them count
    both = ask(live, host, "marketing", [*ASKED, {"kind": "email", "value": PERSON}])
    assert both["allowed"] is True

    signed_in = bearer(host_token(clock.now))
    assert live.delete("/v1/consents/marketing", headers=signed_in).status_code == 200
    after = ask(live, host, "marketing")
    assert (after["allowed"], after["state"]) == (False, "revoked")
    assert after["version"] > first["version"]
    # WDR-04: a purpose on another basis is unaffected; one never given is not allowed
    service = ask(live, host, "service")
    assert (service["allowed"], service["basis"], service["source"]) == (True, "contract", "basis")
    assert ask(live, host, "analytics")["allowed"] is False
    # an opt-out purpose is in force until withdrawn
    assert ask(live, host, "ad_sharing")["allowed"] is True


def test_a_withdrawal_recorded_by_another_process_shows_at_once(
    live: httpx.Client,
    services: Services,
    key: KeyMaker,
    settings: Settings,
    platform: Path,
    clock: Clock,
) -> None:
    """The multi-worker case: the server has the answer cached; a separate process (the CLI,
    as a Celery worker or a second API process would) records the withdrawal in the shared
    store; the server's next check says no. (The server's clock is set to the real one: the
    other process decides at the real time.)"""
    host = key("read")
    clock.now = datetime.now(UTC) - timedelta(hours=1)
    consent.decide(services, ME, "marketing", given=True, method="api")
    assert ask(live, host, "marketing")["allowed"] is True
    assert ask(live, host, "marketing")["allowed"] is True  # cached now
    assert settings.secret_key is not None
    env = {
        **os.environ,
        "RIGHTSDESK_DATABASE_URL": settings.store_url(),
        "RIGHTSDESK_DATAMAP": str(platform),
        "RIGHTSDESK_SECRET_KEY": settings.secret_key.get_secret_value(),
        "RIGHTSDESK_STATE_DIR": str(settings.state_dir),
    }
    done = subprocess.run(
        [sys.executable, "-m", "rightsdesk", "consent", "withdraw", "marketing", "-i", "user_id=1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    clock.now = datetime.now(UTC) + timedelta(seconds=1)  # the cached answer had no end
    assert ask(live, host, "marketing")["allowed"] is False


def test_bad_checks_are_clear_4xx(live: httpx.Client, key: KeyMaker) -> None:
    host = key("read")
    body = {"purpose": "marketing", "identities": ASKED}
    assert live.post("/v1/consent-checks", json=body).status_code == 401
    unknown = live.post("/v1/consent-checks", json={**body, "purpose": "nope"}, headers=host)
    assert unknown.status_code == 404 and "marketing" in unknown.json()["detail"]
    nobody = live.post("/v1/consent-checks", json={**body, "identities": []}, headers=host)
    assert nobody.status_code == 422
    odd = live.post("/v1/consent-checks", json={**body, "purpose": "a b"}, headers=host)
    assert odd.status_code == 422

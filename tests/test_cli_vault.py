"""`rightsdesk vault ...` on the embedded store: read as a role, refused roles, the sweep."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from rightsdesk.service.retention import vault
from rightsdesk.service.runtime import wiring
from rightsdesk.settings import Settings
from rightsdesk.store.models import Tombstone
from tests.test_cli import invoke
from tests.vault.conftest import SUBJECT, held

TOMBSTONE = "t" * 32


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    state = tmp_path / "state"
    monkeypatch.setenv("RIGHTSDESK_STATE_DIR", str(state))
    monkeypatch.setenv("RIGHTSDESK_MAIL_URL", (tmp_path / "outbox").as_uri())
    services = wiring.build(Settings())
    try:
        with services.store.session() as session:
            at = datetime(2026, 1, 1, tzinfo=UTC)
            session.add(Tombstone(id=TOMBSTONE, request_id="r" * 32, created_at=at, obligations={}))
        vault.seal_rows(
            services,
            [
                held("1", {"note": "kept"}, until=date(2020, 1, 1)),
                held("2", {"bill": "9.90"}, subject=TOMBSTONE, roles=("finance",), until=None),
            ],
        )
    finally:
        wiring.close(services)
    return state


@pytest.mark.usefixtures("env")
def test_read_as_a_role_then_the_sweep_shreds() -> None:
    code, output = invoke("vault", "show", SUBJECT, "--role", "legal")
    assert code == 0, output
    assert json.loads(output)["items"][0]["row"] == {"note": "kept"}

    code, output = invoke("vault", "tombstone", TOMBSTONE, "--role", "finance")
    assert code == 0, output
    assert json.loads(output)["items"][0]["row"] == {"bill": "9.90"}

    code, output = invoke("vault", "show", SUBJECT, "--role", "support")
    assert code == 6 and "legal and finance roles" in output

    code, output = invoke("vault", "sweep")
    assert code == 0 and "1 vault key(s) destroyed" in output, output
    code, output = invoke("vault", "show", SUBJECT, "--role", "legal")
    assert code == 7 and "the data cannot be recovered" in output

    code, output = invoke("request", "sweep")
    assert code == 0 and "0 vault_keys_destroyed" in " ".join(output.split()), output
    assert invoke("audit", "verify")[0] == 0

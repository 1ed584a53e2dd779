"""After an erasure: the suppression list the host checks incoming records against (DEL-09,
CCR 7022(e)), and the replay of erasures after a company database is restored from a backup
(DEL-05, PIPL 47(2)), over the API and the CLI, on each store backend."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from rightsdesk.service.erasures import replay
from rightsdesk.service.retention import cases
from rightsdesk.service.runtime import wiring
from rightsdesk.service.runtime.context import Services
from rightsdesk.settings import Settings
from rightsdesk.store.erasures import ErasureEntry, Suppression
from tests.api.conftest import Api, KeyMaker
from tests.api.steps import submit, verify
from tests.mailbox import Mailbox
from tests.service.conftest import PERSON, Clock

OTHER = "someone.new@example.com"


def erase(api: Api, services: Services, mailbox: Mailbox, key: KeyMaker) -> str:
    """A deletion of PERSON, verified, approved and run; its request id."""
    submitted = submit(api, "delete")
    verify(api, mailbox, submitted)
    approved = api.post(
        f"/v1/admin/requests/{submitted['id']}/approve",
        json={"reason": "identity checked"},
        headers=key("decide"),
    )
    assert approved.status_code == 200, approved.text
    wiring.settle(services)
    shown = api.get(f"/v1/admin/requests/{submitted['id']}", headers=key("read")).json()
    assert shown["status"] == "completed", shown
    return str(submitted["id"])


def accounts(platform: Path, email: str = PERSON) -> int:
    with sqlite3.connect(platform.parent / "platform.db") as conn:
        return int(
            conn.execute("SELECT count(*) FROM accounts WHERE email = ?", (email,)).fetchone()[0]
        )


def copy_stores(source: Path, target: Path) -> None:
    """Back up (or restore) every SQLite file of the demo's data stores."""
    target.mkdir(exist_ok=True)
    for db in source.glob("*.db"):
        shutil.copy2(db, target / db.name)


def suppressed(api: Api, key: KeyMaker, *identities: tuple[str, str]) -> Any:
    body = {"identities": [{"kind": k, "value": v} for k, v in identities]}
    response = api.post("/v1/suppression-checks", json=body, headers=key("read"))
    assert response.status_code == 200, response.text
    return response.json()


def cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    """The real ``rightsdesk`` in another process, on the same store and keys."""
    assert settings.secret_key is not None and settings.datamap is not None
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("RIGHTSDESK_")},
        "RIGHTSDESK_DATABASE_URL": settings.store_url(),
        "RIGHTSDESK_DATAMAP": str(settings.datamap),
        "RIGHTSDESK_SECRET_KEY": settings.secret_key.get_secret_value(),
        "RIGHTSDESK_STATE_DIR": str(settings.state_dir),
    }
    return subprocess.run(
        [sys.executable, "-m", "rightsdesk", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_an_erased_person_is_suppressed_by_keyed_hashes_only(
    api: Api, services: Services, mailbox: Mailbox, key: KeyMaker, settings: Settings
) -> None:
    """DEL-09: the host checks a re-imported record (any case of the email) and hears it is an
    erased person's; someone else is not suppressed; the list holds no identifier."""
    assert suppressed(api, key, ("email", PERSON)) == {"suppressed": False, "matches": []}
    erase(api, services, mailbox, key)
    found = suppressed(api, key, ("email", PERSON.upper()), ("phone", "+15550000000"))
    assert found["suppressed"] is True
    assert [m["kind"] for m in found["matches"]] == ["email"]
    assert suppressed(api, key, ("email", OTHER))["suppressed"] is False
    with services.store.session() as session:
        rows = session.scalars(select(Suppression)).all()
        sealed = session.scalars(select(ErasureEntry.sealed)).all()
    assert rows and all(PERSON not in r.ref and len(r.ref) == 64 for r in rows)
    assert sealed and all(s is not None and PERSON.encode() not in s for s in sealed)

    done = cli(settings, "suppression", "check", "-i", f"email={PERSON}")
    assert done.returncode == 1 and json.loads(done.stdout)["suppressed"] is True, done.stderr
    assert cli(settings, "suppression", "check", "-i", f"email={OTHER}").returncode == 0


def test_bad_suppression_checks_are_clear_4xx(api: Api, key: KeyMaker) -> None:
    body = {"identities": [{"kind": "email", "value": PERSON}]}
    assert api.post("/v1/suppression-checks", json=body).status_code == 401
    none = api.post("/v1/suppression-checks", json={"identities": []}, headers=key("read"))
    assert none.status_code == 422
    odd = {"identities": [{"kind": "Email!", "value": PERSON}]}
    assert api.post("/v1/suppression-checks", json=odd, headers=key("read")).status_code == 422


def test_a_restore_replays_the_erasures_since_the_backup(
    api: Api,
    services: Services,
    mailbox: Mailbox,
    key: KeyMaker,
    settings: Settings,
    platform: Path,
    clock: Clock,
    tmp_path: Path,
) -> None:
    """DEL-05: restore snapshot -> subject absent after the replay, also after the case record
    was minimised (the identities are sealed in the journal); idempotent; audited; past the
    replay horizon the erasure cannot be replayed and the command says so (exit 1)."""
    backup_at = clock.now
    copy_stores(platform.parent, tmp_path / "backup")
    clock.advance(hours=1)
    request_id = erase(api, services, mailbox, key)
    assert accounts(platform) == 0

    services.settings = settings.model_copy(update={"case_retention_days": 0})
    assert cases.sweep(services) == 1  # the case record keeps no plaintext identity now
    copy_stores(tmp_path / "backup", platform.parent)  # the company restores its backup
    assert accounts(platform) == 1

    seen: list[tuple[int, int, str]] = []
    first = replay.replay(
        services, backup_at, actor="ops", progress=lambda n, of, d: seen.append((n, of, d.state))
    )
    assert accounts(platform) == 0
    assert seen == [(1, 1, "replayed")] and first.complete
    (done,) = first.erasures
    assert (done.request_id, done.rows > 0) == (request_id, True)
    again = cli(settings, "replay", "--since", backup_at.isoformat(), "--json")
    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)
    assert (summary["replayed"], summary["rows"]) == (1, 0)  # nothing of them had come back
    later = replay.replay(services, clock.now + timedelta(minutes=1), actor="ops")
    assert later.erasures == []  # erased before that date: not replayed

    audit = api.get("/v1/admin/audit/verify", headers=key("admin")).json()
    assert audit["intact"], audit
    clock.advance(days=settings.replay_horizon_days + 1)
    assert wiring.sweep(services)["replay_entries_shredded"] == 1
    copy_stores(tmp_path / "backup", platform.parent)
    expired = cli(settings, "replay", "--since", backup_at.date().isoformat())
    assert expired.returncode == 1, expired.stdout + expired.stderr
    assert "[1/1]" in expired.stdout and "expired" in expired.stdout
    assert "1 past the horizon" in expired.stdout
    assert accounts(platform) == 1  # the horizon passed: this backup is too old to restore

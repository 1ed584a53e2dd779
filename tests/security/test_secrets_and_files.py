"""Finding 9 and the Low list: short secrets, loose state files, malformed login tokens."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import httpx
import jwt
import pytest
from pydantic import SecretStr

from rightsdesk.domain.errors import PolicyError
from rightsdesk.service.runtime import wiring
from rightsdesk.settings import Settings
from tests.service.conftest import HOST_SECRET, PERSON, Clock


@pytest.mark.parametrize("key", ["", "   ", "short-key", "x" * 31])
def test_the_server_refuses_to_start_with_an_empty_or_short_secret_key(
    tmp_path: Path, store_url: str, key: str
) -> None:
    settings = Settings(state_dir=tmp_path / "state", database_url=store_url)
    with pytest.raises(PolicyError, match=r"RIGHTSDESK_SECRET_KEY is (empty|too short)"):
        wiring.build(settings.model_copy(update={"secret_key": SecretStr(key)}))


def test_serve_exits_2_naming_the_setting(tmp_path: Path) -> None:
    env = {"RIGHTSDESK_STATE_DIR": str(tmp_path / "state"), "RIGHTSDESK_SECRET_KEY": ""}
    done = subprocess.run(
        [sys.executable, "-m", "rightsdesk", "serve", "--port", "1"],
        env={**_base_env(), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "RIGHTSDESK_SECRET_KEY is empty" in done.stderr


def test_a_world_readable_state_directory_is_tightened(tmp_path: Path, store_url: str) -> None:
    state = tmp_path / "state"
    state.mkdir(mode=0o755)
    state.chmod(0o755)
    (state / "secret.key").write_text("k" * 64)
    (state / "secret.key").chmod(0o644)
    services = wiring.build(Settings(state_dir=state, database_url=store_url))
    wiring.close(services)
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    assert stat.S_IMODE((state / "secret.key").stat().st_mode) == 0o600


def test_development_still_generates_a_private_key(tmp_path: Path, store_url: str) -> None:
    state = tmp_path / "fresh"
    services = wiring.build(Settings(state_dir=state, database_url=store_url))
    wiring.close(services)
    key = state / "secret.key"
    assert len(key.read_text().strip()) == 64 and stat.S_IMODE(key.stat().st_mode) == 0o600


@pytest.mark.parametrize("field", ["exp", "iat"])
@pytest.mark.parametrize("value", ["nan", "1e999", True, None, [1]])
def test_login_tokens_with_non_numeric_times_are_refused(
    live: httpx.Client, clock: Clock, field: str, value: object
) -> None:
    issued = int(clock.now.timestamp())
    claims = {"sub": "1", "email": PERSON, "aud": "rightsdesk", "iat": issued, "exp": issued + 60}
    claims[field] = value
    token = jwt.encode(claims, HOST_SECRET, algorithm="HS256")
    answer = live.post("/v1/requests", json={"type": "access", "host_token": token})
    assert answer.status_code == 401, answer.text


def _base_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("RIGHTSDESK_")}

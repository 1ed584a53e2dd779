"""The app factory for gunicorn / `uvicorn --factory`: settings from the environment."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import anyio
import httpx
import pytest

from rightsdesk.api import server
from rightsdesk.service.runtime import wiring


def test_the_factory_builds_an_app_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, json_logs: io.StringIO
) -> None:
    monkeypatch.setenv("RIGHTSDESK_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("RIGHTSDESK_LOG_FORMAT", "json")
    monkeypatch.setenv("RIGHTSDESK_METRICS_ANONYMOUS", '["127.0.0.1/32"]')
    app = server.create()
    services = app.state.services
    try:
        assert services.step_observer is not None
        health, scraped = anyio.run(_get, app)
        assert health == {"status": "ok"}
        assert "rightsdesk_store_up 1.0" in scraped  # anonymous: from 127.0.0.1
        handlers = [h for h in logging.getLogger().handlers if getattr(h, "rightsdesk", False)]
        assert len(handlers) == 1
    finally:
        wiring.close(services)


async def _get(app: object) -> tuple[object, str]:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 5000))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        health = (await client.get("/healthz")).json()
        return health, (await client.get("/metrics")).text

"""The app factory for ASGI servers other than `rightsdesk serve` (gunicorn, uvicorn --factory).

Each server process builds its own Services from the environment, logs as the settings say and
observes its steps; the sweep is left to `rightsdesk request sweep` on a timer, so N processes
do not sweep N times.
"""

from __future__ import annotations

from fastapi import FastAPI

from rightsdesk.api.app import create_app
from rightsdesk.observability import logs, metrics
from rightsdesk.service import wiring
from rightsdesk.settings import Settings


def create() -> FastAPI:
    settings = Settings()
    logs.configure(settings.log_format, settings.log_level)
    services = wiring.build(settings)
    metrics.install(services)
    return create_app(services)

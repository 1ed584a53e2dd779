"""The one composition root of the API: settings -> logging, Services, metrics, the app.

`rightsdesk serve` and other ASGI servers (gunicorn, uvicorn --factory, through ``create``) build
the application here. Each server process builds its own Services from the environment, logs as
the settings say and observes its steps; the sweep is left to `rightsdesk request sweep` on a
timer (or to `serve`'s own thread), so N processes do not sweep N times.
"""

from __future__ import annotations

from fastapi import FastAPI

from rightsdesk.api.app import create_app
from rightsdesk.observability import logs, metrics
from rightsdesk.service.runtime import wiring
from rightsdesk.service.runtime.context import Services
from rightsdesk.settings import Settings


def compose(settings: Settings) -> tuple[FastAPI, Services]:
    """The application and the Services it runs on; the caller closes them (``wiring.close``)."""
    logs.configure(settings.log_format, settings.log_level)
    services = wiring.build(settings)
    metrics.install(services)
    return create_app(services), services


def create() -> FastAPI:
    """The app factory for ASGI servers: settings from the environment."""
    return compose(Settings())[0]

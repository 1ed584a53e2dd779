"""Build the FastAPI application around one Services object."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]

from rightsdesk import __version__, web
from rightsdesk.api import (
    bindings,
    consent,
    deliveries,
    errors,
    metrics,
    operator,
    person,
    restrictions,
    vault,
)
from rightsdesk.api.hygiene import Hygiene
from rightsdesk.service.runtime.context import Services


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Endpoints are synchronous and run on worker threads. Many threads in one process only
    # queue for the GIL (and hold database locks meanwhile), so keep a few per CPU.
    threads = app.state.services.settings.api_threads
    anyio.to_thread.current_default_thread_limiter().total_tokens = threads
    yield


def create_app(services: Services) -> FastAPI:
    app = FastAPI(
        lifespan=_lifespan,
        docs_url=None,  # served below from local files, not a CDN
        redoc_url=None,
        title="rightsdesk",
        version=__version__,
        summary="Exercise your rights over your personal information; operators answer them.",
    )
    app.state.services = services
    errors.install(app)
    app.include_router(person.router)
    app.include_router(operator.router)
    app.include_router(deliveries.router)
    app.include_router(consent.router)
    app.include_router(vault.router)
    app.include_router(bindings.router)
    app.include_router(restrictions.router)
    app.include_router(metrics.router)
    web.install(app)  # the privacy center's pages, over the same service functions

    app.add_middleware(Hygiene)
    app.mount("/docs-assets", StaticFiles(directory=swagger_ui_path), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="rightsdesk API",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/docs-assets/favicon-32x32.png",
        )

    @app.get("/healthz", tags=["service"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app

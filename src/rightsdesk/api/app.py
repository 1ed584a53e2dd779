"""Build the FastAPI application around one Services object."""

from __future__ import annotations

from fastapi import FastAPI

from rightsdesk import __version__
from rightsdesk.api import errors, operator, person
from rightsdesk.service.context import Services


def create_app(services: Services) -> FastAPI:
    app = FastAPI(
        title="rightsdesk",
        version=__version__,
        summary="Exercise your rights over your personal information; operators answer them.",
    )
    app.state.services = services
    errors.install(app)
    app.include_router(person.router)
    app.include_router(operator.router)

    @app.get("/healthz", tags=["service"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app

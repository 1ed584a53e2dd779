"""The web edge: server-rendered pages over the same service functions as the JSON API."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from rightsdesk.web import center, reading

STATIC = Path(__file__).with_name("static")


def install(app: FastAPI) -> None:
    """Add the privacy center's pages and their stylesheet to the API's app."""
    app.include_router(center.router)
    app.include_router(reading.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

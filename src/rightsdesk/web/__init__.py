"""The web edge: server-rendered pages over the same service functions as the JSON API."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from rightsdesk.web import account, admin, center, console, correct, dashboard, decide, reading

STATIC = Path(__file__).with_name("static")


def install(app: FastAPI) -> None:
    """Add the privacy center's and the operator console's pages and their stylesheet."""
    for module in (center, reading, account, correct, console, decide, dashboard, admin):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

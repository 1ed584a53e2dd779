"""The one place errors become HTTP responses: a status and a reason, never a bare 500."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from rightsdesk.domain.errors import (
    AuthenticationError,
    ConflictError,
    DataMapError,
    GuardError,
    LockedOutError,
    NotFoundError,
    PermissionDeniedError,
    PolicyError,
    RightsdeskError,
)
from rightsdesk.notify.errors import DeliveryError
from rightsdesk.vault.errors import KeyDestroyedError

log = logging.getLogger("rightsdesk.api")

#: Most specific first.
STATUS: list[tuple[type[RightsdeskError], int]] = [
    (LockedOutError, 429),
    (AuthenticationError, 401),
    (PermissionDeniedError, 403),
    (NotFoundError, 404),
    (KeyDestroyedError, 410),  # crypto-shredded: gone for good (a ConflictError elsewhere)
    (ConflictError, 409),
    (GuardError, 409),  # the blast-radius guard stopped a run: the data map needs review
    (PolicyError, 422),
    (DataMapError, 422),
    (DeliveryError, 503),
]


def problem(
    status: int, error: str, detail: object, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    extra = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    return JSONResponse(
        {"error": error, "detail": detail},
        status_code=status,
        headers={**extra, **(headers or {})} or None,
    )


def install(app: FastAPI) -> None:
    @app.exception_handler(RightsdeskError)
    async def rightsdesk_error(_: Request, exc: RightsdeskError) -> JSONResponse:
        status = next((code for kind, code in STATUS if isinstance(exc, kind)), 500)
        if status == 500:
            log.error("unmapped error: %s", exc)
        return problem(status, type(exc).__name__, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def framework_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        name = HTTPStatus(exc.status_code).phrase.replace(" ", "").replace("-", "")
        return problem(exc.status_code, name, exc.detail, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = [
            {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()
        ]
        return problem(422, "InvalidInput", details)

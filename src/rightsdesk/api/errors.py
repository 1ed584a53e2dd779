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
    Code,
    ConflictError,
    ConnectorError,
    DatabaseUrlError,
    DataMapError,
    DeliveryError,
    DocumentTooLargeError,
    DocumentTypeError,
    EvidenceError,
    ExecutionError,
    GuardError,
    InputError,
    KeyDestroyedError,
    KeyFileError,
    LockedOutError,
    NotFoundError,
    NotifyError,
    PermissionDeniedError,
    PlanError,
    PolicyError,
    PolicyFileError,
    RenderError,
    RightsdeskError,
    SignerUnknownError,
    TamperedError,
    VaultError,
    nearest,
)
from rightsdesk.domain.requests import TransitionError
from rightsdesk.domain.states import StateError

log = logging.getLogger("rightsdesk.api")

#: The one table of HTTP statuses: every error class has a row, looked up along the exception's
#: class hierarchy. 4xx: the caller can fix it; 503: something the service needs (a data store,
#: the vault's key, a transport, a template, a key file) is not usable now, nothing was lost.
STATUS: dict[type[RightsdeskError], int] = {
    RightsdeskError: 500,
    InputError: 422,
    DocumentTypeError: 415,
    DocumentTooLargeError: 413,
    PolicyError: 422,
    PolicyFileError: 422,
    DataMapError: 422,
    PlanError: 422,  # the request's identities reach nothing the data map can plan for
    AuthenticationError: 401,
    LockedOutError: 429,
    PermissionDeniedError: 403,
    NotFoundError: 404,
    ConflictError: 409,
    TransitionError: 409,
    StateError: 409,
    GuardError: 409,  # the blast-radius guard stopped a run: the data map needs review
    ConnectorError: 503,  # a data store is unreachable or refused a statement
    DatabaseUrlError: 503,
    ExecutionError: 503,  # rolled back and resumable: try again later
    NotifyError: 503,
    DeliveryError: 503,
    RenderError: 503,
    VaultError: 503,
    TamperedError: 500,  # stored ciphertext does not authenticate: not the caller's doing
    KeyDestroyedError: 410,  # crypto-shredded: gone for good (a ConflictError elsewhere)
    KeyFileError: 503,
    EvidenceError: 500,
    SignerUnknownError: 422,
}


def status_of(exc: RightsdeskError) -> int:
    """The HTTP status of ``exc``: the row of its nearest class in ``STATUS``."""
    found = nearest(STATUS, exc)
    return 500 if found is None else found


def problem(
    status: int,
    error: str,
    detail: object,
    headers: Mapping[str, str] | None = None,
    *,
    code: str,
    params: Mapping[str, str] | None = None,
) -> JSONResponse:
    """The problem JSON: the error's class, its stable ``code`` (``domain.errors.Code``, or the
    HTTP phrase in snake case for the framework's own errors), the English detail, and the
    values the detail names when there are any."""
    extra = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    body = {"error": error, "code": code, "detail": detail} | ({"params": params} if params else {})
    return JSONResponse(
        body,
        status_code=status,
        headers={**extra, **(headers or {})} or None,
    )


def install(app: FastAPI) -> None:
    @app.exception_handler(RightsdeskError)
    async def rightsdesk_error(_: Request, exc: RightsdeskError) -> JSONResponse:
        status = status_of(exc)
        if status == 500:
            log.error("%s: %s", type(exc).__name__, exc)
        return problem(status, type(exc).__name__, str(exc), code=exc.code, params=exc.params)

    @app.exception_handler(StarletteHTTPException)
    async def framework_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        name = HTTPStatus(exc.status_code).phrase.replace(" ", "").replace("-", "")
        phrase = HTTPStatus(exc.status_code).phrase
        code = phrase.lower().replace("-", " ").replace(" ", "_")
        return problem(exc.status_code, name, exc.detail, exc.headers, code=code)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = [
            {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()
        ]
        return problem(422, "InvalidInput", details, code=Code.INVALID_INPUT)

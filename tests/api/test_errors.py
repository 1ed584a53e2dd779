"""Every error class has an HTTP status in the one table; none of ours becomes a bare 500."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI

from rightsdesk.api.errors import STATUS, status_of
from rightsdesk.domain import errors as e
from rightsdesk.domain.requests import Event, Status, TransitionError
from rightsdesk.service.runtime.context import Services
from tests.api.conftest import Api
from tests.api.steps import bearer, host_token
from tests.domain.test_errors import error_classes
from tests.service.conftest import Clock


@pytest.mark.parametrize("kind", error_classes(), ids=lambda k: k.__name__)
def test_every_error_class_has_a_row_of_its_own(kind: type[e.RightsdeskError]) -> None:
    assert kind in STATUS, f"add {kind.__name__} to rightsdesk.api.errors.STATUS"


WHEN = datetime(2026, 1, 1, tzinfo=UTC)
#: One instance of each class that used to fall through to a 500, and what it is now.
RAISED = [
    (e.ConnectorError("shop", "cannot connect: connection refused"), 503),
    (e.DatabaseUrlError("shop", "unknown dialect 'nope'"), 503),
    (e.ExecutionError("run-1", "system 'shop' failed; rolled back"), 503),
    (e.PlanError("no identity field of kind 'phone'"), 422),
    (e.InputError("no people listed"), 422),
    (e.VaultError("RIGHTSDESK_VAULT_MASTER_KEY must be base64 of 32 bytes"), 503),
    (e.RenderError("verify_code", "en", "missing context variable: code"), 503),
    (e.NotifyError("RIGHTSDESK_HOST_HOOK_URL is not set"), 503),
    (e.KeyFileError(Path("receipt-signing.key"), "private key is readable by others"), 503),
    (e.KeyDestroyedError("subject-1", WHEN), 410),
    (TransitionError(Status.COMPLETED, Event.APPROVE), 409),
    (e.LockedOutError("too many wrong codes"), 429),
    (e.RightsdeskError("something of ours nobody mapped"), 500),
]


@pytest.mark.parametrize(("exc", "status"), RAISED, ids=lambda v: type(v).__name__)
def test_an_error_raised_in_an_endpoint_is_its_status_with_a_reason(
    api_app: FastAPI, api: Api, exc: e.RightsdeskError, status: int
) -> None:
    @api_app.get("/raise")
    def _raise() -> None:
        raise exc

    response = api.get("/raise")
    assert (response.status_code, status_of(exc)) == (status, status)
    assert response.json() == {"error": type(exc).__name__, "code": exc.code, "detail": str(exc)}


def test_a_data_store_that_cannot_be_reached_is_a_503_naming_the_system(
    api: Api, services: Services, platform: Path, clock: Clock
) -> None:
    (platform.parent / "platform.db").unlink()
    response = api.get("/v1/bindings", headers=bearer(host_token(clock.now)))
    assert response.status_code == 503, response.text
    assert response.json()["error"] == "ConnectorError"
    assert "platform" in response.json()["detail"]

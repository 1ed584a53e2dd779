"""Every operation of the OpenAPI schema, fuzzed with valid credentials: never a 5xx."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, cast

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import get_client

from rightsdesk.api.app import create_app
from rightsdesk.service.runtime import wiring
from rightsdesk.service.runtime.context import Services
from tests.api.conftest import KeyMaker
from tests.api.steps import bearer, host_token
from tests.service.conftest import Clock

#: The schema does not depend on the services behind the app.
schema = schemathesis.openapi.from_dict(create_app(cast(Services, None)).openapi())
schema.config.generation.update(
    max_examples=30, deterministic=True, database="none", with_security_parameters=False
)
REQUEST_ID = re.compile(r"^[0-9a-f]{32}$")
#: Where a stateful sequence starts: a person's submission, an operator's ticket.
SUBMISSIONS = ("/v1/requests", "/v1/admin/requests")
LIFECYCLE = r"^/v1/(admin/)?requests(/\{request_id\}(/[a-z-]+)?)?$"


@pytest.fixture
def seeded(
    services: Services, clock: Clock, key: KeyMaker
) -> Iterator[tuple[FastAPI, str, dict[str, str], Services]]:
    """The app, a verified deletion awaiting approval, and an admin key plus its person's token."""
    app = create_app(services)
    body = {"type": "delete", "host_token": host_token(clock.now), "regimes": ["gdpr"]}
    with get_client(app) as client:
        submitted: Any = client.post("/v1/requests", json=body).json()
    yield app, submitted["id"], {**bearer(submitted["token"]), **key("admin")}, services
    services.jobs.drain()


@schema.parametrize()
# a fresh service per operation; an operation's examples share it (state they build is fine)
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_no_operation_answers_with_a_server_error(
    case: schemathesis.Case, seeded: tuple[FastAPI, str, dict[str, str], Services]
) -> None:
    app, request_id, credentials, services = seeded
    parameters = case.path_parameters or {}
    if REQUEST_ID.match(str(parameters.get("request_id", ""))):
        parameters["request_id"] = request_id  # reach the request, not a 404
    case.headers = {**(case.headers or {}), **credentials}
    response = case.call(app=app)
    case.validate_response(response, checks=[not_a_server_error])
    # work the call started (a run, its mail and webhooks) ends before the next example is drawn
    wiring.settle(services)


def test_stateful_sequences_along_the_links_never_give_a_server_error(
    services: Services, key: KeyMaker, clock: Clock
) -> None:
    """Submit (as a person, or as an operator's ticket), then follow the schema's links (verify,
    new code, cancel, confirm, approve, refuse, assign, notes, run, ...) with the submission's
    own token and an admin key: no sequence ends in a 5xx."""
    app = create_app(services)
    # the request lifecycle only: where sequences start (a submission, a ticket) and what
    # their links lead to, so most steps follow a link rather than call something unrelated
    linked = schemathesis.openapi.from_dict(app.openapi()).include(path_regex=LIFECYCLE)
    linked.config.generation.update(deterministic=True, database="none")
    admin = key("admin")
    tokens: list[str] = []
    scenarios: list[int] = []
    reached: list[str] = []  # operations on a submitted request that answered 2xx

    class Workflow(linked.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            # each scenario starts alike: a new person, and a day later (caps are per day)
            clock.advance(days=1)
            scenarios.append(len(scenarios))
            tokens.clear()

        def before_call(self, case: schemathesis.Case) -> None:
            if case.operation.path in SUBMISSIONS and case.method == "POST":
                # a valid submission (fuzzed ones rarely name a usable e-mail), so links start
                drawn = case.body.get("type") if isinstance(case.body, dict) else None
                kind = drawn if drawn in {"access", "delete", "cancel_account"} else "delete"
                email = f"person{scenarios[-1]}@example.com"
                case.body = {"type": kind, "identities": [{"kind": "email", "value": email}]}
                if case.operation.path == "/v1/admin/requests" and len(scenarios) % 2:
                    case.body["evidence"] = "signed letter, ticket T-1"  # verified at once
                # a Bearer on a submission is a host login token: none here, drawn or ours
                drawn_headers = case.headers or {}
                case.headers = {k: v for k, v in drawn_headers.items() if k != "Authorization"}
                case.headers.update(admin)
                return
            person = bearer(tokens[-1]) if tokens else {}
            case.headers = {**(case.headers or {}), **person, **admin}

        def call(self, case: schemathesis.Case, **kwargs: Any) -> Any:
            return case.call(app=app, **kwargs)

        def after_call(self, response: Any, case: schemathesis.Case) -> None:
            wiring.settle(services)
            if case.operation.path in SUBMISSIONS and response.status_code == 201:
                tokens.append(response.json()["token"])
            elif "{request_id}" in case.operation.path and response.status_code < 300:
                reached.append(case.operation.label)

        def validate_response(self, response: Any, case: schemathesis.Case, **_: Any) -> None:
            case.validate_response(response, checks=[not_a_server_error])

    Workflow.run(
        settings=settings(
            max_examples=25,
            stateful_step_count=6,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )
    # sequences really went somewhere: several linked operations acted on a submitted request
    assert len(scenarios) > 1 and len(set(reached)) >= 5, sorted(set(reached))

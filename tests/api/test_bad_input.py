"""Bad input gets a 4xx naming what is wrong, as {"error", "detail"}; never a 5xx."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.api.conftest import Api, KeyMaker
from tests.api.steps import bearer, body, submit

ID = "{id}"  # replaced by the id of a submitted request
JSON = {"content-type": "application/json"}
EMAIL = {"kind": "email", "value": "row@example.com"}


@pytest.fixture
def store_url(request: pytest.FixtureRequest) -> str:
    """SQLite unless a test names the backends: input is checked before anything is stored."""
    url: str = request.getfixturevalue(getattr(request, "param", "sqlite_url"))
    return url


def row(
    method: str,
    path: str,
    field: str,
    *,
    status: int = 422,
    error: str | None = "InvalidInput",
    name: str = "",
    **options: Any,
) -> Any:
    """One bad call: the status, the error class (None: any), and the field the detail names."""
    label = name or f"{method} {path} {field}"
    return pytest.param(method, path, options, status, error, field, id=label)


def raw(text: str) -> dict[str, Any]:
    return {"content": text.encode(), "headers": JSON}


SUBMIT = "/v1/requests"
SEARCH = "/v1/admin/requests"
ONE = f"/v1/admin/requests/{ID}"

ROWS = [
    # malformed or missing bodies
    row("POST", SUBMIT, "body", **raw('{"type": "access",')),
    row("POST", SUBMIT, "body", **raw("")),
    row("POST", SUBMIT, "body", **raw("[]")),
    row("POST", SUBMIT, "body", **raw('"access"')),
    row(
        "POST",
        SUBMIT,
        "body",
        content=b'{"type": "access"}',
        headers={"content-type": "text/plain"},
    ),
    row("POST", f"{ONE}/notes", "body", **raw("{'text': 'single quotes'}")),
    # wrong types
    row("POST", SUBMIT, "body.type", json={"type": 5, "identities": [EMAIL]}),
    row("POST", SUBMIT, "body.identities", json={"type": "access", "identities": "me"}),
    row("POST", SUBMIT, "body.identities.0", json={"type": "access", "identities": ["me"]}),
    row("POST", SUBMIT, "body.params", json={**body(), "params": [1, 2]}),
    row("POST", SUBMIT, "body.regimes", json={**body(), "regimes": "gdpr"}),
    row("POST", f"{SUBMIT}/{ID}/verify", "body.code", json={"code": 123456}),
    row("POST", f"{ONE}/assign", "body.assignee", json={"assignee": ["alice"]}),
    # unknown fields (extra=forbid)
    row("POST", SUBMIT, "body.extra", json={**body(), "extra": 1}),
    row("POST", SUBMIT, "body.evidence", json={**body(), "evidence": "a person cannot attest"}),
    row(
        "POST",
        SUBMIT,
        "body.identities.0.type",
        json={"type": "access", "identities": [{**EMAIL, "type": "x"}]},
    ),
    row("POST", f"{SUBMIT}/{ID}/verify", "body.token", json={"code": "123456", "token": "x"}),
    row("POST", f"{ONE}/approve", "body.approve", json={"approve": True}),
    # oversize
    row("POST", SUBMIT, "body.identities.0.value", json=body(email="a" * 310 + "@example.com")),
    row("POST", SUBMIT, "body.identities", json={"type": "access", "identities": [EMAIL] * 11}),
    row("POST", SUBMIT, "body.regimes", json={**body(), "regimes": ["gdpr"] * 6}),
    row("POST", SUBMIT, "body.host_token", json={**body(), "host_token": "a" * 4097}),
    row(
        "POST",
        SUBMIT,
        "body.params",
        name="params of 1 MB",
        json={**body(), "params": {"note": "x" * 1_000_000}},
    ),
    row(
        "POST",
        SUBMIT,
        "header.Idempotency-Key",
        json=body(),
        headers={"Idempotency-Key": "k" * 129},
    ),
    row("POST", f"{ONE}/notes", "body.text", json={"text": "x" * 2001}),
    row("POST", f"{ONE}/assign", "body.assignee", json={"assignee": "x" * 129}),
    row("POST", f"{ONE}/refuse", "body.ground", json={"ground": "g" * 129, "justification": "why"}),
    row("GET", SEARCH, "query.q", params={"q": "x" * 321}),
    # empty, blank, control characters
    row("POST", f"{ONE}/notes", "body.text", json={"text": "   "}),
    row("POST", f"{ONE}/notes", "body.text", json={"text": "bell \x07"}),
    row("POST", f"{ONE}/extend", "body.reason", json={"reason": ""}),
    row("POST", f"{ONE}/verify", "body.evidence", json={"evidence": "nul \x00 byte"}),
    row("POST", SUBMIT, "body.identities.0.value", json=body(email="a\x00b@example.com")),
    row("GET", SEARCH, "query.assignee", params={"assignee": "\x1b[31m"}),
    # missing required fields
    row("POST", SUBMIT, "body.type", json={"identities": [EMAIL]}),
    row("POST", f"{ONE}/refuse", "body.justification", json={"ground": "legal_obligation"}),
    row("POST", f"{ONE}/extend", "body.reason", json={}),
    row("POST", f"{SUBMIT}/{ID}/verify", "body.code", json={}),
    # bad enum values and patterns
    row("POST", SUBMIT, "body.type", json=body("erase")),
    row("POST", SUBMIT, "body.type", json=body("ACCESS")),
    row("POST", SUBMIT, "body.locale", json={**body(), "locale": "fr"}),
    row("POST", SUBMIT, "body.regimes.0", json={**body(), "regimes": ["GDPR"]}),
    row(
        "POST",
        SUBMIT,
        "body.identities.0.kind",
        json={"type": "access", "identities": [{"kind": "E-mail", "value": "a@b.cn"}]},
    ),
    row("POST", SUBMIT, "body.host_token", json={**body(), "host_token": "not a token!"}),
    row("GET", SEARCH, "query.status", params={"status": "done"}),
    row("GET", SEARCH, "query.type", params={"type": "erase"}),
    row("GET", SEARCH, "query.deadline", params={"deadline": "late"}),
    # bad code format
    *[
        row("POST", f"{SUBMIT}/{ID}/verify", "body.code", json={"code": c})
        for c in ("12ab56", "123", "123456789", "", "12 34")
    ],
    # bad query params and path parameters
    row("GET", SEARCH, "query.limit", params={"limit": 0}),
    row("GET", SEARCH, "query.limit", params={"limit": 501}),
    row("GET", SEARCH, "query.limit", params={"limit": "ten"}),
    row("GET", SEARCH, "query.offset", params={"offset": -1}),
    row("GET", SEARCH, "query.offset", params={"offset": 10**10}),
    row("GET", f"{SUBMIT}/{ID}/export", "query.expires", params={"signature": "0" * 64}),
    row(
        "GET",
        f"{SUBMIT}/{ID}/export",
        "query.expires",
        params={"expires": "soon", "signature": "0" * 64},
    ),
    row(
        "GET",
        f"{SUBMIT}/{ID}/export",
        "query.signature",
        params={"expires": "1", "signature": "ZZ"},
    ),
    row("GET", f"{SUBMIT}/not-an-id", "path.request_id"),
    row("GET", f"{SUBMIT}/{'A' * 32}", "path.request_id"),
    row("POST", "/v1/admin/requests/1%27%20OR%201=1/approve", "path.request_id", json={}),
    # the service's own refusals, with a reason
    row(
        "POST", SUBMIT, "unknown regime", error="PolicyError", json={**body(), "regimes": ["mars"]}
    ),
    row("POST", SUBMIT, "not an email", error="PolicyError", json=body(email="not-an-email")),
    row(
        "POST",
        SUBMIT,
        "exactly one email or phone",
        error="PolicyError",
        json={"type": "access", "identities": [{"kind": "user_id", "value": "7"}]},
    ),
    row(
        "POST",
        SUBMIT,
        "login token rejected",
        status=401,
        error="AuthenticationError",
        json={**body(), "host_token": "a.b.c"},
    ),
    row(
        "POST",
        f"{ONE}/refuse",
        "legal_obligation",
        error="PolicyError",
        json={"ground": "because", "justification": "why"},
    ),
    # the framework's own errors keep the same shape
    row("GET", "/v1/nowhere", "Not Found", status=404, error=None),
    row("DELETE", f"{SUBMIT}/{ID}", "Method Not Allowed", status=405, error=None),
    row(
        "POST",
        SUBMIT,
        "body",
        status=400,
        error=None,
        name="JSON nested 3000 deep",
        **raw('{"params":' * 3000 + "1" + "}" * 3000),
    ),
]


@pytest.fixture
def target(api: Api, key: KeyMaker) -> tuple[str, dict[str, str]]:
    """A submitted request's id and headers that pass authentication (token and admin key)."""
    submitted = submit(api, email="target@example.com")
    return submitted["id"], {**bearer(submitted["token"]), **key("admin")}


@pytest.mark.parametrize(("method", "path", "options", "status", "error", "field"), ROWS)
def test_bad_input_is_a_4xx_naming_the_field(
    api: Api,
    target: tuple[str, dict[str, str]],
    method: str,
    path: str,
    options: dict[str, Any],
    status: int,
    error: str,
    field: str,
) -> None:
    request_id, auth = target
    if (method, path) == ("POST", "/v1/requests"):  # a Bearer there is a host login token
        auth = {k: v for k, v in auth.items() if k != "Authorization"}
    headers = {**auth, **options.pop("headers", {})}
    response = api.request(method, path.replace(ID, request_id), headers=headers, **options)
    assert response.status_code == status, response.text
    problem = response.json()
    assert {"error", "code", "detail"} <= set(problem) <= {"error", "code", "detail", "params"}
    assert problem["error"] == error if error else problem["error"], problem
    if isinstance(problem["detail"], list):
        fields = [d["field"] for d in problem["detail"]]
        assert any(f == field or f.startswith(f"{field}.") for f in fields), fields
    else:
        assert field in problem["detail"], problem


@pytest.mark.parametrize(
    "store_url",
    ["sqlite_url", pytest.param("postgres_url", marks=pytest.mark.postgres)],
    indirect=True,
)
@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers_are_refused_not_stored(api: Api, number: str) -> None:
    """Python's JSON parser accepts NaN; PostgreSQL's JSON type does not (was a 500)."""
    content = json.dumps(body()).replace("}]", f'}}], "params": {{"x": {number}}}', 1)
    response = api.post("/v1/requests", content=content.encode(), headers=JSON)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["field"].startswith("body.params")


def test_an_idempotency_key_replay_joins_the_same_request(api: Api) -> None:
    key = {"Idempotency-Key": "retry-7f3a"}
    first = api.post("/v1/requests", json=body(), headers=key)
    again = api.post("/v1/requests", json=body(), headers=key)
    assert (first.status_code, again.status_code) == (201, 200), again.text
    assert again.json()["id"] == first.json()["id"] and again.json()["joined"]
    assert again.json()["token"] != first.json()["token"]


@pytest.mark.parametrize(
    "other",
    [body("delete"), body(email="someone.else@example.com")],
    ids=["another type", "another person"],
)
def test_an_idempotency_key_reused_for_another_request_conflicts(
    api: Api, other: dict[str, Any]
) -> None:
    key = {"Idempotency-Key": "retry-7f3a"}
    assert api.post("/v1/requests", json=body(), headers=key).status_code == 201
    response = api.post("/v1/requests", json=other, headers=key)
    assert response.status_code == 409, response.text
    assert response.json()["error"] == "ConflictError"
    assert "Idempotency-Key" in response.json()["detail"]

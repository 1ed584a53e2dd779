"""Who may call what: a requester's token reaches only their request; operator keys by scope."""

from __future__ import annotations

from typing import Any

import jwt
import pytest

from rightsdesk.service.runtime import operators
from rightsdesk.service.runtime.context import Services
from tests.api.conftest import Api, KeyMaker
from tests.api.steps import bearer, submit, verify
from tests.mailbox import Mailbox
from tests.service.conftest import HOST_SECRET, PERSON, Clock
from tests.service.flows import emailed_code, wait_for_mail


@pytest.fixture
def store_url(sqlite_url: str) -> str:
    """Who may call what does not depend on the store (the end-to-end tests run on both)."""
    return sqlite_url


OTHER = "someone.else@example.com"
UNKNOWN_ID = "0" * 32
PERSON_CALLS = [
    ("GET", ""),
    ("POST", "/verify"),
    ("POST", "/code"),
    ("POST", "/cancel"),
    ("POST", "/accept-fee"),
    ("GET", "/receipt"),
]
#: Operator calls that change a request, each with a body that passes validation.
DECISIONS = [
    ("approve", {"reason": "checked"}),
    ("refuse", {"ground": "legal_obligation", "justification": "court preservation order"}),
    ("extend", {"reason": "many systems hold data"}),
    ("assign", {"assignee": "alice"}),
    ("notes", {"text": "called the person back"}),
    ("verify", {"evidence": "signed letter, ticket T-1"}),
    ("run", None),
    ("retry", None),
]


def person_call(api: Api, method: str, path: str, token: str | None) -> Any:
    headers = bearer(token) if token is not None else {}
    json = {"code": "123456"} if path.endswith("/verify") else None
    return api.request(method, path, json=json, headers=headers)


@pytest.fixture
def two_people(api: Api, mailbox: Mailbox) -> tuple[Any, Any]:
    """Two verified deletion requests, of PERSON and of OTHER."""
    mine, theirs = submit(api, "delete"), submit(api, "delete", OTHER)
    verify(api, mailbox, mine)
    verify(api, mailbox, theirs, OTHER)
    return mine, theirs


@pytest.mark.parametrize(("method", "path"), PERSON_CALLS)
def test_a_token_never_reaches_another_persons_request(
    api: Api, two_people: tuple[Any, Any], method: str, path: str
) -> None:
    mine, theirs = two_people
    response = person_call(api, method, f"/v1/requests/{theirs['id']}{path}", mine["token"])
    assert response.status_code == 404, response.text
    assert OTHER not in response.text
    assert api.get(f"/v1/requests/{theirs['id']}", headers=bearer(theirs["token"])).is_success


def test_someone_elses_request_looks_exactly_like_a_missing_one(
    api: Api, two_people: tuple[Any, Any]
) -> None:
    """A token on another's id must not reveal that the id exists (resolve_token's contract)."""
    mine, theirs = two_people
    foreign = api.get(f"/v1/requests/{theirs['id']}", headers=bearer(mine["token"]))
    missing = api.get(f"/v1/requests/{UNKNOWN_ID}", headers=bearer(mine["token"]))
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json()["detail"].replace(theirs["id"], UNKNOWN_ID) == missing.json()["detail"]


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": ""}, 401),
        ({"Authorization": "Bearer"}, 401),
        ({"Authorization": "Bearer "}, 401),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, 401),
        ({"Authorization": "token-without-scheme"}, 401),
        # a well-formed token nobody holds is treated as a wrong token: the request is not found
        ({"Authorization": "Bearer garbage"}, 404),
    ],
)
def test_a_missing_or_garbage_bearer_is_refused(
    api: Api, headers: dict[str, str], status: int
) -> None:
    mine = submit(api)
    for method, path in PERSON_CALLS:
        json = {"code": "123456"} if path == "/verify" else None
        url = f"/v1/requests/{mine['id']}{path}"
        response = api.request(method, url, json=json, headers=headers)
        assert response.status_code == status, (method, path, response.text)
        assert response.json()["error"] in {"AuthenticationError", "NotFoundError"}
        if status == 401:
            assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.fixture
def awaiting(api: Api, mailbox: Mailbox) -> str:
    """The id of a verified deletion request awaiting approval."""
    submitted = submit(api, "delete")
    verify(api, mailbox, submitted)
    return str(submitted["id"])


def operator_calls(request_id: str) -> list[tuple[str, str, Any]]:
    base = f"/v1/admin/requests/{request_id}"
    return [
        ("GET", "/v1/admin/requests", None),
        ("GET", base, None),
        ("GET", "/v1/admin/audit/verify", None),
        ("GET", "/v1/admin/lockouts", None),
        ("POST", "/v1/admin/requests", {"type": "access", "identities": [], "evidence": "x"}),
        *[("POST", f"{base}/{action}", json) for action, json in DECISIONS],
    ]


def wrong_keys(services: Services) -> list[dict[str, str]]:
    key_id, secret = operators.create_key(services, "victim", ["admin"])
    return [
        {},
        {"X-API-Key": ""},
        {"X-API-Key": "garbage"},
        {"X-API-Key": "rdk__"},
        {"X-API-Key": f"rdk_{key_id}_not-the-secret"},
        {"X-API-Key": f"rdk_ffffffffffff_{secret.rsplit('_', 1)[1]}"},
        {"X-API-Key": secret.replace("rdk_", "xyz_", 1)},
        {"Authorization": f"Bearer {secret}"},
    ]


def test_operator_endpoints_refuse_a_missing_or_bad_key(
    api: Api, services: Services, awaiting: str
) -> None:
    for headers in wrong_keys(services):
        for method, path, json in operator_calls(awaiting):
            response = api.request(method, path, json=json, headers=headers)
            assert response.status_code == 401, (headers, method, path, response.text)
            assert response.json() == {
                "error": "AuthenticationError",
                "code": response.json()["code"],
                "detail": response.json()["detail"],
            }
            assert response.json()["code"] in {"unauthenticated", "api_key_invalid"}


@pytest.mark.parametrize(("action", "json"), DECISIONS)
def test_a_read_key_cannot_decide(
    api: Api, key: KeyMaker, awaiting: str, action: str, json: Any
) -> None:
    response = api.post(f"/v1/admin/requests/{awaiting}/{action}", json=json, headers=key("read"))
    assert response.status_code == 403, response.text
    assert "'decide'" in response.json()["detail"]


def test_a_read_key_lists_and_views_but_cannot_record_tickets(
    api: Api, key: KeyMaker, awaiting: str
) -> None:
    read = key("read")
    listed = api.get("/v1/admin/requests", headers=read)
    assert listed.status_code == 200 and listed.json()["total"] == 1
    assert api.get(f"/v1/admin/requests/{awaiting}", headers=read).json()["id"] == awaiting
    ticket = {"type": "access", "identities": [{"kind": "email", "value": OTHER}]}
    assert api.post("/v1/admin/requests", json=ticket, headers=read).status_code == 403
    assert api.get("/v1/admin/audit/verify", headers=read).status_code == 403


@pytest.mark.parametrize(
    ("scopes", "status"), [(("read",), 403), (("decide",), 403), (("admin",), 200)]
)
def test_only_admin_keys_verify_the_audit_chain(
    api: Api, key: KeyMaker, scopes: tuple[str, ...], status: int
) -> None:
    response = api.get("/v1/admin/audit/verify", headers=key(*scopes))
    assert response.status_code == status, response.text


def test_a_decide_key_decides(api: Api, key: KeyMaker, awaiting: str) -> None:
    response = api.post(f"/v1/admin/requests/{awaiting}/approve", json={}, headers=key("decide"))
    assert response.status_code == 200, response.text
    assert response.json()["ok"] is True
    assert response.json()["status"] in ("approved", "in_progress", "completed")  # never null


def test_a_revoked_key_is_refused(api: Api, services: Services) -> None:
    key_id, secret = operators.create_key(services, "leaver", ["admin"])
    assert api.get("/v1/admin/requests", headers={"X-API-Key": secret}).status_code == 200
    operators.revoke(services, key_id)
    response = api.get("/v1/admin/requests", headers={"X-API-Key": secret})
    assert response.status_code == 401, response.text


@pytest.fixture
def download(api: Api, services: Services, mailbox: Mailbox) -> str:
    """The download link of a completed access request (path and query)."""
    submitted = submit(api)
    verify(api, mailbox, submitted)
    services.jobs.drain()
    shown = api.get(f"/v1/requests/{submitted['id']}", headers=bearer(submitted["token"]))
    link: str = shown.json()["outcome"]["export"]["download_url"]
    return link.removeprefix(services.settings.public_url)


def test_a_download_link_with_a_wrong_signature_is_refused(api: Api, download: str) -> None:
    assert api.get(download).status_code == 200
    flipped = download[:-1] + ("0" if download[-1] != "0" else "1")
    response = api.get(flipped)
    assert response.status_code == 401, response.text
    stretched = download.replace("expires=", "expires=9", 1)  # a later expiry, same signature
    assert api.get(stretched).status_code == 401


def test_a_download_link_expires(api: Api, services: Services, clock: Clock, download: str) -> None:
    clock.advance(hours=services.settings.export_ttl_hours - 1)
    assert api.get(download).status_code == 200
    clock.advance(hours=2)
    response = api.get(download)
    assert response.status_code == 401, response.text
    assert "expired" in response.json()["detail"]


def test_five_wrong_codes_lock_the_code_and_new_codes_for_a_while(
    api: Api, mailbox: Mailbox, clock: Clock
) -> None:
    submitted = submit(api)
    wait_for_mail(mailbox, 1)
    code = emailed_code(mailbox)
    wrong = "000000" if code != "000000" else "111111"
    person = bearer(submitted["token"])
    request = f"/v1/requests/{submitted['id']}"
    for left in (4, 3, 2, 1, 0):
        response = api.post(f"{request}/verify", json={"code": wrong}, headers=person)
        assert response.status_code == 401, response.text
        assert (f"{left} attempt" if left else "locked") in response.json()["detail"]
    right = api.post(f"{request}/verify", json={"code": code}, headers=person)
    assert right.status_code == 401, right.text
    resend = api.post(f"{request}/code", headers=person)
    assert resend.status_code == 429, resend.text
    assert resend.json()["error"] == "LockedOutError"
    assert api.get(request, headers=person).json()["verified"] is False
    clock.advance(minutes=16)
    assert api.post(f"{request}/code", headers=person).status_code == 202
    wait_for_mail(mailbox, 2)  # first code (with the acknowledgement), the new code
    fresh = api.post(f"{request}/verify", json={"code": emailed_code(mailbox)}, headers=person)
    assert fresh.status_code == 200, fresh.text


@pytest.mark.parametrize(
    ("claims", "secret", "status"),
    [
        ({}, HOST_SECRET, 201),
        ({}, "not-the-host-platform-secret-but-as-long", 401),
        ({"aud": "another-service"}, HOST_SECRET, 401),
        ({"iat": -3600, "exp": -600}, HOST_SECRET, 401),  # expired
        ({"iat": -1200}, HOST_SECRET, 401),  # older than the 10-minute sign-in window
        ({"iat": 3600, "exp": 7200}, HOST_SECRET, 401),  # from the future
        ({"sub": None}, HOST_SECRET, 401),
    ],
)
@pytest.mark.parametrize("as_bearer", [False, True], ids=["body", "bearer"])
def test_a_host_login_token_verifies_only_when_signed_fresh_and_for_us(
    api: Api, clock: Clock, claims: dict[str, Any], secret: str, status: int, as_bearer: bool
) -> None:
    now = int(clock.now.timestamp())
    payload = {"sub": "1", "email": PERSON, "aud": "rightsdesk", "iat": now, "exp": now + 300}
    for name, value in claims.items():
        payload[name] = now + value if isinstance(value, int) else value
    token = jwt.encode({k: v for k, v in payload.items() if v is not None}, secret, "HS256")
    if as_bearer:  # the same header the consent and binding calls take
        response = api.post("/v1/requests", json={"type": "delete"}, headers=bearer(token))
    else:
        response = api.post("/v1/requests", json={"type": "delete", "host_token": token})
    assert response.status_code == status, response.text
    if status == 201:
        assert response.json()["status"] == "awaiting_approval"
        shown = api.get(
            f"/v1/requests/{response.json()['id']}", headers=bearer(response.json()["token"])
        )
        assert shown.json()["verified"] is True
    else:
        assert response.json()["error"] == "AuthenticationError"


def test_verification_is_per_person(api: Api, mailbox: Mailbox) -> None:
    """The code mailed to one person does not verify another's request."""
    mine, theirs = submit(api), submit(api, email=OTHER)
    wait_for_mail(mailbox, 1)
    wait_for_mail(mailbox, 1, OTHER)
    response = api.post(
        f"/v1/requests/{theirs['id']}/verify",
        json={"code": emailed_code(mailbox, PERSON)},
        headers=bearer(theirs["token"]),
    )
    if emailed_code(mailbox, PERSON) != emailed_code(mailbox, OTHER):
        assert response.status_code == 401, response.text
    assert mine["id"] != theirs["id"]

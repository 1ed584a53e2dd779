"""The consent API over HTTP: signed in through the host's token, one call to give and one to
withdraw, the Global Privacy Control header (in-process and through a real uvicorn server)."""

from __future__ import annotations

import re
import socket
from datetime import date

import httpx
import pytest

from rightsdesk.domain.subjects import Identity
from rightsdesk.service.consent import choices as consent
from rightsdesk.service.runtime.context import Services
from tests.api.conftest import Api
from tests.api.steps import body, host_token
from tests.service.conftest import PERSON
from tests.service.receiver import Receiver, platform, receiver, settings

__all__ = ["platform", "receiver", "settings"]  # fixtures


@pytest.fixture
def store_url(sqlite_url: str) -> str:
    """The HTTP contract does not depend on the store (tests/service runs both)."""
    return sqlite_url


def login(services: Services) -> list[tuple[str, str]]:
    return [("Authorization", f"Bearer {host_token(services.clock(), sub='42')}")]


def ad_sharing(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    [state] = [p for p in response.json()["purposes"] if p["purpose"] == "ad_sharing"]
    return str(state["state"])


def test_withdrawing_takes_exactly_the_steps_of_giving(
    api: Api, services: Services, receiver: Receiver
) -> None:
    calls = []
    for method in ("PUT", "DELETE"):
        response = api.request(method, "/v1/consents/marketing", headers=login(services))
        assert response.status_code == 200, response.text
        sent = response.request
        # httpx adds "Content-Length: 0" to a PUT on its own: framing, not a step
        names = sorted(k for k in sent.headers if k != "content-length")
        calls.append((sent.url, names, sent.headers["authorization"][:6], sent.content))
        assert response.json()["purpose"] == "marketing"
    assert calls[0] == calls[1]  # same URL, same credentials, no body: only the verb differs
    shown = api.get("/v1/consents", headers=login(services)).json()["purposes"]
    [marketing] = [p for p in shown if p["purpose"] == "marketing"]
    assert marketing["state"] == "revoked"
    assert [r["state"] for r in marketing["history"]] == ["active", "revoked"]
    assert marketing["history"][0]["receipt"]["version"] == "KI-CR-v1.1.0"
    # the description in the map's language, and each language the map gives (issue 17)
    assert marketing["description"] == "Product news and offers by e-mail and SMS"
    assert marketing["descriptions"] == {
        "en": "Product news and offers by e-mail and SMS",
        "zh-CN": "通过邮件和短信发送产品资讯和优惠信息",
    }
    [service] = [p for p in shown if p["purpose"] == "service"]
    assert service["descriptions"] == {"en": service["description"]}  # one text for all
    withdrawn = receiver.at("host")[-1]
    assert withdrawn.json["event"] == "consent.withdrawn"
    assert withdrawn.json["payload"]["features"] == ["newsletter", "promo_sms"]


@pytest.mark.parametrize(
    "headers",
    [[], [("Authorization", "Bearer not-a-token")], [("Authorization", "Basic eDp5")]],
    ids=["none", "forged", "basic"],
)
def test_consents_need_the_hosts_login_token(api: Api, headers: list[tuple[str, str]]) -> None:
    for method in ("GET", "PUT", "DELETE"):
        path = "/v1/consents" if method == "GET" else "/v1/consents/marketing"
        assert api.request(method, path, headers=headers).status_code == 401


def test_a_purpose_on_another_basis_is_not_withdrawn(api: Api, services: Services) -> None:
    response = api.request("DELETE", "/v1/consents/service", headers=login(services))
    assert response.status_code == 422 and "contract" in response.json()["detail"]
    assert api.request("PUT", "/v1/consents/nothing", headers=login(services)).status_code == 404


GPC_VARIANTS = [
    pytest.param([("Sec-GPC", "1")], "revoked", id="exactly-1"),
    pytest.param([("Sec-GPC", "0")], "active", id="0"),
    # whitespace around a field value is not part of it (RFC 9110 5.5): " 1" is "1"
    pytest.param([("Sec-GPC", " 1")], "revoked", id="space-1"),
    pytest.param([("Sec-GPC", "0"), ("Sec-GPC", "1")], "revoked", id="0-then-1"),
    pytest.param([("Sec-GPC", "1"), ("Sec-GPC", "0")], "revoked", id="1-then-0"),
    pytest.param([("Sec-GPC", "0"), ("Sec-GPC", "0")], "active", id="0-twice"),
    pytest.param([("Sec-GPC", "true")], "active", id="true"),
    pytest.param([("Sec-GPC", "01")], "active", id="01"),
    pytest.param([("Sec-GPC", "1.0")], "active", id="1.0"),
    pytest.param([], "active", id="absent"),
]


@pytest.mark.parametrize(("gpc", "expected"), GPC_VARIANTS)
def test_only_a_gpc_value_of_exactly_1_opts_out(
    api: Api, services: Services, gpc: list[tuple[str, str]], expected: str
) -> None:
    """In-process, so the values reach the app exactly as written (even " 1")."""
    assert ad_sharing(api.get("/v1/consents", headers=[*login(services), *gpc])) == expected


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["Sec-GPC:   1  "], "revoked"),
        (["Sec-GPC: 0", "Sec-GPC: 1"], "revoked"),
        (["Sec-GPC: 0"], "active"),
        (["Sec-GPC: yes"], "active"),
    ],
)
def test_gpc_headers_as_a_real_server_parses_them(
    live: httpx.Client, services: Services, lines: list[str], expected: str
) -> None:
    """Raw bytes on a socket: a client library would refuse to send padded values."""
    [(_, authorization)] = login(services)
    raw = "\r\n".join(
        [
            "GET /v1/consents HTTP/1.1",
            f"Host: {live.base_url.host}",
            f"Authorization: {authorization}",
            *lines,
            "Connection: close",
            "",
            "",
        ]
    )
    with socket.create_connection((live.base_url.host, live.base_url.port), timeout=10) as conn:
        conn.sendall(raw.encode())
        received = b""
        while chunk := conn.recv(65536):
            received += chunk
    head, _, content = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), head
    response = httpx.Response(200, content=content)
    assert ad_sharing(response) == expected


def test_a_later_request_without_gpc_never_opts_back_in(api: Api, services: Services) -> None:
    headers = login(services)
    assert ad_sharing(api.get("/v1/consents", headers=[*headers, ("Sec-GPC", "1")])) == "revoked"
    for _ in range(2):
        assert ad_sharing(api.get("/v1/consents", headers=headers)) == "revoked"
        api.request("DELETE", "/v1/consents/marketing", headers=headers)
    [state] = [s for s in consent.show(services, (Identity("user_id", "42"),)) if s.sale_or_sharing]
    assert [(r.state, r.method) for r in state.history] == [("revoked", "gpc")]


@pytest.mark.parametrize(("gpc", "expected"), [("1", "revoked"), ("0", "active")])
def test_a_rights_request_with_gpc_opts_the_person_out(
    api: Api, services: Services, gpc: str, expected: str
) -> None:
    response = api.post("/v1/requests", json=body("access"), headers={"Sec-GPC": gpc})
    assert response.status_code == 201, response.text
    states = {s.purpose: s.state for s in consent.show(services, (Identity("email", PERSON),))}
    assert states["ad_sharing"] == expected


def test_the_well_known_gpc_resource(live: httpx.Client) -> None:
    response = live.get("/.well-known/gpc.json")
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == "application/json"
    document = response.json()
    assert set(document) == {"gpc", "lastUpdate"} and document["gpc"] is True
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", document["lastUpdate"])
    date.fromisoformat(document["lastUpdate"])

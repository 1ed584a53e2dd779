"""The Low list over HTTP: deep params, huge bodies, missing headers, Swagger UI from a CDN."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from rightsdesk.api.hygiene import MAX_BODY
from tests.api.steps import body, submit


def _nested(depth: int) -> dict[str, Any]:
    root: dict[str, Any] = {}
    here = root
    for _ in range(depth):
        here["a"] = {}
        here = here["a"]
    return root


@pytest.mark.parametrize("depth", [17, 500, 5000])
def test_deeply_nested_params_are_a_4xx_not_a_500(live: httpx.Client, depth: int) -> None:
    text = '{"type": "access", "identities": [{"kind": "email", "value": "a@b.cn"}], "params": '
    payload = text + '{"a": ' * depth + "{}" + "}" * depth + "}"
    answer = live.post(
        "/v1/requests", content=payload, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code in (400, 422), answer.text[:300]  # 400: too deep to parse
    assert len(answer.content) < 2000


def test_a_body_over_the_limit_is_refused_before_it_is_read(live: httpx.Client) -> None:
    declared = live.post(
        "/v1/requests",
        content=b"{" + b" " * (MAX_BODY + 1) + b"}",
        headers={"Content-Type": "application/json"},
    )
    assert declared.status_code == 413

    def chunks() -> Any:  # no Content-Length: the limit is counted as the body streams in
        for _ in range(MAX_BODY // 65536 + 2):
            yield b" " * 65536

    streamed = live.post("/v1/requests", content=chunks())
    assert streamed.status_code == 413


def test_responses_carrying_tokens_are_not_cached_or_sniffed(live: httpx.Client) -> None:
    answer = live.post("/v1/requests", json=body("access"))
    assert answer.status_code == 201
    for name, value in {
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
    }.items():
        assert answer.headers[name] == value
    error = live.get("/v1/requests/" + "0" * 32, headers={"Authorization": "Bearer x"})
    assert error.headers["cache-control"] == "no-store"


def test_the_docs_load_swagger_ui_from_this_server_under_a_csp(live: httpx.Client) -> None:
    page = live.get("/docs")
    assert page.status_code == 200
    assert "default-src 'none'" in page.headers["content-security-policy"]
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/") for s in sources), sources
    for source in sources:
        assert live.get(source).status_code == 200, source
    assert live.get("/redoc").status_code == 404  # it would load from a CDN


def test_the_request_flow_still_works_under_the_limits(live: httpx.Client) -> None:
    assert submit(live, "access")["token"]

"""The pages' security headers, cookies and CSRF checks (plain HTTP), and complete catalogues."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import httpx
import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from rightsdesk.domain.texts import LOCALES
from rightsdesk.service.runtime import operators
from rightsdesk.web import i18n, session
from tests.web.conftest import Site

WEB = Path(i18n.__file__).parent


def test_pages_allow_no_script_are_not_stored_and_set_a_strict_cookie(site: Site) -> None:
    page = httpx.get(f"{site.url}/")
    policy = page.headers["content-security-policy"]
    assert "script-src" not in policy and "'unsafe-inline'" not in policy
    assert "default-src 'none'" in policy and "form-action 'self'" in policy
    assert page.headers["cache-control"] == "no-store"
    cookie = page.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie  # a loopback public URL: local development over HTTP


@pytest.mark.parametrize(
    ("url", "secure"),
    [
        ("http://127.0.0.1:8000", False),
        ("http://localhost", False),
        ("https://privacy.example.com", True),
    ],
)
def test_cookies_are_secure_outside_local_development(url: str, secure: bool) -> None:
    assert session.secure_cookies(url) is secure


@pytest.mark.parametrize("csrf", [None, "forged"])
def test_a_form_without_its_csrf_token_is_refused(site: Site, csrf: str | None) -> None:
    form = {"right": "access", "contact": "li.wei@example.com", **({"csrf": csrf} if csrf else {})}
    answer = httpx.post(f"{site.url}/requests", data=form)
    assert answer.status_code in (403, 422)
    assert "text/html" in answer.headers["content-type"]
    assert site.messages("li.wei@example.com") == []  # nothing was submitted


def test_a_tampered_session_cookie_is_ignored(site: Site) -> None:
    with httpx.Client(base_url=site.url) as client:
        client.get("/")
        value = client.cookies[session.COOKIE]
        client.cookies.set(session.COOKIE, "x" + value)
        page = client.get("/")
        assert session.COOKIE in page.headers.get("set-cookie", "")  # a new session was issued


def _extracted() -> set[str]:
    keywords = {**DEFAULT_KEYWORDS, "N_": None, "say": None}  # say = page.language.gettext
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    return {str(m[2]) for m in extract_from_dir(str(WEB), method_map, keywords=keywords)}


@pytest.mark.parametrize("lang", LOCALES)
def test_every_message_of_the_pages_is_translated(lang: str) -> None:
    po = WEB / "locale" / lang.replace("-", "_") / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as source:
        catalogue = read_po(source, locale=lang.replace("-", "_"))
    translated = {str(m.id) for m in catalogue if m.id and m.string}
    extracted = _extracted()
    assert "Privacy center" in extracted  # the extraction itself found the pages' messages
    missing = extracted - translated
    assert not missing, f"untranslated in {po.name} ({lang}): {sorted(missing)}; run make messages"


def _signed(site: Site, shape: object) -> str:
    payload = base64.urlsafe_b64encode(json.dumps(shape).encode()).decode()
    return f"{payload}.{site.services.secrets.mac('web-session', payload)}"


@pytest.mark.parametrize(
    ("age_hours", "signed_in"), [(0, True), (session.CONSOLE_HOURS + 1, False), (None, False)]
)
def test_a_console_sign_in_lasts_its_hours_and_a_malformed_one_is_ignored(
    site: Site, age_hours: int | None, signed_in: bool
) -> None:
    operator, mark = operators.sign_in(
        site.services, operators.create_key(site.services, "cookie", ["read"])[1]
    )
    held: object = ["only-an-id"]  # a signed cookie in a shape this code does not know
    if age_hours is not None:
        held = [operator.key_id, mark, int(time.time()) - age_hours * 3600]
    with httpx.Client(base_url=site.url) as client:
        client.cookies.set(session.COOKIE, _signed(site, {"n": "nonce", "t": {}, "o": held}))
        page = client.get("/console")
    assert page.status_code == (200 if signed_in else 401), page.text
    assert ('id="key"' in page.text) is not signed_in

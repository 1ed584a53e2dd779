"""Restriction and objection over the API: the person asks, the host checks (the processing
check and the consent check), an operator lifts (GDPR Arts. 18, 21; PIPL Art. 44; COR-04), on
each store backend."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import httpx
import pytest

from rightsdesk.service.runtime import wiring
from rightsdesk.service.runtime.context import Services
from tests.api.conftest import Api, KeyMaker
from tests.api.steps import bearer, submit, verify
from tests.mailbox import Mailbox
from tests.service.conftest import PERSON
from tests.service.flows import wait_for_mail
from tests.service.restricting import account_id, flags, restricting


@pytest.fixture
def platform(platform: Path) -> Path:
    return restricting(platform)


def test_restrict_check_and_lift(
    api: Api, services: Services, mailbox: Mailbox, platform: Path, key: KeyMaker
) -> None:
    """COR-04: the host's check refuses the restricted person until the lift, which the person
    is told of first."""
    submitted = submit(api, "restrict", params={"ground": "objection_pending"}, locale="en")
    verify(api, mailbox, submitted)
    wiring.settle(services)
    reader, decider = key("read"), key("decide")
    me = {"kind": "user_id", "value": str(account_id(platform, PERSON))}

    shown = api.get(
        f"/v1/requests/{submitted['id']}", headers={"Authorization": f"Bearer {submitted['token']}"}
    )
    assert shown.status_code == 200 and shown.json()["status"] == "completed", shown.text
    verdict = api.get("/v1/restrictions/check", params=me, headers=reader)
    assert verdict.status_code == 200, verdict.text
    assert verdict.json()["may_process"] is False
    assert verdict.json()["still_allowed"] == ["storage"]
    assert verdict.json()["reasons"][0]["ground"] == "objection_pending"
    listed = api.get("/v1/restrictions", headers=reader).json()
    assert len(listed) == 1 and "keys" not in listed[0]["marks"]["platform.accounts"]
    # COR-05, GDPR Art. 19: the recipients of the restricted collections are told, and the
    # person is told who they are
    told = told_of(api, reader, "processing.restrict")
    assert set(told) >= {"sms_gateway"} and told["sms_gateway"]["ground"] == "objection_pending"
    assert told["sms_gateway"]["collections"] == ["platform.accounts"]
    completed = [m.body for m in wait_for_mail(mailbox, 3) if "restricted the processing" in m.body]
    assert completed and "sms_gateway" in completed[-1], completed

    refused = api.post(
        f"/v1/restrictions/{listed[0]['id']}/lift", json={"reason": "x"}, headers=reader
    )
    assert refused.status_code == 403
    lifted = api.post(
        f"/v1/restrictions/{listed[0]['id']}/lift",
        json={"reason": "your objection was upheld; the processing ended"},
        headers=decider,
    )
    assert lifted.status_code == 200 and lifted.json()["lifted_by"], lifted.text
    lifting = [m.body for m in wait_for_mail(mailbox, 4) if "lifting that restriction" in m.body]
    assert lifting and "sms_gateway" in lifting[-1], lifting
    assert set(told_of(api, reader, "processing.unrestrict")) == set(told)
    assert flags(platform)[PERSON] == 0
    assert api.get("/v1/restrictions/check", params=me, headers=reader).json()["may_process"]
    again = api.post(
        f"/v1/restrictions/{listed[0]['id']}/lift", json={"reason": "y"}, headers=decider
    )
    assert again.status_code == 409


def told_of(api: Api, headers: dict[str, str], event: str) -> dict[str, Any]:
    """Recipient -> the payload of its delivery of ``event``."""
    listed = api.get("/v1/deliveries", headers=headers)
    assert listed.status_code == 200, listed.text
    return {d["target"]: d["payload"] for d in listed.json() if d["event"] == event}


def test_an_objection_over_the_api(
    api: Api, services: Services, mailbox: Mailbox, key: KeyMaker
) -> None:
    """GDPR Art. 21(2)-(3): direct marketing stops for good, no reason needed."""
    submitted = submit(api, "object", params={"purposes": ["newsletter"]})
    verify(api, mailbox, submitted)
    wiring.settle(services)
    me = {"kind": "email", "value": PERSON}
    ask = api.get(
        "/v1/restrictions/check", params={**me, "purpose": "newsletter"}, headers=key("read")
    )
    assert ask.json()["may_process"] is False
    objection = ask.json()["reasons"][0]
    assert (objection["kind"], objection["ground"]) == ("objection", "direct_marketing")
    lift = api.post(
        f"/v1/restrictions/{objection['id']}/lift", json={"reason": "no"}, headers=key("decide")
    )
    assert lift.status_code == 409 and "direct marketing" in lift.text


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "name the person"),
        ({"kind": "email"}, "kind and value together"),
        ({"kind": "shoe_size", "value": "42"}, "unknown identity kind"),
        ({"collection": "nodot", "key": "1"}, "collection"),
    ],
)
def test_a_bad_check_is_a_422(
    api: Api, key: KeyMaker, params: dict[str, str], message: str
) -> None:
    response = api.get("/v1/restrictions/check", params=params, headers=key("read"))
    assert response.status_code == 422 and message in response.text, response.text


@pytest.mark.parametrize(
    ("kind", "params", "message"),
    [
        ("restrict", {"ground": "boredom"}, "params.ground"),
        ("object", {"purposes": ["marketing"]}, "withdrawn instead"),
    ],
)
def test_bad_params_are_a_422(api: Api, kind: str, params: dict[str, object], message: str) -> None:
    response = api.post(
        "/v1/requests",
        json={"type": kind, "identities": [{"kind": "email", "value": PERSON}], "params": params},
    )
    assert response.status_code == 422 and message in response.text, response.text


def test_unknown_restriction_is_a_404(api: Api, key: KeyMaker) -> None:
    response = api.post(
        f"/v1/restrictions/{'a' * 32}/lift", json={"reason": "x"}, headers=key("decide")
    )
    assert response.status_code == 404


def test_restriction_and_objection_stop_the_consent_check(
    api: Api, services: Services, mailbox: Mailbox, platform: Path, key: KeyMaker
) -> None:
    """COR-04: a restriction of the log-in events stops fraud scoring (which uses them) but not
    the newsletter; an objection to the newsletter stops it; the lift lets scoring go on."""
    reader = key("read")
    who = [{"kind": "user_id", "value": str(account_id(platform, PERSON))}]

    def ask(purpose: str) -> Any:
        body = {"purpose": purpose, "identities": who}
        response = api.post("/v1/consent-checks", json=body, headers=reader)
        assert response.status_code == 200, response.text
        return response.json()

    before = ask("fraud_analytics")
    assert (before["allowed"], before["stopped_by"]) == (True, [])
    hits = services.consent_checks.hits
    assert ask("fraud_analytics") == before
    assert services.consent_checks.hits == hits + 1  # cached

    scope = {"ground": "unlawful_processing", "collections": ["platform.login_events"]}
    restricted = submit(api, "restrict", params=scope, locale="en")
    verify(api, mailbox, restricted)
    wiring.settle(services)
    after = ask("fraud_analytics")  # the cached "yes" did not outlive the restriction
    assert after["allowed"] is False and after["state"] == "active", after
    (stop,) = after["stopped_by"]
    assert (stop["kind"], stop["ground"], stop["collections"]) == (
        "restriction",
        "unlawful_processing",
        ["platform.login_events"],
    )
    assert ask("newsletter")["allowed"] is True  # it uses accounts.email, not restricted

    mailbox.clear()  # the next code read is the objection's
    objected = submit(api, "object", params={"purposes": ["newsletter"]}, locale="en")
    verify(api, mailbox, objected)
    wiring.settle(services)
    newsletter = ask("newsletter")
    assert newsletter["allowed"] is False
    assert [(s["kind"], s["purpose"]) for s in newsletter["stopped_by"]] == [
        ("objection", "newsletter")
    ]

    lifted = api.post(
        f"/v1/restrictions/{stop['restriction_id']}/lift",
        json={"reason": "the processing was found lawful"},
        headers=key("decide"),
    )
    assert lifted.status_code == 200, lifted.text
    assert ask("fraud_analytics") == {**before, "version": ask("fraud_analytics")["version"]}
    assert ask("newsletter")["allowed"] is False  # the objection stays


def test_an_access_export_says_what_a_restriction_holds_apart(
    api: Api, services: Services, mailbox: Mailbox
) -> None:
    """ACC-03, COR-04: data.json, report.html and the status view of a later access name the
    places a restriction in force keeps apart, and what that means, in the person's language."""
    restricted = submit(api, "restrict", params={"ground": "unlawful_processing"}, locale="en")
    verify(api, mailbox, restricted)
    wiring.settle(services)
    mailbox.clear()
    asked = submit(api, "access", locale="en")
    verify(api, mailbox, asked)
    wiring.settle(services)
    shown = api.get(f"/v1/requests/{asked['id']}", headers=bearer(asked["token"]))
    assert shown.status_code == 200 and shown.json()["status"] == "completed", shown.text
    (apart,) = shown.json()["processing"]["held_apart"]
    assert apart["kind"] == "restriction" and "platform.accounts" in apart["places"]
    assert "we only store it" in apart["text"] and "unlawful_processing" in apart["text"]
    link = httpx.URL(shown.json()["outcome"]["export"]["download_url"])
    download = api.get(link.raw_path.decode())
    with zipfile.ZipFile(io.BytesIO(download.content)) as zipped:
        data = json.loads(zipped.read("data.json"))
        report = zipped.read("report.html").decode()
    assert data["processing"]["held_apart"] == [apart]
    assert "id='held-apart'" in report and "platform.accounts" in report

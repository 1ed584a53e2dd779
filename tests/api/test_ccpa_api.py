"""CCPA over the API: an opt-out needs no code (CCR 7026; INT-12), a fraud flag needs a reason
and the decide scope (CCR 7061(b); INT-05)."""

from __future__ import annotations

from rightsdesk.service.runtime import wiring
from rightsdesk.service.runtime.context import Services
from tests.api.conftest import Api, KeyMaker
from tests.api.steps import bearer, submit


def test_an_opt_out_completes_without_a_code(api: Api, services: Services) -> None:
    submitted = submit(api, "opt_out", regimes=["ccpa"])
    wiring.settle(services)
    shown = api.get(f"/v1/requests/{submitted['id']}", headers=bearer(submitted["token"]))
    assert shown.status_code == 200 and shown.json()["status"] == "completed", shown.text


def test_a_fraud_flag_over_the_api(api: Api, key: KeyMaker) -> None:
    submitted = submit(api, "delete")
    url = f"/v1/admin/requests/{submitted['id']}/fraud"
    assert api.post(url, json={"text": "takeover"}, headers=key("read")).status_code == 403
    assert api.post(url, json={"text": ""}, headers=key("decide")).status_code == 422
    flagged = api.post(url, json={"text": "the e-mail changed today"}, headers=key("decide"))
    assert flagged.status_code == 200, flagged.text
    shown = api.get(f"/v1/admin/requests/{submitted['id']}", headers=key("read")).json()
    assert shown["outcome"]["fraud"]["reason"] == "the e-mail changed today"

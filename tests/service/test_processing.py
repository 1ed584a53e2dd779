"""The access answer carries what the law requires besides the data (ACC-03: GDPR Art. 15(1)-(2),
19; PIPL Art. 48; CCPA "right to know" categories), in the person's language, from a real run
over the demo platform."""

from __future__ import annotations

import json
import zipfile
from typing import Any

import pytest

from rightsdesk.service.requests import actions as requests
from rightsdesk.service.runtime.context import Services
from tests.mailbox import Mailbox
from tests.service.flows import submit, verify


def exported(services: Services, mailbox: Mailbox, locale: str) -> tuple[Any, str, Any]:
    """data.json, report.html and the person's status view of a completed access."""
    done = submit(services, locale=locale, regimes=("gdpr", "provider_cn", "ccpa"))
    verify(services, mailbox, done)
    services.jobs.drain()
    seen = requests.status(services, done.request.id, done.token)
    assert seen.status == "completed", seen.outcome
    with zipfile.ZipFile(services.exports_dir / seen.outcome["export"]["file"]) as zipped:
        data = json.loads(zipped.read("data.json"))
        report = zipped.read("report.html").decode()
    return data, report, seen


def by_category(processing: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["category"]: c for c in processing["categories"]}


def test_the_export_and_the_status_view_tell_purposes_recipients_retention_and_sources(
    services: Services, mailbox: Mailbox
) -> None:
    """ACC-03, COR-05 (the recipient list), RSP-08 (complaint remedies per regime)."""
    data, report, seen = exported(services, mailbox, "en")
    told = data["processing"]
    assert seen.processing == told  # the API status view says the same as the export
    assert told["controller"] == {
        "name": "Demo Cloud Ltd.",
        "contact": "privacy@demo-cloud.example",
    }
    categories = by_category(told)
    email = categories["user.contact.email"]
    assert email["held_in"] == ["platform.accounts"]
    assert {(p["name"], p["basis"]) for p in email["purposes"]} == {
        ("service_delivery", "contract"),
        ("marketing", "consent"),
    }
    assert {(r["name"], r["kind"], r["country"]) for r in email["recipients"]} == {
        ("sms_gateway", "processor", "CN")
    }
    assert email["sources"] == [
        {"collection": "platform.accounts", "source": "person", "text": "collected from you"}
    ]
    # a legal retention rule, with its period and basis, and a collection kept for a period
    invoices = categories["user.financial.invoice"]["retention"]
    assert invoices[0]["rule"] == "tax-invoices" and invoices[0]["period"] == "10y"
    assert "10 years from issued_at" in invoices[0]["text"]
    login = categories["user.behavior.login"]
    assert login["retention"][0]["period"] == "1y"
    assert login["sources"][0]["source"] == "observed"
    assert login["recipients"][0]["safeguard"].startswith("PIPL Art. 38")
    verified = categories["user.government_id.verification"]["sources"]
    assert {s["source"] for s in verified} == {"person", "received"}
    # every right, how to use it, and the remedies of every regime of the request
    assert {r["right"] for r in told["rights"]} >= {"access", "delete", "cancel_account"}
    assert all("/v1/requests" in r["how"] for r in told["rights"])
    assert {c["regime"] for c in told["complaints"]} == {"gdpr", "provider_cn", "ccpa"}
    assert any("supervisory authority" in c["text"] for c in told["complaints"])
    assert told["automated_decisions"].startswith("None: no decision")
    # only what is held: nothing about categories with no rows for this person
    assert all(c["held_in"] for c in told["categories"])
    assert "<h2 id='processing'>How we process it</h2>" in report
    assert "Demo Cloud Ltd." in report and "a processor acting on our instructions" in report


def test_the_answer_is_in_the_persons_language(services: Services, mailbox: Mailbox) -> None:
    """ACC-03 in zh-CN: the fixed words are Chinese; the data map's own words are as written."""
    data, report, _ = exported(services, mailbox, "zh-CN")
    told = data["processing"]
    assert told["locale"] == "zh-CN"
    email = by_category(told)["user.contact.email"]
    assert email["sources"][0]["text"] == "向您收集"
    assert {p["basis_text"] for p in email["purposes"]} == {
        "履行与您订立的合同所必需",
        "您的同意（您可以随时撤回）",  # noqa: RUF001
    }
    invoices = by_category(told)["user.financial.invoice"]["retention"][0]["text"]
    assert invoices.startswith("依法自issued_at起保存10年")
    assert any("监管机构" in c["text"] for c in told["complaints"])
    assert "<html lang='zh-CN'>" in report and "我们如何处理" in report
    assert "您的权利及行使方式" in report and "How we process it" not in report


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_what_the_map_does_not_say_is_stated_as_not_stated(
    services: Services, mailbox: Mailbox
) -> None:
    """ACC-03: a map without sources, retention words or a notice is told honestly, not filled."""
    assert services.datamap is not None
    bare = services.datamap.model_copy(update={"notice": None})
    systems = tuple(
        s.model_copy(
            update={
                "collections": tuple(
                    c.model_copy(update={"source": None, "kept": None}) for c in s.collections
                )
            }
        )
        for s in bare.systems
    )
    services.datamap = bare.model_copy(update={"systems": systems})
    data, _, _ = exported(services, mailbox, "en")
    told = data["processing"]
    assert told["controller"] is None
    assert (
        told["automated_decisions"]
        == "our data map declares no automated decision-making about you"
    )
    phone = by_category(told)["user.contact.phone_number"]
    assert phone["sources"][0] == {
        "collection": "platform.accounts",
        "source": None,
        "text": "not stated in our data map",
    }
    assert phone["retention"] == [
        {"collection": "platform.accounts", "stated": False, "text": "not stated in our data map"}
    ]

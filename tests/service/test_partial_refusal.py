"""A partial refusal names places of the data map, and the run leaves them as they are.

Issue 16's scenario: a person told "your billing records are kept for an open tax audit" had
those records unlinked in the same run. Requirements: DEL-10 (a partial denial deletes the
non-exempt part and names the exception for the rest), RSP-06/RSP-07 (a catalogued ground and a
justification), RSP-08 (reasons and remedies), COR-01 (a correction reaches every store but the
held ones), AUD-01 (the decisions are in the audit log).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from rightsdesk.audit import log as audit
from rightsdesk.domain.errors import ConflictError, PolicyError
from rightsdesk.domain.requests import RequestType
from rightsdesk.service.requests import actions as requests
from rightsdesk.service.requests import receipts, views
from rightsdesk.service.runtime.context import Services
from tests.mailbox import Mailbox
from tests.service.flows import submit, verify
from tests.service.test_flow import OPERATOR

AUDIT = "the records are kept for an open tax audit by the tax bureau"
BILLING = ("billing.bills", "billing.orders")


def linked(platform: Path, table: str) -> int:
    """Rows of person 1 (li.wei) in a billing table still linked to them."""
    with sqlite3.connect(platform.parent / "billing.db") as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table} WHERE user_id = 1").fetchone()[0])


def hold(services: Services, request_id: str, *places: str) -> None:
    """Refuse the places on the ground of a legal obligation (a tax audit)."""
    requests.refuse(
        services,
        OPERATOR,
        request_id,
        ground="legal_obligation",
        justification=AUDIT,
        parts=places,
    )


def refused_deletion(services: Services, mailbox: Mailbox) -> str:
    done = submit(services, RequestType.DELETE)
    verify(services, mailbox, done)
    hold(services, done.request.id, *BILLING)
    requests.approve(services, OPERATOR, done.request.id, "checked")
    services.jobs.drain()
    return done.request.id


def test_billing_records_kept_for_a_tax_audit_stay_linked_after_the_deletion(
    services: Services, mailbox: Mailbox, platform: Path
) -> None:
    bills, orders = linked(platform, "bills"), linked(platform, "orders")
    assert bills and orders and linked(platform, "subscriptions")
    request_id = refused_deletion(services, mailbox)
    shown = views.detail(services, request_id)
    assert shown.status == "partially_completed", shown.outcome
    assert (linked(platform, "bills"), linked(platform, "orders")) == (bills, orders)
    assert linked(platform, "subscriptions") == 0  # the rest was erased in the same run
    run = shown.outcome["run"]
    assert run["collections"]["billing.bills"]["held"] == bills
    assert run["held"] == list(BILLING) and ["user_id", "1"] in run["links"]
    part = shown.outcome["refused_parts"][0]
    assert part["places"] == list(BILLING) and part["justification"] == AUDIT
    receipt = receipts.document(services, request_id)["receipt"]
    assert receipt["status"] == "partially_completed"
    assert receipt["refused_parts"][0]["places"] == list(BILLING)
    assert receipt["refused_parts"][0]["ground"] == "legal_obligation"
    assert receipt["refused_parts"][0]["remedies"]
    billing = next(s for s in receipt["systems"] if s["system"] == "billing")["collections"]
    assert {"collection": "bills", "action": "held", "rows": bills} in billing


def test_lifting_the_hold_opens_a_follow_up_that_erases_the_places(
    services: Services, mailbox: Mailbox, platform: Path
) -> None:
    request_id = refused_deletion(services, mailbox)
    with pytest.raises(PolicyError, match="say why"):
        requests.lift(services, OPERATOR, request_id, " ")
    followup = requests.lift(services, OPERATOR, request_id, "the tax audit closed on 1 July")
    assert followup is not None
    later = views.detail(services, followup)
    assert later.status == "awaiting_approval"  # a deletion goes the usual way
    requests.approve(services, OPERATOR, followup, "audit closed")
    services.jobs.drain()
    assert views.detail(services, followup).status == "completed"
    assert (linked(platform, "bills"), linked(platform, "orders")) == (0, 0)
    part = views.detail(services, request_id).outcome["refused_parts"][0]
    assert part["lifted"]["reason"] == "the tax audit closed on 1 July"
    with pytest.raises(ConflictError, match="held now: none"):
        requests.lift(services, OPERATOR, request_id, "again")
    with services.store.session() as session:
        found = audit.events_for(session, request_id)
        lifted = [e.record.get("data") for e in found if e.event == "lift_hold"]
    assert lifted == [{"places": list(BILLING), "followup": followup}]


def test_a_hold_lifted_before_the_run_is_simply_part_of_it(
    services: Services, mailbox: Mailbox, platform: Path
) -> None:
    done = submit(services, RequestType.DELETE)
    verify(services, mailbox, done)
    hold(services, done.request.id, "billing.bills")
    assert requests.lift(services, OPERATOR, done.request.id, "audit closed early") is None
    requests.approve(services, OPERATOR, done.request.id, None)
    services.jobs.drain()
    assert views.detail(services, done.request.id).status == "partially_completed"
    assert linked(platform, "bills") == 0


def test_a_place_not_in_the_data_map_is_refused_with_the_list_of_places(
    services: Services, mailbox: Mailbox
) -> None:
    done = submit(services, RequestType.DELETE)
    verify(services, mailbox, done)
    with pytest.raises(PolicyError, match=r"one of: platform\.accounts, .*billing\.bills"):
        hold(services, done.request.id, "billing records")
    with pytest.raises(PolicyError, match=r"its fields: billing\.bills\.id"):
        hold(services, done.request.id, "billing.bills.iban")
    assert views.detail(services, done.request.id).outcome.get("refused_parts") is None


def buyer_names(platform: Path) -> list[str]:
    with sqlite3.connect(platform.parent / "billing.db") as conn:
        rows = conn.execute("SELECT buyer_name FROM invoices WHERE user_id = 1 ORDER BY id")
        return [str(r[0]) for r in rows]


def test_a_correction_leaves_a_held_store_as_it_was(
    services: Services, mailbox: Mailbox, platform: Path
) -> None:
    before = buyer_names(platform)
    done = submit(
        services,
        RequestType.CORRECT,
        params={"changes": [{"field": "user.name", "value": "Li Wei-Chen"}]},
    )
    # held before verification: a correction is approved by policy and runs once verified
    hold(services, done.request.id, "billing.invoices.buyer_name")
    verify(services, mailbox, done)
    services.jobs.drain()
    shown = views.detail(services, done.request.id)
    assert shown.status == "partially_completed", shown.outcome
    assert buyer_names(platform) == before and "Li Wei-Chen" not in before
    assert shown.outcome["run"]["held"] == ["billing.invoices.buyer_name"]
    grounds = [p["ground"] for p in shown.outcome["refused_parts"]]
    assert grounds == ["legal_obligation", "registration_site"]  # real-name data: elsewhere


def test_a_later_access_says_the_held_places_are_kept_apart(
    services: Services, mailbox: Mailbox
) -> None:
    """ACC-03, DEL-10: the person's access answer (status view, data.json) names the places the
    refused part holds, why, and the request they were held from."""
    request_id = refused_deletion(services, mailbox)
    mailbox.clear()
    asked = submit(services, RequestType.ACCESS)
    verify(services, mailbox, asked)
    services.jobs.drain()
    shown = views.detail(services, asked.request.id)
    assert shown.status == "completed" and shown.processing is not None, shown.outcome
    (apart,) = shown.processing["held_apart"]
    assert (apart["kind"], apart["places"]) == ("refused_part", list(BILLING))
    assert apart["request_id"] == request_id and request_id in apart["text"]
    assert apart["ground"] == "legal_obligation"

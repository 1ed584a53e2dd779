"""Consent receipts: append-only history, the scope per person, effects of a withdrawal (host
webhook, recipients, deletion evaluation), GPC opt-outs, and the Kantara receipt fields."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete, select, update

from rightsdesk.domain.errors import ConflictError, NotFoundError, PolicyError
from rightsdesk.domain.subjects import Identity
from rightsdesk.service.consent import choices as consent
from rightsdesk.service.runtime.context import Services, unit
from rightsdesk.store.models import AuditEvent, ConsentRecord
from tests.mailbox import Mailbox
from tests.service.conftest import Clock
from tests.service.receiver import Receiver, platform, receiver, settings

__all__ = ["platform", "receiver", "settings"]  # fixtures

PERSON = (Identity("user_id", "42"), Identity("email", "li.wei@example.com"))


def decide(services: Services, purpose: str, given: bool = True, **extra: Any) -> ConsentRecord:
    change = consent.grant if given else consent.withdraw
    with unit(services) as work:
        return change(
            services, work, PERSON, purpose, consent.Origin("api", "provider_cn", **extra)
        )


def states(services: Services, identities: tuple[Identity, ...] = PERSON) -> dict[str, str]:
    return {s.purpose: s.state for s in consent.show(services, identities)}


def evaluations(services: Services) -> list[dict[str, Any]]:
    with services.store.session() as session:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.event == "deletion_evaluation"))
        return [row.record["data"] for row in rows]


def columns(row: ConsentRecord) -> dict[str, Any]:
    return {c: getattr(row, c) for c in ConsentRecord.__table__.columns.keys()}  # noqa: SIM118


def test_the_scope_covers_the_whole_catalogue(services: Services) -> None:
    shown = {s.purpose: (s.state, s.source) for s in consent.show(services, PERSON)}
    assert shown == {
        "service": ("active", "basis"),  # a contract, not consent
        "marketing": ("not_given", "default"),
        "analytics": ("not_given", "default"),
        "ad_sharing": ("active", "default"),  # opt-out: granted until withdrawn
    }


def test_history_survives_withdrawal_and_the_first_receipt_never_changes(
    services: Services, clock: Clock
) -> None:
    first = decide(services, "marketing")
    before = columns(first)
    clock.advance(minutes=5)
    decide(services, "marketing", given=False)
    assert states(services)["marketing"] == "revoked"
    clock.advance(minutes=5)
    decide(services, "marketing")
    [marketing] = [s for s in consent.show(services, PERSON) if s.purpose == "marketing"]
    assert [r.state for r in marketing.history] == ["active", "revoked", "active"]
    assert (marketing.state, marketing.since) == ("active", clock.now)
    with services.store.session() as session:
        again = session.get(ConsentRecord, first.id)
        assert again is not None and columns(again) == before


def test_decisions_in_one_clock_tick_keep_their_order(services: Services) -> None:
    for given in (True, False, True, False):
        decide(services, "analytics", given)
    assert states(services)["analytics"] == "revoked"


def test_repeating_a_decision_records_nothing_new(services: Services) -> None:
    assert decide(services, "marketing").id == decide(services, "marketing").id
    withdrawn = decide(services, "marketing", given=False)
    assert decide(services, "marketing", given=False).id == withdrawn.id


@pytest.mark.parametrize("how", ["orm-update", "orm-delete", "bulk-update", "bulk-delete"])
def test_a_receipt_cannot_be_updated_or_deleted(services: Services, how: str) -> None:
    record = decide(services, "marketing")
    statements = {
        "bulk-update": update(ConsentRecord)
        .where(ConsentRecord.id == record.id)
        .values(state="revoked"),
        "bulk-delete": delete(ConsentRecord).where(ConsentRecord.id == record.id),
    }
    with pytest.raises(ConflictError, match="append-only"), services.store.session() as session:
        row = session.get(ConsentRecord, record.id)
        assert row is not None
        if how == "orm-update":
            row.state = "revoked"
        elif how == "orm-delete":
            session.delete(row)
        else:
            session.execute(statements[how])
    with services.store.session() as session:
        kept = session.get(ConsentRecord, record.id)
        assert kept is not None and columns(kept) == columns(record)


def test_a_withdrawal_tells_the_host_to_stop_the_purposes_features(
    services: Services, receiver: Receiver
) -> None:
    decide(services, "marketing")
    withdrawn = decide(services, "marketing", given=False)
    granted_hit, withdrawn_hit = receiver.at("host")
    assert granted_hit.headers["x-rightsdesk-event"] == "consent.granted"
    assert withdrawn_hit.headers["x-rightsdesk-event"] == "consent.withdrawn"
    assert withdrawn_hit.signed_by(services.secrets.mac("webhook", "host").encode())
    payload = withdrawn_hit.json["payload"]
    assert payload["features"] == ["newsletter", "promo_sms"]
    assert payload["collections"] == ["platform.login_events"]
    assert payload["fields"] == ["platform.accounts.phone"]
    assert payload["user_id"] == "42" and payload["receipt_id"] == withdrawn.id
    assert payload["subject_ref"] == consent.subject_of(services, PERSON)
    assert payload["effective_at"] == withdrawn.effective_at.isoformat()


def test_a_withdrawal_tells_the_recipients_holding_the_data(
    services: Services, mailbox: Mailbox
) -> None:
    decide(services, "marketing")
    decide(services, "marketing", given=False)
    # the recipient's task, and the person hears of the deletion the withdrawal opened (WDR-05)
    messages = mailbox.wait_for(2)
    assert sorted(m["To"] for m in messages) == ["li.wei@example.com", "mailhouse@example.net"]
    [message] = [m for m in messages if m["To"] == "mailhouse@example.net"]
    assert "consent.withdrawn" in message.body and "platform.login_events" in message.body
    assert "li.wei@example.com" in message.body  # an identifier the recipient already holds


def test_deletion_is_evaluated_only_when_no_other_basis_remains(services: Services) -> None:
    decide(services, "marketing")
    decide(services, "analytics")
    decide(services, "marketing", given=False)
    [kept] = evaluations(services)
    assert kept["opens_deletion"] is False and kept["collections"] == []
    assert kept["retained"] == {"platform.login_events": ["analytics (consent)"]}
    decide(services, "analytics", given=False)
    opened = evaluations(services)[-1]
    assert opened["opens_deletion"] is True
    assert opened["collections"] == ["platform.login_events"] and opened["retained"] == {}
    assert opened["subject"] == consent.subject_of(services, PERSON)


def test_a_future_dated_withdrawal_takes_effect_on_its_date(
    services: Services, clock: Clock
) -> None:
    decide(services, "marketing")
    decide(services, "marketing", given=False, effective_at=clock.now + timedelta(days=1))
    assert states(services)["marketing"] == "active"
    clock.advance(days=1)
    assert states(services)["marketing"] == "revoked"
    with pytest.raises(PolicyError, match="past"):
        decide(services, "analytics", effective_at=clock.now - timedelta(seconds=1))


def test_gpc_opts_out_of_sale_and_sharing_and_never_back_in(services: Services) -> None:
    email_only = (Identity("email", "LI.WEI@example.com"),)
    [receipt] = consent.honour_gpc(services, email_only)
    assert (receipt.purpose, receipt.state, receipt.method) == ("ad_sharing", "revoked", "gpc")
    assert consent.honour_gpc(services, email_only) == []  # already out: nothing new
    # found again when the person signs in with their account (user_id and email)
    assert states(services)["ad_sharing"] == "revoked"
    assert states(services)["marketing"] == "not_given"  # not sale or sharing: untouched


def test_withdraw_all_revokes_every_consent_in_force(services: Services) -> None:
    decide(services, "analytics")
    with unit(services) as work:
        done = consent.withdraw_all(services, work, PERSON, method="cancellation", request_id=None)
    assert sorted(r.purpose for r in done) == ["ad_sharing", "analytics"]
    assert states(services) == {
        "service": "active",
        "marketing": "not_given",
        "analytics": "revoked",
        "ad_sharing": "revoked",
    }


def test_only_catalogued_consent_purposes_are_granted(services: Services) -> None:
    with pytest.raises(NotFoundError):
        decide(services, "astrology")
    with pytest.raises(PolicyError, match="contract"):
        decide(services, "service", given=False)


KANTARA = {
    "version",
    "jurisdiction",
    "consentTimestamp",
    "collectionMethod",
    "consentReceiptID",
    "piiPrincipalId",
    "piiControllers",
    "policyUrl",
    "language",
    "services",
    "sensitive",
    "spiCat",
}
PURPOSE_FIELDS = {
    "purpose",
    "purposeCategory",
    "consentType",
    "piiCategory",
    "primaryPurpose",
    "termination",
    "thirdPartyDisclosure",
    "thirdPartyName",
}


def test_receipts_carry_the_kantara_fields(services: Services) -> None:
    record = decide(services, "ad_sharing", given=False)
    receipt = record.receipt
    assert receipt.keys() >= KANTARA
    assert receipt["consentReceiptID"] == record.id and receipt["version"] == "KI-CR-v1.1.0"
    assert receipt["piiPrincipalId"] == record.subject
    [service] = receipt["services"]
    [purpose] = service["purposes"]
    assert purpose.keys() >= PURPOSE_FIELDS
    assert purpose["consentType"] == "OPT-OUT" and purpose["thirdPartyName"] == ["ad_partner"]
    assert "user.account.binding" in purpose["piiCategory"]
    assert receipt["event"] == {"type": "withdrawn", "state": "revoked"}

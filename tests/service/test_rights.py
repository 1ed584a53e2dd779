"""Correction, bindings and consent withdrawal through the request service, end to end.

The demo platform (two SQLite stores) and its bundled data map; the host platform's webhooks go
to a real HTTP receiver, recipients' e-mail tasks to the real SMTP mailbox.
"""

from __future__ import annotations

import sqlite3
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from rightsdesk.domain.errors import NotFoundError, PolicyError
from rightsdesk.domain.requests import RequestType
from rightsdesk.domain.subjects import Identity
from rightsdesk.service.consent import bindings
from rightsdesk.service.consent import choices as consent
from rightsdesk.service.requests import actions as requests
from rightsdesk.service.requests import intake, views
from rightsdesk.service.runtime import wiring
from rightsdesk.service.runtime.context import Services
from rightsdesk.settings import Settings
from rightsdesk.store.models import AuditEvent, ConsentRecord, Delivery, Request
from tests.mailbox import Mailbox
from tests.service.conftest import PERSON, Clock
from tests.service.flows import mails_to, submit, verify
from tests.service.receiver import Receiver, receiver
from tests.service.test_flow import OPERATOR

__all__ = ["receiver"]  # fixture
ME = (Identity("email", PERSON),)


@pytest.fixture
def settings(settings: Settings, receiver: Receiver) -> Settings:
    return settings.model_copy(update={"host_hook_url": receiver.url("host")})


def db(platform: Path, name: str) -> sqlite3.Connection:
    return sqlite3.connect(platform.parent / f"{name}.db")


def rows(platform: Path, name: str, sql: str) -> list[tuple[object, ...]]:
    with db(platform, name) as conn:
        return list(conn.execute(sql))


def run(services: Services, mailbox: Mailbox, kind: RequestType, **params: object) -> str:
    done = submit(services, kind, params=params)
    verify(services, mailbox, done)
    view = views.detail(services, done.request.id)
    if view.status == "awaiting_approval":
        requests.approve(services, OPERATOR, done.request.id, "checked")
    wiring.settle(services)
    return done.request.id


def test_a_correction_reaches_every_copy_and_real_name_data_is_sent_to_the_registration_site(
    services: Services, mailbox: Mailbox, platform: Path
) -> None:
    before = rows(platform, "platform", "SELECT real_name FROM identity_verifications")
    changes = [
        {"field": "phone", "value": "13900139000"},
        {"field": "user.name", "value": "李伟明"},  # real_name (verification) and buyer_name
    ]
    request_id = run(services, mailbox, RequestType.CORRECT, changes=changes)

    shown = views.detail(services, request_id)
    assert shown.status == "partially_completed"
    refused = shown.outcome["refused_parts"]
    assert [r["ground"] for r in refused] == ["registration_site"]
    assert "platform.identity_verifications.real_name" in refused[0]["justification"]
    assert rows(platform, "platform", "SELECT phone FROM accounts WHERE id = 1") == [
        ("13900139000",)
    ]
    # every invoice of theirs carries the new name; nobody else's changed
    mine = rows(platform, "billing", "SELECT DISTINCT buyer_name FROM invoices WHERE user_id = 1")
    assert mine == [("李伟明",)]
    others = rows(platform, "billing", "SELECT count(*) FROM invoices WHERE buyer_name = '李伟明'")
    assert others == [
        (len(rows(platform, "billing", "SELECT id FROM invoices WHERE user_id = 1")),)
    ]
    assert rows(platform, "platform", "SELECT real_name FROM identity_verifications") == before
    collections = shown.outcome["run"]["collections"]
    assert collections["platform.accounts"] == {"updated": 1, "fields": ["phone"]}
    assert collections["billing.invoices"]["fields"] == ["buyer_name"]
    # the SMS gateway holds account contact data: it gets an e-mail task to correct it too
    with services.store.session() as session:
        told = session.scalars(select(Delivery).where(Delivery.request_id == request_id)).all()
    assert {(d.target, d.event, d.state) for d in told} == {("sms_gateway", "correction", "sent")}


def test_a_correction_is_never_verified_through_the_identity_it_corrects(
    services: Services,
) -> None:
    with pytest.raises(PolicyError, match="not verified through the identity it corrects"):
        submit(
            services,
            RequestType.CORRECT,
            params={"changes": [{"field": "email", "value": "new@example.com"}]},
        )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"changes": [{"field": "phone", "value": "12345"}]}, "must be a mobile number"),
        ({"changes": [{"field": "phone", "value": "+86 139 0013 9000"}]}, "must be a mobile"),
        ({"changes": [{"field": "shoe_size", "value": "42"}]}, "no field 'shoe_size'"),
        ({"changes": [{"field": "id", "value": "2"}]}, "key or read-only"),
        ({}, "names changes, a statement, or both"),
        ({"statement": "   "}, "non-empty text"),
    ],
)
def test_bad_corrections_are_refused_at_intake_with_a_reason(
    services: Services, params: dict[str, object], message: str
) -> None:
    with pytest.raises(PolicyError, match=message):
        submit(services, RequestType.CORRECT, params=params)


def test_a_supplementary_statement_appears_in_later_exports(
    services: Services, mailbox: Mailbox
) -> None:
    said = "My 2024 invoices were issued to my employer, not to me."
    run(services, mailbox, RequestType.CORRECT, statement=said)
    mailbox.clear()
    access = run(services, mailbox, RequestType.ACCESS)
    archive = services.exports_dir / f"{access}.zip"
    with zipfile.ZipFile(archive) as zipped:
        assert said in zipped.read("statements.json").decode("utf-8")


def test_bindings_are_listed_and_removed_one_by_one_and_the_host_revokes_the_token(
    services: Services, platform: Path, receiver: Receiver
) -> None:
    found = bindings.listing(services, ME)
    assert len(found) == 2 and all(b.id.startswith("platform.account_bindings:") for b in found)
    first, second = found
    bindings.remove(services, ME, first.id, actor="person")
    wiring.settle(services)

    assert [b.id for b in bindings.listing(services, ME)] == [second.id]
    hooks = [h.json for h in receiver.at("host")]
    assert [h["event"] for h in hooks] == ["binding.revoked"]
    assert hooks[0]["payload"]["provider"] == first.provider
    assert hooks[0]["payload"]["external_id"] == first.external_id
    with pytest.raises(NotFoundError):
        bindings.remove(services, ME, first.id, actor="person")
    someone_else = rows(platform, "platform", "SELECT id FROM account_bindings WHERE account_id=2")
    if someone_else:  # another person's binding is not theirs to remove
        with pytest.raises(NotFoundError):
            bindings.remove(
                services, ME, f"platform.account_bindings:{someone_else[0][0]}", actor="person"
            )


def test_a_withdrawal_request_narrows_the_scope_and_keeps_the_history(
    services: Services, mailbox: Mailbox, receiver: Receiver
) -> None:
    consent.decide(services, ME, "marketing", given=True, method="api")
    granted = consent.show(services, ME)
    assert {s.purpose: s.state for s in granted}["marketing"] == "active"
    binding = bindings.listing(services, ME)[0]

    request_id = run(
        services,
        mailbox,
        RequestType.WITHDRAW_CONSENT,
        purposes=["marketing"],
        bindings=[binding.id],
    )
    assert views.detail(services, request_id).status == "completed"
    states = {s.purpose: s for s in consent.show(services, ME)}
    assert states["marketing"].state == "revoked"
    # the grant is still there, unchanged, before the withdrawal
    assert [r.state for r in states["marketing"].history] == ["active", "revoked"]
    assert binding.id not in {b.id for b in bindings.listing(services, ME)}
    events = {h.json["event"] for h in receiver.at("host")}
    assert {"consent.withdrawn", "binding.revoked"} <= events
    with services.store.session() as session:
        receipts = session.scalars(
            select(ConsentRecord).where(ConsentRecord.request_id == request_id)
        ).all()
    assert [(r.purpose, r.state) for r in receipts] == [("marketing", "revoked")]


def test_a_withdrawal_names_purposes_of_the_catalogue(services: Services) -> None:
    with pytest.raises(PolicyError, match="unknown purpose"):
        intake.submit(
            services,
            intake.Submission(RequestType.WITHDRAW_CONSENT, ME, params={"purposes": ["astrology"]}),
        )


def test_a_withdrawal_that_leaves_no_basis_opens_a_scoped_deletion(
    services: Services, platform: Path
) -> None:
    consent.decide(services, ME, "personalisation", given=True, method="api")
    # analytics sharing (granted by default) also covers the log-ins: nothing to delete yet
    consent.decide(services, ME, "personalisation", given=False, method="api")
    with services.store.session() as session:
        assert session.scalars(select(Request).where(Request.type == "delete")).all() == []
    consent.decide(services, ME, "personalisation", given=True, method="api")
    consent.decide(services, ME, "partner_analytics", given=False, method="api")
    consent.decide(services, ME, "personalisation", given=False, method="api")
    with services.store.session() as session:
        opened = session.scalars(select(Request).where(Request.type == "delete")).one()
        request_id, scope = opened.id, opened.params["scope"]
    assert scope == ["platform.login_events"]
    assert views.detail(services, request_id).status == "awaiting_approval"
    logins = "SELECT count(*) FROM login_events WHERE account_id = 1"
    assert rows(platform, "platform", logins) != [(0,)]
    requests.approve(services, OPERATOR, request_id, "no basis left for the log-ins")
    wiring.settle(services)
    assert views.detail(services, request_id).status == "completed"
    assert rows(platform, "platform", logins) == [(0,)]
    assert rows(platform, "platform", "SELECT count(*) FROM accounts WHERE id = 1") == [(1,)]


def test_an_unlawful_disclosure_is_stopped_on_intake_before_approval_and_erasure(
    services: Services, mailbox: Mailbox, receiver: Receiver, platform: Path
) -> None:
    """DEL-08 (doc (c)2), DEL-01: verified, not yet approved: the host already got
    publication.stop, every recipient was told to delete and the person was told, while the
    data is still there; the erasure follows approval and does not stop it twice."""
    done = submit(services, RequestType.DELETE, params={"ground": "unlawful_disclosure"})
    verify(services, mailbox, done)
    wiring.settle(services)
    assert views.detail(services, done.request.id).status == "awaiting_approval"
    assert rows(platform, "platform", "SELECT count(*) FROM accounts WHERE id = 1") == [(1,)]
    stops = [h.json for h in receiver.at("host") if h.json["event"] == "publication.stop"]
    assert len(stops) == 1 and stops[0]["payload"]["reason"] == "unlawful_disclosure"
    assert "platform.accounts" in stops[0]["payload"]["collections"]
    assert stops[0]["request_id"] == done.request.id

    def told(event: str) -> list[str]:
        with services.store.session() as session:
            query = select(Delivery.target).where(
                Delivery.request_id == done.request.id,
                Delivery.event == event,
                Delivery.target != "host",
            )
            return sorted(session.scalars(query))

    assert told("publication.stop") == ["analytics_partner", "sms_gateway"]
    assert told("erasure") == []
    assert any("停止公开披露" in m.subject for m in mails_to(mailbox))
    with services.store.session() as session:
        stopped = session.scalars(
            select(AuditEvent).where(
                AuditEvent.request_id == done.request.id,
                AuditEvent.event == "publication_stopped",
            )
        ).one()
    assert stopped.record["data"] == {"ground": "unlawful_disclosure", "recipients": 2}

    requests.approve(services, OPERATOR, done.request.id, "checked")
    wiring.settle(services)
    assert views.detail(services, done.request.id).status == "completed"
    assert rows(platform, "platform", "SELECT count(*) FROM accounts WHERE id = 1") == [(0,)]
    assert told("erasure") == ["analytics_partner", "sms_gateway"]
    again = [h for h in receiver.at("host") if h.json["event"] == "publication.stop"]
    assert len(again) == 1


@pytest.mark.parametrize("ground", ["Unlawful Disclosure", "they leaked it", 3])
def test_a_deletion_ground_outside_the_catalogue_is_refused_before_anything_is_stored(
    services: Services, ground: object
) -> None:
    """DEL-01: the ground is a catalogued value, not free text."""
    with pytest.raises(PolicyError, match="not a deletion ground; use purpose_achieved"):
        submit(services, RequestType.DELETE, params={"ground": ground})
    with services.store.session() as session:
        assert session.scalars(select(Request)).all() == []


def test_the_sweep_deletes_what_is_no_longer_needed_without_a_request(
    services: Services, platform: Path, clock: Clock
) -> None:
    clock.now = datetime(2027, 6, 8, 2, tzinfo=UTC)  # log-ins are kept one year
    old = "SELECT count(*) FROM login_events WHERE at < '2026-06-08'"
    assert rows(platform, "platform", old) != [(0,)]
    counts = wiring.sweep(services)
    assert counts["expired_rows_deleted"] > 0
    assert rows(platform, "platform", old) == [(0,)]
    with services.store.session() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.event == "own_initiative_deletion")
        ).all()
    assert [e.record["data"]["collection"] for e in events] == ["platform.login_events"]
    assert events[0].record["data"]["rows"] == counts["expired_rows_deleted"]
    assert wiring.sweep(services)["expired_rows_deleted"] == 0

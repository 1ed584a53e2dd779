"""Requests end to end through the service: intake, emailed code, policy, run, receipt."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from rightsdesk.audit import log as audit
from rightsdesk.audit.receipts import verify_receipt
from rightsdesk.domain.errors import AuthenticationError, ConflictError, NotFoundError, PolicyError
from rightsdesk.domain.requests import RequestType
from rightsdesk.service.requests import actions as requests
from rightsdesk.service.requests import execution, receipts, views
from rightsdesk.service.runtime.context import Services
from rightsdesk.service.runtime.operators import Operator, Scope
from rightsdesk.service.verification import codes as verification
from rightsdesk.settings import Settings
from rightsdesk.store.models import Challenge, Request
from tests.mailbox import Mailbox
from tests.service.conftest import PERSON, Clock
from tests.service.flows import emailed_code, mails_to, submit, verify, wait_for_mail

OPERATOR = Operator("test", "test operator", frozenset(Scope))


def status_of(services: Services, request_id: str) -> str:
    return views.detail(services, request_id).status


def test_access_request_runs_after_the_emailed_code_and_yields_an_export(
    services: Services, mailbox: Mailbox
) -> None:
    done = submit(services)
    assert done.request.status == "identity_unverified"
    verify(services, mailbox, done)
    services.jobs.drain()
    shown = views.detail(services, done.request.id)
    assert shown.status == "completed", shown.outcome
    archive = services.exports_dir / shown.outcome["export"]["file"]
    with zipfile.ZipFile(archive) as zipped:
        assert {"data.json", "report.html"} <= set(zipped.namelist())
        assert PERSON in zipped.read("data.json").decode()
    # the code (which also acknowledges the request), verified, completed
    completed = wait_for_mail(mailbox, 3)[-1]
    assert "/export?expires=" in completed.body
    url = completed.body.split("/v1/requests/", 1)[1].split()[0]
    query = dict(part.split("=") for part in url.split("?", 1)[1].split("&"))
    assert (
        execution.export_file(services, done.request.id, query["expires"], query["signature"])
        == archive
    )
    seen = requests.status(services, done.request.id, done.token).outcome["export"]
    assert seen["download_url"].endswith(url.split("/export", 1)[1])


def test_deletion_needs_approval_then_erases_and_issues_a_verifiable_receipt(
    services: Services, mailbox: Mailbox, tmp_path: Path
) -> None:
    done = submit(services, RequestType.DELETE)
    verify(services, mailbox, done)
    assert status_of(services, done.request.id) == "awaiting_approval"
    requests.approve(services, OPERATOR, done.request.id, "checked")
    services.jobs.drain()
    shown = views.detail(services, done.request.id)
    assert shown.status == "completed", shown.outcome
    document = receipts.document(services, done.request.id)
    path = tmp_path / "receipt.json"
    path.write_text(__import__("json").dumps(document))
    check = verify_receipt(path, [services.signing_key.public_key()])
    assert check.valid and check.trusted, check.problems
    assert check.receipt is not None
    retained = {r.collection for r in check.receipt.retained}
    assert "invoices" in retained  # kept under the 10-year tax rule, and the receipt says why
    assert PERSON not in path.read_text()


def test_a_stale_verification_needs_a_step_up_code_before_deletion(
    services: Services, mailbox: Mailbox, clock: Clock
) -> None:
    done = submit(services, RequestType.DELETE)
    verify(services, mailbox, done)
    clock.advance(hours=2)
    requests.approve(services, OPERATOR, done.request.id, None)
    services.jobs.drain()
    assert status_of(services, done.request.id) == "approved"  # waiting for the step-up code
    step_up = wait_for_mail(mailbox, 3)[-1]
    result = verification.enter_code(services, done.request.id, done.token, emailed_code(mailbox))
    assert result.ok, (result.message, step_up.subject)
    services.jobs.drain()
    assert status_of(services, done.request.id) == "completed"


def test_codes_are_hashed_expire_and_lock_out_after_five_wrong_attempts(
    services: Services, mailbox: Mailbox, clock: Clock
) -> None:
    done = submit(services)
    wait_for_mail(mailbox, 1)
    code = emailed_code(mailbox)
    with services.store.session() as session:
        stored = session.scalars(select(Challenge)).one()
        assert code not in stored.code_hash
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        result = verification.enter_code(services, done.request.id, done.token, wrong)
        assert not result.ok and f"{left} attempt" in result.message
    result = verification.enter_code(services, done.request.id, done.token, wrong)
    assert "locked" in result.message
    # even the right code no longer works, and no new code is sent for a while
    assert not verification.enter_code(services, done.request.id, done.token, code).ok
    with pytest.raises(AuthenticationError, match="too many wrong codes"):
        requests.resend_code(services, done.request.id, done.token)
    clock.advance(minutes=16)
    assert requests.resend_code(services, done.request.id, done.token)


def test_an_expired_code_is_refused(services: Services, mailbox: Mailbox, clock: Clock) -> None:
    done = submit(services)
    wait_for_mail(mailbox, 1)
    clock.advance(minutes=11)
    result = verification.enter_code(services, done.request.id, done.token, emailed_code(mailbox))
    assert not result.ok and "ask for a new one" in result.message


def test_a_token_sees_only_its_own_request(services: Services, mailbox: Mailbox) -> None:
    mine = submit(services)
    other = submit(services, email="someone.else@example.com")
    with pytest.raises(NotFoundError):
        requests.status(services, other.request.id, mine.token)
    assert requests.status(services, mine.request.id, mine.token).id == mine.request.id


def test_idempotent_replay_and_open_duplicates_join_one_request(services: Services) -> None:
    first = submit(services, idempotency_key="k-1")
    again = submit(services, idempotency_key="k-1")
    duplicate = submit(services)
    assert again.joined and duplicate.joined
    assert first.request.id == again.request.id == duplicate.request.id
    # neither a replay nor a duplicate gets a token: only the first submitter can act on it
    assert first.token is not None and again.token is None and duplicate.token is None
    with pytest.raises(ConflictError, match="Idempotency-Key"):
        submit(services, RequestType.DELETE, idempotency_key="k-1")
    with services.store.session() as session:
        assert len(session.scalars(select(Request)).all()) == 1


def test_a_joined_stranger_gets_no_token_and_does_not_void_the_code(
    services: Services, mailbox: Mailbox, clock: Clock
) -> None:
    first = submit(services, RequestType.DELETE)
    wait_for_mail(mailbox, 1)
    code = emailed_code(mailbox)
    clock.advance(minutes=5)  # past the resend minute, within the code's lifetime
    stranger = submit(services, RequestType.DELETE)  # someone else typing the same email
    assert stranger.joined and stranger.request.id == first.request.id
    assert stranger.token is None
    with pytest.raises(ConflictError, match="already open"):
        stranger.own_token()
    assert len(mailbox.messages) == 1  # no new code: the one out still works
    assert verification.enter_code(services, first.request.id, first.own_token(), code).ok


@pytest.mark.parametrize(
    ("identities", "message"),
    [
        ((), "at least one identity"),
        ((("email", "not-an-email"),), "is not an email address"),
        ((("phone", "123456"),), "is not a mobile number"),  # intake took it before the kinds
        ((("phone", "8613800138000"),), "or an E.164 number"),
        ((("user_id", "7"),), "exactly one email or phone"),
        ((("email", "a@b.cn"), ("phone", "+8613800138000")), "exactly one email or phone"),
        ((("passport", "E123"),), "exactly one email or phone"),
    ],
)
def test_bad_identities_are_refused_with_a_reason(
    services: Services, identities: tuple[tuple[str, str], ...], message: str
) -> None:
    from rightsdesk.domain.subjects import Identity
    from rightsdesk.service.requests import intake

    with pytest.raises(PolicyError, match=message):
        intake.submit(
            services,
            intake.Submission(RequestType.ACCESS, tuple(Identity(k, v) for k, v in identities)),
        )


def test_operator_tickets_may_only_use_identities_the_company_holds(services: Services) -> None:
    from rightsdesk.domain.subjects import Identity
    from rightsdesk.service.requests import intake

    with pytest.raises(PolicyError, match="not held by this company"):
        intake.submit(
            services,
            intake.Submission(
                RequestType.ACCESS, (Identity("passport", "E1234567"),), channel="ticket"
            ),
        )


def test_a_third_access_request_in_a_year_gets_a_fee_quote_before_work(
    services: Services, mailbox: Mailbox, clock: Clock
) -> None:
    for _ in range(2):
        done = submit(services)
        verify(services, mailbox, done)
        services.jobs.drain()
        assert status_of(services, done.request.id) == "completed"
        clock.advance(days=1)
    third = submit(services)
    verify(services, mailbox, third)
    shown = requests.status(services, third.request.id, third.token)
    assert shown.status == "awaiting_fee" and shown.fee is not None
    assert shown.fee.amount == "30.00" and shown.fee.currency == "CNY"
    quote = mails_to(mailbox)[-1]
    assert "30.00" in quote.body and "CNY" in quote.body
    requests.accept_fee(services, third.request.id, third.token)
    services.jobs.drain()
    assert status_of(services, third.request.id) == "completed"


def test_refusal_needs_a_catalogued_ground_and_tells_the_remedies(
    services: Services, mailbox: Mailbox
) -> None:
    done = submit(services, RequestType.DELETE)
    verify(services, mailbox, done)
    with pytest.raises(PolicyError, match="trade_secret"):
        requests.refuse(
            services, OPERATOR, done.request.id, ground="because", justification="we said so ok"
        )
    requests.refuse(
        services,
        OPERATOR,
        done.request.id,
        ground="legal_obligation",
        justification="records are under a court preservation order until 2027",
    )
    shown = views.detail(services, done.request.id)
    assert shown.status == "refused" and shown.outcome["refusal"]["ground"] == "legal_obligation"
    refused = wait_for_mail(mailbox, 3)[-1]
    assert "court preservation order" in refused.body
    assert "法院" in refused.body or "court" in refused.body.lower()


def test_extension_moves_the_due_date_only_where_the_regime_allows(
    services: Services, mailbox: Mailbox
) -> None:
    cn = submit(services)
    with pytest.raises(PolicyError):
        requests.extend(services, OPERATOR, cn.request.id, "complex request across many systems")
    gdpr = submit(services, RequestType.DELETE, email="anna@example.eu", regimes=("gdpr",))
    before = views.detail(services, gdpr.request.id).due
    requests.extend(services, OPERATOR, gdpr.request.id, "many systems hold data about this person")
    after = views.detail(services, gdpr.request.id)
    assert after.due > before
    assert any(e.event == "extend" for e in after.events)


def test_requester_cancels_before_anything_ran_but_not_after(
    services: Services, mailbox: Mailbox
) -> None:
    done = submit(services, RequestType.DELETE)
    verify(services, mailbox, done)
    assert requests.cancel(services, done.request.id, done.token).status == "cancelled"
    ran = submit(services)
    verify(services, mailbox, ran)
    services.jobs.drain()
    with pytest.raises(ConflictError):
        requests.cancel(services, ran.request.id, ran.token)


def test_unverified_requests_expire_and_ccpa_ones_are_refused_at_day_45(
    services: Services, clock: Clock
) -> None:
    from rightsdesk.service.runtime import wiring

    plain = submit(services)
    ccpa = submit(services, email="sam@example.com", regimes=("ccpa",))
    clock.advance(days=29)
    # nothing expires yet, but the plain request is past its 15-working-day due date: alert once
    counts = wiring.sweep(services)
    assert {k: counts[k] for k in ("expired", "refused", "overdue", "exports_removed")} == {
        "expired": 0,
        "refused": 0,
        "overdue": 1,
        "exports_removed": 0,
    }
    assert counts["cooled_off"] == counts["vault_keys_destroyed"] == 0
    assert wiring.sweep(services)["overdue"] == 0
    assert [e.event for e in views.detail(services, plain.request.id).events][-1] == "overdue"
    clock.advance(days=2)
    assert wiring.sweep(services)["expired"] == 1
    assert status_of(services, plain.request.id) == "expired"
    assert status_of(services, ccpa.request.id) == "identity_unverified"
    clock.advance(days=15)
    assert wiring.sweep(services)["refused"] == 1
    shown = views.detail(services, ccpa.request.id)
    assert shown.status == "refused" and shown.outcome["refusal"]["ground"] == "cannot_verify"


def test_every_transition_is_in_an_intact_audit_chain(services: Services, mailbox: Mailbox) -> None:
    done = submit(services)
    verify(services, mailbox, done)
    services.jobs.drain()
    events = [e.event for e in views.detail(services, done.request.id).events]
    assert events[:3] == ["receive", "challenge", "verify"]
    assert events[-1] == "complete"
    count, breaks = audit.check(services.store)
    assert count == len(events) and breaks == []
    with services.store.session() as session:
        assert PERSON not in str([e.record for e in audit.events_for(session, done.request.id)])


def test_yearly_report_counts_requests_by_type_and_outcome(
    services: Services, mailbox: Mailbox, clock: Clock
) -> None:
    from rightsdesk.service.requests import reports

    done = submit(services)
    verify(services, mailbox, done)
    services.jobs.drain()
    refused = submit(services, RequestType.DELETE)
    verify(services, mailbox, refused)
    clock.advance(days=2)
    requests.refuse(
        services,
        OPERATOR,
        refused.request.id,
        ground="legal_obligation",
        justification="records are under a court preservation order",
    )
    submit(
        services,
        RequestType.CORRECT,
        email="open@example.com",
        params={"changes": [{"field": "phone", "value": "13900139000"}]},
    )
    stats = {s.type: s for s in reports.yearly(services, clock.now.year)}
    assert (stats[RequestType.ACCESS].received, stats[RequestType.ACCESS].completed) == (1, 1)
    assert stats[RequestType.DELETE].refused == 1 and stats[RequestType.DELETE].median_days == 2.0
    assert stats[RequestType.CORRECT].open == 1 and stats[RequestType.CORRECT].median_days is None
    assert reports.yearly(services, clock.now.year - 1)[0].received == 0


def test_with_verify_erasure_the_receipt_records_the_residue_scan(
    settings: Settings, clock: Clock, mailbox: Mailbox, platform: Path, tmp_path: Path
) -> None:
    import sqlite3

    from rightsdesk.service.runtime import wiring

    with sqlite3.connect(platform.parent / "platform.db") as db:
        db.execute("CREATE TABLE crm_export (id INTEGER PRIMARY KEY, payload TEXT)")
        db.execute("INSERT INTO crm_export VALUES (3, ?)", (f"contact {PERSON} weekly",))
    mailbox.clear()
    built = wiring.build(settings.model_copy(update={"verify_erasure": True}), clock=clock)
    try:
        done = submit(built, RequestType.DELETE)
        wiring.settle(built)
        verify(built, mailbox, done)
        requests.approve(built, OPERATOR, done.request.id, None)
        wiring.settle(built)
        assert views.detail(built, done.request.id).status == "completed"
        path = tmp_path / "receipt.json"
        path.write_text(__import__("json").dumps(receipts.document(built, done.request.id)))
        check = verify_receipt(path, [built.signing_key.public_key()])
        assert check.valid and check.receipt is not None
        scanned = {r.system: r for r in check.receipt.residue}
        assert scanned["platform"].flagged == ('crm_export.payload {"id": 3}',)
        # the invoice the law keeps is sealed in the vault; its live copy no longer names them
        assert scanned["billing"].flagged == () and scanned["billing"].retained_hits == 0
        assert PERSON not in path.read_text()
    finally:
        wiring.close(built)

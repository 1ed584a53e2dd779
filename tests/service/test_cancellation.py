"""Account cancellation end to end on the demo platform: pre-checks, confirmation, cooling-off,
the federated redirect, what is left afterwards (vault, tombstone), and resuming after a failure.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from rightsdesk.domain.errors import (
    ConflictError,
    KeyDestroyedError,
    PermissionDeniedError,
    PolicyError,
)
from rightsdesk.domain.requests import RequestType
from rightsdesk.domain.subjects import Identity
from rightsdesk.service.consent import bindings
from rightsdesk.service.consent import choices as consent
from rightsdesk.service.requests import actions as requests
from rightsdesk.service.requests import intake, reports, views
from rightsdesk.service.retention import vault
from rightsdesk.service.runtime import wiring
from rightsdesk.service.runtime.context import Services
from rightsdesk.service.verification import codes as verification
from rightsdesk.service.workflows.cancellation import tombstone_id
from rightsdesk.settings import Settings
from rightsdesk.store.models import (
    AuditEvent,
    ConsentRecord,
    Delivery,
    Request,
    Tombstone,
    VaultItem,
)
from tests.mailbox import Mailbox
from tests.service.conftest import PERSON, Clock
from tests.service.flows import CODE, emailed_code, mails_to, submit, verify, wait_for_mail
from tests.service.receiver import Receiver, receiver
from tests.service.test_flow import OPERATOR

__all__ = ["receiver"]  # fixture
ME = (Identity("email", PERSON),)
#: Every table of the demo platform that holds a person's rows, by store and owner column.
LIVE = {
    "platform": [
        ("accounts", "id"),
        ("account_bindings", "account_id"),
        ("security_devices", "account_id"),
        ("identity_verifications", "account_id"),
        ("consents", "account_id"),
        ("login_events", "account_id"),
        ("support_tickets", "account_id"),
    ],
    "billing": [
        ("subscriptions", "user_id"),
        ("orders", "user_id"),
        ("transactions", "user_id"),
        ("bills", "user_id"),
        ("invoices", "user_id"),
    ],
}


@pytest.fixture
def settings(settings: Settings, receiver: Receiver) -> Settings:
    return settings.model_copy(update={"host_hook_url": receiver.url("host")})


def sql(platform: Path, store: str, statement: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(platform.parent / f"{store}.db") as conn:
        return list(conn.execute(statement))


def snapshot(platform: Path) -> dict[str, list[tuple[object, ...]]]:
    return {
        f"{store}.{table}": sql(platform, store, f"SELECT * FROM {table} ORDER BY id")
        for store, tables in LIVE.items()
        for table, _ in tables
    }


def held_by_law(platform: Path) -> int:
    """Rows of person 1 that the demo map's retention rules keep, counted independently."""
    today = date.today()
    ten, three = today.replace(year=today.year - 10), today.replace(year=today.year - 3)
    invoices = sql(
        platform,
        "billing",
        "SELECT count(*) FROM invoices WHERE user_id = 1 AND status = 'issued' "
        f"AND date(issued_at) > '{ten.isoformat()}'",
    )
    payments = sql(
        platform,
        "billing",
        f"SELECT count(*) FROM transactions WHERE user_id = 1 AND date(at) > '{three.isoformat()}'",
    )
    return int(str(invoices[0][0])) + int(str(payments[0][0]))


def settle_bills(platform: Path, status: str = "paid") -> None:
    with sqlite3.connect(platform.parent / "billing.db") as conn:
        conn.execute("UPDATE bills SET status = ? WHERE user_id = 1", (status,))
        conn.execute("UPDATE subscriptions SET status = 'active' WHERE user_id = 1")


def start(services: Services, mailbox: Mailbox) -> intake.Submitted:
    """Submit and verify a cancellation; the backup export runs and the warning is mailed."""
    done = submit(services, RequestType.CANCEL_ACCOUNT)
    verify(services, mailbox, done)
    wiring.settle(services)
    return done


def confirmed(services: Services, mailbox: Mailbox) -> intake.Submitted:
    """Started, confirmed waiving the active services, approved."""
    done = start(services, mailbox)
    requests.confirm_cancellation(services, done.request.id, done.token, ["active_services"])
    requests.approve(services, OPERATOR, done.request.id, None)
    wiring.settle(services)
    return done


def test_a_blocking_pre_check_stops_the_cancellation(
    services: Services, mailbox: Mailbox, platform: Path
) -> None:
    settle_bills(platform, "unpaid")
    before = snapshot(platform)
    done = start(services, mailbox)
    shown = views.detail(services, done.request.id)
    assert shown.status == "awaiting_confirmation"
    assert {c["name"] for c in shown.outcome["prechecks"]} == {"unpaid_bills", "active_services"}
    warning = mails_to(mailbox)[-1].body
    assert "注销不可恢复" in warning and "/export?" in warning
    # the data map's pre-check messages in the person's language, not its English (issue 17)
    assert "您有未支付的账单，请先付清再注销账号。" in warning  # noqa: RUF001
    assert "您正在使用的云服务将停止" in warning and "unpaid bills" not in warning
    with pytest.raises(ConflictError, match="settle these first: 您有未支付的账单"):
        requests.confirm_cancellation(
            services, done.request.id, done.token, ["unpaid_bills", "active_services"]
        )
    assert views.detail(services, done.request.id).status == "awaiting_confirmation"
    assert snapshot(platform) == before


def test_a_waived_pre_check_proceeds_and_nothing_of_the_person_stays_live(
    services: Services, mailbox: Mailbox, platform: Path, receiver: Receiver, clock: Clock
) -> None:
    settle_bills(platform)
    expected_held = held_by_law(platform)
    assert expected_held > 0
    consent.decide(services, ME, "marketing", given=True, method="api")
    done = start(services, mailbox)
    with pytest.raises(ConflictError, match="waive active_services"):
        requests.confirm_cancellation(services, done.request.id, done.token, [])
    requests.confirm_cancellation(services, done.request.id, done.token, ["active_services"])
    assert views.detail(services, done.request.id).status == "awaiting_approval"
    requests.approve(services, OPERATOR, done.request.id, "nothing outstanding")
    wiring.settle(services)

    shown = views.detail(services, done.request.id)
    assert shown.status == "completed", shown.outcome
    # the answer says why rows were kept in the person's language, from the map (issue 17)
    answer = mails_to(mailbox)[-1].body
    assert "《电子商务法》第三十一条" in answer and "E-Commerce Law" not in answer
    for store, tables in LIVE.items():
        for table, owner in tables:
            assert sql(platform, store, f"SELECT * FROM {table} WHERE {owner} = 1") == [], table
    tomb = tombstone_id(services, done.request.id)
    assert shown.outcome["run"]["tombstone"] == tomb
    # the vault holds exactly the rows the law keeps, under the tombstone, not the person
    with services.store.session() as session:
        sealed = session.scalars(select(VaultItem).where(VaultItem.subject == tomb)).all()
        assert session.get(Tombstone, tomb) is not None
    assert len(sealed) == expected_held
    assert {i.rule for i in sealed} <= {"tax-invoices", "payment-records"}
    legal = vault.read(services, tomb, role="legal", actor="counsel")
    assert len(legal.items) == expected_held
    with pytest.raises(PermissionDeniedError):
        vault.read(services, tomb, role="marketing", actor="growth-team")
    owed = vault.obligations(services, tomb, role="finance", actor="billing-desk")
    assert sum(owed.counts.values()) == expected_held and len(owed.items) == expected_held
    # consents withdrawn, bindings gone, the platform told to stop everything
    assert not [
        s for s in consent.show(services, ME) if s.basis == "consent" and s.state == "active"
    ]
    assert bindings.listing(services, ME) == []
    events = [h.json["event"] for h in receiver.at("host")]
    assert events.count("account.cancel") == 1 and events.count("binding.revoked") == 2
    # when the longest retention ends, the key is destroyed and nobody can read the rows again
    clock.advance(days=366 * 11)
    assert vault.sweep(services) == 1
    with pytest.raises(KeyDestroyedError):
        vault.read(services, tomb, role="legal", actor="counsel")


def test_revoking_during_cooling_off_leaves_everything_intact(
    settings: Settings, clock: Clock, mailbox: Mailbox, platform: Path
) -> None:
    settle_bills(platform)
    mailbox.clear()
    built = wiring.build(settings.model_copy(update={"cooling_off_days": 7}), clock=clock)
    try:
        before = snapshot(platform)
        done = confirmed(built, mailbox)
        assert views.detail(built, done.request.id).status == "cooling_off"
        clock.advance(days=3)
        wiring.sweep(built)
        wiring.settle(built)
        assert views.detail(built, done.request.id).status == "cooling_off"
        requests.cancel(built, done.request.id, done.token)
        clock.advance(days=10)
        wiring.sweep(built)
        wiring.settle(built)
        assert views.detail(built, done.request.id).status == "cancelled"
        assert snapshot(platform) == before
    finally:
        wiring.close(built)


def test_after_the_cooling_off_period_a_fresh_code_is_asked_right_before_the_run(
    settings: Settings, clock: Clock, mailbox: Mailbox, platform: Path
) -> None:
    """INT-04 (CCR 7061(a)): a cancellation, like a deletion, re-authenticates right before it
    runs; CAN-09: the sweep ends the cooling-off."""
    settle_bills(platform)
    mailbox.clear()
    built = wiring.build(settings.model_copy(update={"cooling_off_days": 7}), clock=clock)
    try:
        done = confirmed(built, mailbox)
        clock.advance(days=7, minutes=1)
        sent = len(mails_to(mailbox))
        assert wiring.sweep(built)["cooled_off"] == 1
        wiring.settle(built)
        assert views.detail(built, done.request.id).status == "approved"  # waits for the code
        assert sql(platform, "platform", "SELECT count(*) FROM accounts WHERE id = 1") == [(1,)]
        assert CODE.search(wait_for_mail(mailbox, sent + 1)[-1].body)  # the step-up code
        result = verification.enter_code(built, done.request.id, done.token, emailed_code(mailbox))
        assert result.ok, result.message
        wiring.settle(built)
        assert views.detail(built, done.request.id).status == "completed"
        assert sql(platform, "platform", "SELECT * FROM accounts WHERE id = 1") == []
    finally:
        wiring.close(built)


def test_a_stale_verification_needs_a_step_up_code_before_the_cancellation_runs(
    services: Services, clock: Clock, mailbox: Mailbox, platform: Path
) -> None:
    """INT-04: verified and confirmed, but approved two hours later: nothing runs until the
    person enters a fresh code; a wrong one does not start it."""
    settle_bills(platform)
    done = start(services, mailbox)
    requests.confirm_cancellation(services, done.request.id, done.token, ["active_services"])
    clock.advance(hours=2)
    sent = len(mails_to(mailbox))
    requests.approve(services, OPERATOR, done.request.id, None)
    wiring.settle(services)
    assert views.detail(services, done.request.id).status == "approved"
    assert sql(platform, "platform", "SELECT count(*) FROM accounts WHERE id = 1") == [(1,)]
    assert len(wait_for_mail(mailbox, sent + 1)) == sent + 1  # the step-up code
    assert not verification.enter_code(services, done.request.id, done.token, "000000").ok
    wiring.settle(services)
    assert views.detail(services, done.request.id).status == "approved"
    code = emailed_code(mailbox)
    assert verification.enter_code(services, done.request.id, done.token, code).ok
    wiring.settle(services)
    assert views.detail(services, done.request.id).status == "completed"
    assert sql(platform, "platform", "SELECT count(*) FROM accounts WHERE id = 1") == [(0,)]


def test_a_cooling_off_period_that_cannot_meet_the_deadline_is_refused(settings: Settings) -> None:
    """CAN-09: 15 Chinese working days span as little as 18 calendar days (received Sunday
    2024-01-21, due 2024-02-08); 3 days to approval + 15 cooling off + 1 to run do not fit."""
    with pytest.raises(PolicyError, match="cooling_off_days=30"):
        wiring.build(settings.model_copy(update={"cooling_off_days": 30}))
    with pytest.raises(
        PolicyError, match=r"as little as 18 calendar days .*2024-01-21.*2024-02-08"
    ):
        wiring.build(settings.model_copy(update={"cooling_off_days": 15}))
    with pytest.raises(PolicyError, match="use at most 11"):
        wiring.build(settings.model_copy(update={"cooling_off_days": 12, "approval_days": 6}))
    wiring.close(wiring.build(settings.model_copy(update={"cooling_off_days": 14})))


def test_a_cancellation_approved_late_cools_off_only_until_its_deadline_allows(
    settings: Settings, clock: Clock, mailbox: Mailbox, platform: Path
) -> None:
    """CAN-09 at run time: approved 10 days after receipt, a 14-day cooling-off is cut so the
    run starts a day before the due day ends; the cut is audited."""
    settle_bills(platform)
    mailbox.clear()
    built = wiring.build(settings.model_copy(update={"cooling_off_days": 14}), clock=clock)
    try:
        done = start(built, mailbox)
        requests.confirm_cancellation(built, done.request.id, done.token, ["active_services"])
        clock.advance(days=10)
        requests.approve(built, OPERATOR, done.request.id, None)
        wiring.settle(built)
        shown = views.detail(built, done.request.id)
        assert shown.status == "cooling_off"
        with built.store.session() as session:
            request = session.get(Request, done.request.id)
            assert request is not None
            until = datetime.fromisoformat(request.params["cooling_off_until"])
            due_ends = datetime.combine(
                request.due + timedelta(days=1), time(), ZoneInfo("Asia/Shanghai")
            )
            cut = session.scalars(
                select(AuditEvent).where(
                    AuditEvent.request_id == done.request.id,
                    AuditEvent.event == "cooling_off_shortened",
                )
            ).all()
        assert until == due_ends - timedelta(days=1)
        assert until < clock.now + timedelta(days=14)
        assert len(cut) == 1 and cut[0].record["data"]["configured_days"] == 14
    finally:
        wiring.close(built)


def test_an_account_that_logs_in_through_a_third_party_is_sent_there(
    services: Services, mailbox: Mailbox, platform: Path
) -> None:
    with sqlite3.connect(platform.parent / "platform.db") as conn:
        conn.execute("UPDATE accounts SET login_provider = 'wechat' WHERE id = 1")
    before = snapshot(platform)
    done = start(services, mailbox)
    shown = views.detail(services, done.request.id)
    assert shown.status == "redirected_to_idp"
    assert shown.outcome["redirected_to"] == "wechat"
    counted = {s.type: s for s in reports.yearly(services, shown.received_at.year)}
    assert counted[RequestType.CANCEL_ACCOUNT].redirected_to_idp == 1  # `request report`
    message = mails_to(mailbox)[-1]
    # in zh-CN, the provider's name and instructions too (the data map's Chinese, issue 17)
    assert "微信" in message.subject and "WeChat" not in message.subject
    assert "在微信中：我 > 设置 > 账号与安全" in message.body  # noqa: RUF001
    assert "Delete Account" not in message.body
    assert snapshot(platform) == before


def test_a_failure_half_way_resumes_without_losing_or_doubling_work(
    services: Services, mailbox: Mailbox, platform: Path, receiver: Receiver
) -> None:
    settle_bills(platform)
    expected_held = held_by_law(platform)
    consent.decide(services, ME, "marketing", given=True, method="api")
    done = start(services, mailbox)
    requests.confirm_cancellation(services, done.request.id, done.token, ["active_services"])
    # the billing store loses a table mid-run: consents and bindings are done by then
    with sqlite3.connect(platform.parent / "billing.db") as conn:
        conn.execute("ALTER TABLE invoices RENAME TO invoices_moved")
    requests.approve(services, OPERATOR, done.request.id, None)
    wiring.settle(services)
    assert views.detail(services, done.request.id).status == "failed"
    assert sql(platform, "platform", "SELECT count(*) FROM accounts WHERE id = 1") == [(1,)]

    with sqlite3.connect(platform.parent / "billing.db") as conn:
        conn.execute("ALTER TABLE invoices_moved RENAME TO invoices")
    requests.retry(services, OPERATOR, done.request.id)
    wiring.settle(services)
    assert views.detail(services, done.request.id).status == "completed"
    tomb = tombstone_id(services, done.request.id)
    with services.store.session() as session:
        sealed = session.scalar(
            select(func.count()).select_from(VaultItem).where(VaultItem.subject == tomb)
        )
        revoked = session.scalars(
            select(ConsentRecord.purpose).where(
                ConsentRecord.request_id == done.request.id, ConsentRecord.state == "revoked"
            )
        ).all()
        cancels = session.scalar(
            select(func.count())
            .select_from(Delivery)
            .where(Delivery.request_id == done.request.id, Delivery.event == "account.cancel")
        )
    assert sealed == expected_held
    assert sorted(revoked) == sorted(set(revoked))  # one receipt per purpose
    assert cancels == 1
    for store, tables in LIVE.items():
        for table, owner in tables:
            assert sql(platform, store, f"SELECT * FROM {table} WHERE {owner} = 1") == [], table


def test_unconfirmed_cancellations_expire(
    services: Services, mailbox: Mailbox, clock: Clock, platform: Path
) -> None:
    settle_bills(platform)
    done = start(services, mailbox)
    clock.advance(days=90)
    wiring.sweep(services)
    assert views.detail(services, done.request.id).status == "expired"
    assert sql(platform, "platform", "SELECT count(*) FROM accounts WHERE id = 1") == [(1,)]

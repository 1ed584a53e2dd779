"""Approved deletions waiting in the queue are erased together, set-based; a lone one runs at
once. The job backend here only records what it is given, so the test decides when jobs run."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import select

from rightsdesk.domain.requests import RequestType
from rightsdesk.service.requests import actions as requests
from rightsdesk.service.requests import execution, intake, views
from rightsdesk.service.runtime import wiring
from rightsdesk.service.runtime.context import Services
from rightsdesk.service.verification import codes as verification
from rightsdesk.settings import Settings
from rightsdesk.store.models import Job, Receipt
from tests.mailbox import Mailbox
from tests.service.conftest import Clock
from tests.service.flows import emailed_code, submit, wait_for_mail
from tests.service.test_flow import OPERATOR
from tests.service.test_recovery import Stalled


def people(platform: Path, count: int) -> list[str]:
    with sqlite3.connect(platform.parent / "platform.db") as db:
        rows = db.execute(
            "SELECT email FROM accounts WHERE id > 1 ORDER BY id LIMIT ?", (count,)
        ).fetchall()
    return [str(r[0]) for r in rows]


def test_queued_deletions_are_erased_in_one_run_and_answered_one_by_one(
    settings: Settings, clock: Clock, mailbox: Mailbox, platform: Path
) -> None:
    mailbox.clear()
    queue = Stalled()
    built = wiring.build(settings, clock=clock, jobs=queue)
    try:
        ids, emails = [], people(platform, 5)
        for email in emails:
            done = submit(built, RequestType.DELETE, email=email)
            verify_as(built, mailbox, done, email)
            requests.approve(built, OPERATOR, done.request.id, None)
            ids.append(done.request.id)
        assert len(queue.submitted) == 5
        execution.run_job(built, queue.submitted[0])  # one message: the whole queue goes
        summaries = [views.detail(built, i).outcome["run"] for i in ids]
        assert {views.detail(built, i).status for i in ids} == {"completed"}
        assert {s["run_id"] for s in summaries} == {summaries[0]["run_id"]}  # one engine run
        assert all(s["batch"] == 5 for s in summaries)
        for request_id, email in zip(ids, emails, strict=True):
            with sqlite3.connect(platform.parent / "platform.db") as db:
                assert (
                    db.execute("SELECT 1 FROM accounts WHERE email = ?", (email,)).fetchone()
                    is None
                )
            assert views.detail(built, request_id).outcome["receipt_id"]
        for job_id in queue.submitted[1:]:  # their own messages arrive later: nothing to do
            execution.run_job(built, job_id)
        with built.store.session() as session:
            assert {j.state for j in session.scalars(select(Job))} == {"done"}
            assert len(session.scalars(select(Receipt)).all()) == 5
        for request_id in ids:
            events = [e.event for e in views.detail(built, request_id).events]
            assert events.count("start") == 1 and events.count("complete") == 1
    finally:
        wiring.close(built)


def test_a_lone_deletion_runs_at_once_and_batch_size_one_turns_batching_off(
    settings: Settings, clock: Clock, mailbox: Mailbox, platform: Path
) -> None:
    mailbox.clear()
    queue = Stalled()
    built = wiring.build(settings.model_copy(update={"batch_size": 1}), clock=clock, jobs=queue)
    try:
        ids = []
        for email in people(platform, 2):
            done = submit(built, RequestType.DELETE, email=email)
            verify_as(built, mailbox, done, email)
            requests.approve(built, OPERATOR, done.request.id, None)
            ids.append(done.request.id)
        execution.run_job(built, queue.submitted[0])
        assert [views.detail(built, i).status for i in ids] == ["completed", "approved"]
        assert "batch" not in views.detail(built, ids[0]).outcome["run"]
    finally:
        wiring.close(built)


def test_a_guard_failure_fails_only_the_member_that_over_reaches(
    settings: Settings, clock: Clock, mailbox: Mailbox, platform: Path
) -> None:
    """The batch's run stops before any change; each member then runs alone: the one with
    more security devices than the map's limit fails, saying where, and the others complete."""
    text = platform.read_text("utf-8")
    limited = "      - name: security_devices\n        max_rows_per_person: 3\n"
    platform.write_text(text.replace("      - name: security_devices\n", limited), "utf-8")
    emails = people(platform, 3)
    with sqlite3.connect(platform.parent / "platform.db") as db:
        (greedy,) = db.execute("SELECT id FROM accounts WHERE email = ?", (emails[1],)).fetchone()
        devices = db.execute("SELECT account_id, COUNT(*) FROM security_devices GROUP BY 1")
        assert max(n for _, n in devices) <= 3  # the limit holds for everyone else
        db.executemany(
            "INSERT INTO security_devices (account_id, kind, label, added_at) "
            "VALUES (?, 'totp', ?, '2026-01-01 00:00:00')",
            [(greedy, f"key {n}") for n in range(4)],
        )
    mailbox.clear()
    queue = Stalled()
    built = wiring.build(settings, clock=clock, jobs=queue)
    try:
        ids = []
        for email in emails:
            done = submit(built, RequestType.DELETE, email=email)
            verify_as(built, mailbox, done, email)
            requests.approve(built, OPERATOR, done.request.id, None)
            ids.append(done.request.id)
        execution.run_job(built, queue.submitted[0])
        assert [views.detail(built, i).status for i in ids] == ["completed", "failed", "completed"]
        with built.store.session() as session:
            errors = {j.request_id: j.error for j in session.scalars(select(Job))}
        assert "security_devices" in errors[ids[1]] and "max_rows_per_person 3" in errors[ids[1]]
        with sqlite3.connect(platform.parent / "platform.db") as db:
            left = {r[0] for r in db.execute("SELECT email FROM accounts")} & set(emails)
        assert left == {emails[1]}  # nothing of the over-reaching request changed
    finally:
        wiring.close(built)


def verify_as(built: Services, mailbox: Mailbox, done: intake.Submitted, email: str) -> None:
    wiring.settle(built)
    wait_for_mail(mailbox, 1, email)
    code = emailed_code(mailbox, email)
    result = verification.enter_code(built, done.request.id, done.token, code)
    assert result.ok, result.message

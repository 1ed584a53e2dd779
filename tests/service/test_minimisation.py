"""rightsdesk's own data, minimised (issue 16 §4): once a closed request's case retention ends,
no column of any table of rightsdesk's store holds the person's identifiers in plaintext (nor
their authorised agent's; their signed documents, kept encrypted, are erased: INT-14); the
audit chain still verifies; a cancelled account's tombstone cannot be followed back to the
email, and a later request with that email starts a new history."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, select

from rightsdesk.audit import log as audit
from rightsdesk.domain.agents import Agent, Authority, DocumentKind
from rightsdesk.domain.requests import RequestType
from rightsdesk.domain.subjects import Identity
from rightsdesk.service.casefiles import filing
from rightsdesk.service.consent.ledger import SUBJECT
from rightsdesk.service.erasures import journal, suppression
from rightsdesk.service.requests import actions as requests
from rightsdesk.service.requests import intake, subjects, views
from rightsdesk.service.retention import cases, vault
from rightsdesk.service.runtime import wiring
from rightsdesk.service.runtime.context import Services
from rightsdesk.service.verification import codes as verification
from rightsdesk.service.workflows.cancellation import tombstone_id
from rightsdesk.settings import Settings
from rightsdesk.store.casefiles import CaseDocument
from rightsdesk.store.erasures import ErasureEntry, Suppression
from rightsdesk.store.models import AuditEvent, Request
from tests.api.steps import host_token
from tests.mailbox import Mailbox
from tests.service.conftest import PERSON, Clock
from tests.service.flows import emailed_code, submit, verify, wait_for_mail
from tests.service.receiver import Receiver, receiver
from tests.service.test_cancellation import LIVE
from tests.service.test_flow import OPERATOR

__all__ = ["receiver"]  # fixture
#: Person 1's account id, made distinctive so a plaintext copy anywhere is found.
ACCOUNT = "7340913"
NEW_NAME = "Zhuo Renamed-Qx"


@pytest.fixture
def settings(settings: Settings, receiver: Receiver) -> Settings:
    update = {"host_hook_url": receiver.url("host"), "case_retention_days": 0}
    return settings.model_copy(update=update)


def identifiers(platform: Path) -> dict[str, str]:
    """Person 1's identifiers in the demo platform, after their account id is renumbered."""
    with sqlite3.connect(platform.parent / "platform.db") as conn:
        for table, owner in LIVE["platform"]:
            conn.execute(f"UPDATE {table} SET {owner} = ? WHERE {owner} = 1", (int(ACCOUNT),))
        email, phone, shown = conn.execute(
            "SELECT email, phone, display_name FROM accounts WHERE id = ?", (int(ACCOUNT),)
        ).fetchone()
        real_name, national_id = conn.execute(
            "SELECT real_name, national_id FROM identity_verifications WHERE account_id = ?",
            (int(ACCOUNT),),
        ).fetchone()
    with sqlite3.connect(platform.parent / "billing.db") as conn:
        for table, owner in LIVE["billing"]:
            conn.execute(f"UPDATE {table} SET {owner} = ? WHERE {owner} = 1", (int(ACCOUNT),))
        conn.execute("UPDATE bills SET status = 'paid' WHERE user_id = ?", (int(ACCOUNT),))
    assert email == PERSON
    return {
        "email": email,
        "phone": phone,
        "name": shown,
        "real name": real_name,
        "national id": national_id,
        "account id": ACCOUNT,
        "new name": NEW_NAME,
    }


def plaintext_in_store(services: Services, values: dict[str, str]) -> list[str]:
    """Every (table.column, identifier) where a cell of rightsdesk's store holds one."""
    metadata = MetaData()
    metadata.reflect(services.store.engine)
    found = []
    with services.store.engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(select(table)).mappings():
                for column, cell in row.items():
                    text = _text(cell)
                    found += [
                        f"{table.name}.{column}: {what}" for what, v in values.items() if v in text
                    ]
    return found


def _text(cell: Any) -> str:
    if isinstance(cell, bytes | memoryview):
        return bytes(cell).decode("latin-1")
    if isinstance(cell, dict | list):
        return json.dumps(cell, ensure_ascii=False)
    return "" if cell is None else str(cell)


def run(
    services: Services, mailbox: Mailbox, done: intake.Submitted, *, by_code: bool = True
) -> None:
    if by_code:
        verify(services, mailbox, done)
    if views.detail(services, done.request.id).status == "awaiting_approval":
        requests.approve(services, OPERATOR, done.request.id, "checked")
    wiring.settle(services)
    assert views.detail(services, done.request.id).status in {"completed", "partially_completed"}


def test_after_a_deletion_no_table_holds_the_persons_identifiers(
    services: Services, mailbox: Mailbox, platform: Path, clock: Clock
) -> None:
    """INT-08 (verification data deleted after closure), AUD-01 (the log stays and verifies)."""
    person = identifiers(platform)
    run(services, mailbox, submit(services))  # an access: an export file, a receipt
    correction = submit(
        services,
        RequestType.CORRECT,
        params={
            "changes": [{"field": "display_name", "value": NEW_NAME}],
            "statement": f"My legal name is {person['real name']}.",
        },
    )
    run(services, mailbox, correction)
    mailbox.clear()
    person |= by_agent(services, mailbox)  # an access an authorised agent asked for
    signed_in = host_token(clock.now, sub=ACCOUNT)  # the account id becomes an identity
    deletion = intake.submit(services, intake.Submission(RequestType.DELETE, host_token=signed_in))
    requests.note(services, OPERATOR, deletion.request.id, f"called {PERSON} back")
    letter = f"%PDF-1.7\n% I, {person['real name']} ({PERSON}), ask you to delete my data.\n"
    kind = DocumentKind.WRITTEN_REQUEST
    filing.attach_for(services, OPERATOR, deletion.request.id, kind, letter.encode())
    run(services, mailbox, deletion, by_code=False)
    before = set(plaintext_in_store(services, person))  # the case records name them
    assert {
        "request_identities.value: account id",
        "requests.params: new name",
        "statements.text: real name",
        "notes.text: email",
        "request_agents.email: agent email",
        "request_agents.name: agent name",
    } <= before, before
    assert not [f for f in before if f.startswith("case_documents")]  # documents: encrypted
    assert _rows(services, CaseDocument) == 2

    assert wiring.sweep(services)["cases_minimised"] == 4
    assert plaintext_in_store(services, person) == []
    assert _rows(services, CaseDocument) == 0  # key and ciphertext gone with the case
    assert not list(services.exports_dir.glob("*.zip"))
    checked, breaks = audit.check(services.store)
    assert checked > 0 and breaks == []
    with services.store.session() as session:
        minimised = session.scalars(select(AuditEvent).where(AuditEvent.event == "case_minimised"))
        assert {e.request_id for e in minimised} == {
            correction.request.id,
            deletion.request.id,
        } | {r.id for r in session.scalars(select(Request).where(Request.type == "access"))}
    assert wiring.sweep(services)["cases_minimised"] == 0  # nothing left to do


def by_agent(services: Services, mailbox: Mailbox) -> dict[str, str]:
    """An access asked for by an authorised agent, the person verifying by their own link and
    the agent's signed permission filed (INT-11); the agent's name and e-mail."""
    agent = Agent("Zhou Agency-Qx", "desk@zhou-agency-qx.example", Authority.SIGNED_PERMISSION)
    done = submit(services, agent=agent)
    wait_for_mail(mailbox, 1)
    link = services.secrets.follow_token(done.request.id)
    assert verification.enter_code(services, done.request.id, link, emailed_code(mailbox)).ok
    permission = b"%PDF-1.4\n% signed: Li Wei for Zhou Agency-Qx\n"
    filing.attach_for(services, OPERATOR, done.request.id, DocumentKind.PERMISSION, permission)
    wiring.settle(services)
    assert views.detail(services, done.request.id).status == "completed"
    mailbox.clear()
    return {"agent name": agent.name, "agent email": agent.email}


def _rows(services: Services, model: type[CaseDocument]) -> int:
    with services.store.session() as session:
        return len(session.scalars(select(model.id)).all())


def test_after_a_cancellation_the_tombstone_leads_nowhere_and_history_starts_anew(
    services: Services, mailbox: Mailbox, platform: Path, clock: Clock
) -> None:
    """CAN-06 (no link to the old account), CAN-07 (obligations still reachable by tombstone),
    RSP-05 (a new request is not counted with the old account's for fees), AUD-01."""
    person = identifiers(platform)
    run(services, mailbox, submit(services))  # an earlier access of the same account
    mailbox.clear()
    done = submit(services, RequestType.CANCEL_ACCOUNT)
    verify(services, mailbox, done)
    wiring.settle(services)
    requests.confirm_cancellation(services, done.request.id, done.token, ["active_services"])
    requests.approve(services, OPERATOR, done.request.id, None)
    wiring.settle(services)
    assert views.detail(services, done.request.id).status == "completed"
    tomb = tombstone_id(services, done.request.id)
    clock.advance(minutes=5)
    before = plaintext_in_store(services, person)
    assert {"request_identities.value: email", "deliveries.payload: email"} <= set(before), before

    assert wiring.sweep(services)["cases_minimised"] == 2
    assert plaintext_in_store(services, person) == []
    checked, breaks = audit.check(services.store)
    assert checked > 0 and breaks == []
    owed = vault.obligations(services, tomb, role="finance", actor="billing-desk")
    assert sum(owed.counts.values()) > 0  # what the law keeps is still reachable, by tombstone
    with services.store.session() as session:
        keys = [r.subject_key for r in session.scalars(select(Request))]
        assert len(set(keys)) == len(keys)  # the account's requests no longer share a key
        log = json.dumps([e.record for e in session.scalars(select(AuditEvent))])
    me = Identity("email", PERSON)
    assert intake.subject_key(services, (me,)) not in log
    assert subjects.ref(services, SUBJECT, me) not in log  # nor the consent ledger's key
    # DEL-09, DEL-05: still suppressed and replayable, but the hashes and the journal entry no
    # longer lead to the account's requests (the hashes keep only their day)
    assert suppression.check(services, [me]).suppressed
    with services.store.session() as session:
        listed = session.scalars(select(Suppression)).all()
        (entry,) = session.scalars(select(ErasureEntry)).all()
        session.expunge_all()
    assert listed and {(r.request_id, r.added_at.hour, r.added_at.minute) for r in listed} == {
        (None, 0, 0)
    }
    assert entry.request_id is None and entry.kind == "cancel_account"
    whom = journal.open_(services, entry)
    assert whom is not None and whom.subject == tomb and me in whom.identities

    mailbox.clear()
    again = submit(services)  # the same email: a new history
    with services.store.session() as session:
        same = session.scalars(
            select(Request.id).where(Request.subject_key == again.request.subject_key)
        ).all()
    assert same == [again.request.id]


def test_the_case_retention_defaults_to_the_longest_record_duty_of_the_regimes(
    services: Services,
) -> None:
    """CCR §7101 (24 months for CCPA), the documented defaults for the others."""
    assert services.settings.case_retention_days == 0
    services.settings = services.settings.model_copy(update={"case_retention_days": None})
    assert cases.retention_days(services, ["ccpa"]) == 730
    assert cases.retention_days(services, ["gdpr"]) == 365
    assert cases.retention_days(services, ["gdpr", "provider_cn"]) == 3 * 365


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_a_case_is_minimised_only_when_its_retention_has_ended(
    services: Services, mailbox: Mailbox, clock: Clock
) -> None:
    """INT-08 and AUD-01 together: the record is kept for its retention, then minimised."""
    services.settings = services.settings.model_copy(update={"case_retention_days": 30})
    done = submit(services)
    run(services, mailbox, done)
    clock.advance(days=29)
    assert wiring.sweep(services)["cases_minimised"] == 0
    assert views.detail(services, done.request.id).identities  # still there
    clock.advance(days=1, minutes=1)
    assert wiring.sweep(services)["cases_minimised"] == 1
    assert views.detail(services, done.request.id).identities == []

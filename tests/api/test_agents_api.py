"""Authorised agents (CCR 7063; INT-11) and signed written requests (doc (f); INT-14) over the
API: the person's own step, the agent's proof, a power of attorney, a denial with reasons, and
documents checked by their bytes, kept encrypted, read back by operators."""

from __future__ import annotations

import hashlib
import re
import time
from typing import Any

import pytest
from sqlalchemy import select

from rightsdesk.domain.agents import ConsumerStep
from rightsdesk.domain.requests import RequestType
from rightsdesk.policy.config import Agents
from rightsdesk.service.casefiles.documents import MAX_BYTES
from rightsdesk.service.runtime import wiring
from rightsdesk.service.runtime.context import Services
from rightsdesk.store.casefiles import CaseDocument
from rightsdesk.store.models import AuditEvent
from tests.api.conftest import Api, KeyMaker
from tests.api.steps import bearer, body, submit
from tests.mailbox import Mailbox
from tests.service.conftest import PERSON
from tests.service.flows import emailed_code, mails_to, wait_for_mail

AGENT = "help@privacy-helpers.example"
#: A signed permission as a (tiny) PDF: its text is readable in clear, unless encrypted.
SIGNED = b"%PDF-1.7\n% I, Li Wei, authorise Privacy Helpers LLC to ask for my data.\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
FOLLOW = re.compile(r"/requests/([0-9a-f]{32})/open\?token=([A-Za-z0-9_-]+)")


def agent(authority: str = "signed_permission") -> dict[str, Any]:
    return {"name": "Privacy Helpers LLC", "email": AGENT, "authority": authority}


def policy(services: Services, **update: Any) -> None:
    """Change the company's policy for this test (a copy of the bundled one)."""
    config = services.policy.config.model_copy(update=update)
    services.policy = type(services.policy)(config)


def own_link(mailbox: Mailbox, email: str = PERSON) -> str:
    """The person's capability token from the follow link in the newest message to them."""
    for message in reversed(mails_to(mailbox, email)):
        if found := FOLLOW.search(message.body):
            return found.group(2)
    raise AssertionError(f"no follow link was mailed to {email}")


def upload(api: Api, request_id: str, kind: str, data: bytes, headers: dict[str, str]) -> Any:
    url = f"/v1/requests/{request_id}/documents/{kind}"
    return api.request("PUT", url, content=data, headers=headers)


def told(mailbox: Mailbox, email: str, text: str, timeout: float = 5) -> bool:
    """Whether a message to ``email`` says ``text`` (waiting for it to arrive)."""
    deadline = time.monotonic() + timeout
    while not any(text in m.body for m in mails_to(mailbox, email)):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def events(services: Services, request_id: str) -> list[str]:
    with services.store.session() as session:
        query = select(AuditEvent.event).where(AuditEvent.request_id == request_id)
        return list(session.scalars(query.order_by(AuditEvent.seq)))


@pytest.mark.parametrize("step", list(ConsumerStep))
def test_an_agent_with_a_signed_permission(
    api: Api, services: Services, mailbox: Mailbox, key: KeyMaker, step: ConsumerStep
) -> None:
    """INT-11 (CCR 7063(a)): the agent shows the signed permission, and the person verifies
    their identity, or confirms the permission, directly: the agent cannot enter their code."""
    policy(services, agents=Agents(consumer_step=step))
    submitted = submit(api, "access", regimes=["ccpa"], locale="en", agent=agent())
    request_id, token = submitted["id"], submitted["token"]
    (welcome,) = wait_for_mail(mailbox, 1, AGENT)
    assert "Privacy Helpers LLC" in welcome.body and "/open?token=" not in welcome.body
    asked = wait_for_mail(mailbox, 1)[-1].body
    assert "Privacy Helpers LLC" in asked
    assert ("confirm it" if step is ConsumerStep.CONFIRM else "verify your identity") in asked

    code = {"code": emailed_code(mailbox)}
    by_agent = api.post(f"/v1/requests/{request_id}/verify", json=code, headers=bearer(token))
    assert by_agent.status_code == 403 and "7063" in by_agent.json()["detail"], by_agent.text
    person = bearer(own_link(mailbox))
    by_person = api.post(f"/v1/requests/{request_id}/verify", json=code, headers=person)
    assert by_person.status_code == 200, by_person.text

    waiting = api.get(f"/v1/admin/requests/{request_id}", headers=key("read")).json()
    assert waiting["status"] == "awaiting_approval"
    assert waiting["documents_missing"] == ["permission"]
    assert waiting["agent"]["consumer_step"] == step.value
    assert told(mailbox, AGENT, "the permission the person signed")  # documents_needed
    approve = f"/v1/admin/requests/{request_id}/approve"
    refused = api.post(approve, json={}, headers=key("decide"))
    assert refused.status_code == 409 and "permission" in refused.text

    filed = upload(api, request_id, "permission", SIGNED, bearer(token))
    assert filed.status_code == 201, filed.text
    assert filed.json()["uploaded_by"] == "agent"
    wiring.settle(services)
    done = api.get(f"/v1/admin/requests/{request_id}", headers=key("read")).json()
    assert done["status"] == "completed", done["status"]  # approved by policy once filed
    method = "person_confirmed" if step is ConsumerStep.CONFIRM else "person_verified"
    verified = [e for e in done["events"] if e["event"] == "verify"]
    assert verified[0]["data"]["method"] == f"{method}:email"
    assert {"agent_recorded", "document_attached"} <= set(events(services, request_id))


def test_documents_are_checked_by_their_bytes_kept_encrypted_and_read_by_operators(
    api: Api, services: Services, key: KeyMaker
) -> None:
    """INT-14: the document is kept with the case, encrypted; 415 and 413 say why not."""
    submitted = submit(api, "access", regimes=["ccpa"], locale="en", agent=agent())
    request_id, token = submitted["id"], submitted["token"]
    text = upload(api, request_id, "permission", b"I agree. Li Wei", bearer(token))
    assert text.status_code == 415 and "PDF" in text.json()["detail"], text.text
    huge = upload(api, request_id, "permission", b"%PDF-" + b"0" * MAX_BYTES, bearer(token))
    assert huge.status_code == 413, huge.text
    wrong = upload(api, request_id, "receipt", SIGNED, bearer(token))
    assert wrong.status_code == 422, wrong.text
    assert upload(api, request_id, "permission", SIGNED, {}).status_code == 401

    filed = upload(api, request_id, "permission", SIGNED, bearer(token)).json()
    image = api.request(
        "PUT",
        f"/v1/admin/requests/{request_id}/documents/written_request",
        content=PNG,
        headers=key("decide"),
    )
    assert image.status_code == 201 and image.json()["media_type"] == "image/png", image.text
    assert filed["sha256"] == hashlib.sha256(SIGNED).hexdigest()
    with services.store.session() as session:
        stored = session.scalars(select(CaseDocument.ciphertext)).all()
    assert len(stored) == 2 and all(b"Li Wei" not in c for c in stored)  # never in clear

    listed = api.get(f"/v1/admin/requests/{request_id}/documents", headers=key("read"))
    assert sorted(d["kind"] for d in listed.json()) == ["permission", "written_request"]
    url = f"/v1/admin/requests/{request_id}/documents/{filed['id']}"
    assert api.get(url, headers=key("read")).status_code == 403  # reading needs decide
    got = api.get(url, headers=key("decide"))
    assert got.status_code == 200 and got.content == SIGNED
    assert got.headers["content-type"] == "application/pdf"
    assert "attachment" in got.headers["content-disposition"]
    assert events(services, request_id).count("document_read") == 1


def test_a_power_of_attorney_skips_the_person(
    api: Api, services: Services, mailbox: Mailbox, key: KeyMaker
) -> None:
    """INT-11 (CCR 7063(b)): the person is never asked, neither for a code nor for a step-up;
    staff verify from the power of attorney once it is attached."""
    submitted = submit(
        api, "delete", regimes=["ccpa"], locale="en", agent=agent("power_of_attorney")
    )
    request_id, token = submitted["id"], submitted["token"]
    assert "power of attorney" in wait_for_mail(mailbox, 1, AGENT)[0].body
    assert submitted["status"] == "identity_unverified"  # waiting for the document and staff
    verify = f"/v1/admin/requests/{request_id}/verify"
    evidence = {"evidence": "POA checked against the notary's register"}
    early = api.post(verify, json=evidence, headers=key("decide"))
    assert early.status_code == 409 and "power of attorney" in early.text
    assert upload(api, request_id, "power_of_attorney", SIGNED, bearer(token)).status_code == 201
    assert api.post(verify, json=evidence, headers=key("decide")).status_code == 200
    approved = api.post(f"/v1/admin/requests/{request_id}/approve", json={}, headers=key("decide"))
    assert approved.status_code == 200, approved.text
    wiring.settle(services)
    shown = api.get(f"/v1/admin/requests/{request_id}", headers=key("read")).json()
    assert shown["status"] in {"completed", "partially_completed"}, shown["status"]
    with pytest.raises(AssertionError, match="no code"):
        emailed_code(mailbox)  # no code and no step-up code ever went to the person


def test_an_agent_without_permission_is_denied_with_reasons(
    api: Api, mailbox: Mailbox, key: KeyMaker
) -> None:
    """INT-11 (CCR 7063(c)): denied on the ground agent_not_authorised; both are told why."""
    submitted = submit(api, "delete", regimes=["ccpa"], locale="en", agent=agent())
    refuse = {
        "ground": "agent_not_authorised",
        "justification": "no signed permission was sent within 30 days",
    }
    url = f"/v1/admin/requests/{submitted['id']}/refuse"
    assert api.post(url, json=refuse, headers=key("decide")).json()["status"] == "refused"
    why = "no signed permission was sent within 30 days"
    assert told(mailbox, AGENT, why) and told(mailbox, PERSON, why)
    to_agent = next(m.body for m in mails_to(mailbox, AGENT) if why in m.body)
    to_person = next(m.body for m in mails_to(mailbox, PERSON) if why in m.body)
    assert "7063(c)" in to_person and "as the person's authorised agent" in to_agent


@pytest.mark.parametrize(
    "bad",
    [
        {"name": "Helpers", "email": "not-an-address", "authority": "signed_permission"},
        {"name": "Helpers", "email": AGENT, "authority": "trust_me"},
        {"name": "", "email": AGENT, "authority": "signed_permission"},
    ],
)
def test_a_bad_agent_is_a_422(api: Api, bad: dict[str, str]) -> None:
    response = api.post("/v1/requests", json=body("access", agent=bad))
    assert response.status_code == 422, response.text


def test_a_type_that_needs_a_written_request_waits_for_it(
    api: Api, services: Services, mailbox: Mailbox, key: KeyMaker
) -> None:
    """INT-14 (doc (f)): a flagged type is approved only once the signed request is attached."""
    policy(services, written_request={RequestType.DELETE: True})
    submitted = submit(api, "delete", locale="en")
    wait_for_mail(mailbox, 1)
    code = {"code": emailed_code(mailbox)}
    headers = bearer(submitted["token"])
    verified = api.post(f"/v1/requests/{submitted['id']}/verify", json=code, headers=headers)
    assert verified.status_code == 200, verified.text
    assert told(mailbox, PERSON, "a written request for it, signed by the person")
    approve = f"/v1/admin/requests/{submitted['id']}/approve"
    waiting = api.post(approve, json={}, headers=key("decide"))
    assert waiting.status_code == 409 and "written_request" in waiting.text
    filed = upload(api, submitted["id"], "written_request", SIGNED, headers)
    assert filed.status_code == 201 and filed.json()["uploaded_by"] == "person"
    assert api.post(approve, json={}, headers=key("decide")).status_code == 200

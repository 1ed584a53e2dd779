"""CCPA duties through the request service, on each store backend: an opt-out of sale or
sharing and a limit of sensitive personal information take effect without identity
verification (CCR 7026, 7027; INT-12, OPT-04, OPT-05), a "know" export never shows a
government ID number, a password or a security answer in full (CCR 7024(d); ACC-09), and a
fraud flag holds a run until a fresh verification or lets an operator deny it with the
documented reasons (CCR 7061(b); INT-05, INT-12).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from rightsdesk.domain.errors import PolicyError
from rightsdesk.domain.requests import RequestType
from rightsdesk.domain.subjects import Identity
from rightsdesk.service.consent import choices as consent
from rightsdesk.service.requests import actions as requests
from rightsdesk.service.requests import views
from rightsdesk.service.restrictions import ledger
from rightsdesk.service.runtime import wiring
from rightsdesk.service.runtime.context import Services
from rightsdesk.service.verification import codes as verification
from rightsdesk.store.models import AuditEvent
from tests.mailbox import Mailbox
from tests.service.conftest import PERSON, Clock
from tests.service.flows import emailed_code, mails_to, submit, verify
from tests.service.test_flow import OPERATOR

ME = (Identity("email", PERSON),)
CHINESE_ID = re.compile(r"\b\d{17}[\dX]\b")
PURPOSES = """purposes:
  - name: fraud_prevention
    description: Checking identity documents against fraud
    basis: legitimate_interests
    collections: [platform.identity_verifications]
    sensitive_use_permitted: true
  - name: ad_targeting
    description: Choosing adverts
    collections: [platform.identity_verifications, platform.login_events]
"""


@pytest.fixture
def platform(platform: Path) -> Path:
    text = platform.read_text(encoding="utf-8")
    platform.write_text(text.replace("purposes:\n", PURPOSES, 1), encoding="utf-8")
    return platform


def events(services: Services, name: str) -> list[dict[str, object]]:
    with services.store.session() as session:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.event == name))
        return [dict(r.record) for r in rows]


def test_an_opt_out_of_sale_takes_effect_without_verification(
    services: Services, mailbox: Mailbox
) -> None:
    """INT-12, OPT-04, CCR 7026: no code asked, the sale purposes withdrawn, the deadline the
    opt-out's."""
    done = submit(services, RequestType.OPT_OUT, regimes=("ccpa",), locale="en")
    wiring.settle(services)

    shown = views.detail(services, done.request.id)
    assert shown.status == "completed", shown.outcome
    verified = [e for e in events(services, "verify") if e["request_id"] == done.request.id]
    assert [e["data"]["method"] for e in verified] == ["not_required"]
    assert not any(re.search(r"^\s+\d{6}\s*$", m.body, re.M) for m in mails_to(mailbox))
    with services.store.session() as session:
        states = {s.purpose: s.state for s in consent.scope(services, session, ME)}
    assert states["partner_analytics"] == "revoked"
    assert states["personalisation"] != "revoked"  # not a sale: untouched
    [received] = [e for e in events(services, "receive") if e["request_id"] == done.request.id]
    assert any("opt-out" in r for r in received["data"]["deadline_reasons"])


def test_a_limit_stops_sensitive_uses_outside_7027m(services: Services) -> None:
    """OPT-05, CCR 7027: after the limit, a purpose the map does not permit is refused on the
    collections holding sensitive data; a permitted one, and other collections, go on."""
    done = submit(services, RequestType.LIMIT_SENSITIVE, regimes=("ccpa",))
    wiring.settle(services)
    assert views.detail(services, done.request.id).status == "completed"

    ids = "platform.identity_verifications"
    assert not ledger.check(services, ME, purpose="ad_targeting", collection=ids).may_process
    assert ledger.check(services, ME, purpose="fraud_prevention", collection=ids).may_process
    logins = "platform.login_events"
    assert ledger.check(services, ME, purpose="ad_targeting", collection=logins).may_process


def exported(services: Services, request_id: str) -> str:
    with zipfile.ZipFile(services.exports_dir / f"{request_id}.zip") as archive:
        return "\n".join(
            archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith(".json")
        )


@pytest.mark.parametrize(("regime", "shown"), [("ccpa", False), ("provider_cn", True)])
def test_a_know_export_never_shows_a_government_id_in_full_under_ccpa(
    services: Services, mailbox: Mailbox, regime: str, shown: bool
) -> None:
    """ACC-09, CCR 7024(d): the ID number is confirmed as held, never shown; under PIPL the
    person's own copy carries it."""
    done = submit(services, RequestType.ACCESS, regimes=(regime,))
    verify(services, mailbox, done)
    wiring.settle(services)
    text = exported(services, done.request.id)
    assert bool(CHINESE_ID.search(text)) is shown
    assert "national_id" in text


@pytest.mark.parametrize(
    ("kind", "params", "message"),
    [
        (RequestType.OPT_OUT, {"purposes": ["x"]}, "takes no params"),
        (RequestType.LIMIT_SENSITIVE, {"all": True}, "takes no params"),
    ],
)
def test_bad_params_are_refused(
    services: Services, kind: RequestType, params: dict[str, object], message: str
) -> None:
    with pytest.raises(PolicyError, match=message):
        submit(services, kind, params=params)


def test_a_fraud_flag_holds_the_run_until_a_fresh_verification(
    services: Services, mailbox: Mailbox, clock: Clock
) -> None:
    """INT-05, CCR 7061(b): a request verified a minute ago still waits for a code entered
    after the flag."""
    done = submit(services, RequestType.DELETE)
    verify(services, mailbox, done)
    requests.flag_fraud(services, OPERATOR, done.request.id, "the account's e-mail changed today")
    requests.approve(services, OPERATOR, done.request.id, None)
    services.jobs.drain()
    assert views.detail(services, done.request.id).status == "approved"  # waits for the code
    clock.advance(minutes=1)
    result = verification.enter_code(services, done.request.id, done.token, emailed_code(mailbox))
    assert result.ok, result.message
    services.jobs.drain()
    assert views.detail(services, done.request.id).status == "completed"
    assert len(events(services, "fraud_flagged")) == 1


def test_a_fraud_denial_needs_the_documented_belief_and_tells_the_reasons(
    services: Services, mailbox: Mailbox
) -> None:
    """INT-12, CCR 7026(e): a denial for fraud carries its documentation and the person is told
    why, with the remedies."""
    done = submit(services, RequestType.DELETE, locale="en")
    verify(services, mailbox, done)
    why = "The request came from an address tied to 40 account takeovers this week"
    with pytest.raises(PolicyError, match="evidence"):
        requests.refuse(
            services, OPERATOR, done.request.id, ground="suspected_fraud", justification=why
        )
    requests.refuse(
        services,
        OPERATOR,
        done.request.id,
        ground="suspected_fraud",
        justification=why,
        evidence="fraud case 2291 in the risk system",
    )
    shown = views.detail(services, done.request.id)
    assert shown.status == "refused" and shown.outcome["refusal"]["ground"] == "suspected_fraud"
    told = " ".join(mails_to(mailbox)[-1].body.split())
    assert "account takeovers" in told and "good-faith belief" in told

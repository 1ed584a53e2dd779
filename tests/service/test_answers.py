"""Every completion answer tells the truth, mailed over real SMTP: what was done, what was not,
why, where to go instead, and the remedies; completed and partially_completed, each type.

Requirements: RSP-08 (every refusal tells the reasons and the remedies), DEL-10 (a partial
denial names the exception for the rest), COR-02 (real-name data is sent to the registration
site, named), CAN-02 / doc(e) (what a cancellation means: agreements end, records cannot be
recovered, earlier liabilities remain), AUD-02 (partly complied requests are told as such).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rightsdesk.domain.requests import RequestType
from rightsdesk.service.requests import actions as requests
from rightsdesk.service.requests import views
from rightsdesk.service.runtime import wiring
from rightsdesk.service.runtime.context import Services
from rightsdesk.settings import Settings
from tests.mailbox import Mailbox
from tests.service.flows import mails_to, submit, verify
from tests.service.test_flow import OPERATOR

WHY = "the records are kept for an open tax audit by the tax bureau"
SITE, LINK = "Baidu Account Center", "https://passport.example.com/realname"
PARAMS: dict[RequestType, dict[str, object]] = {
    RequestType.ACCESS: {},
    RequestType.DELETE: {},
    RequestType.CORRECT: {"changes": [{"field": "phone", "value": "13900139000"}]},
    RequestType.WITHDRAW_CONSENT: {"purposes": ["marketing"]},
    RequestType.CANCEL_ACCOUNT: {},
}
#: What a complete answer says about the run, per type (en): never said of a partial one.
EVERYWHERE = {
    RequestType.ACCESS: "from all our systems",
    RequestType.DELETE: "in every system that holds it",
    RequestType.CORRECT: "in every system that holds it",
    RequestType.CANCEL_ACCOUNT: "linked to it.",
}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"registration_site": SITE, "registration_site_url": LINK, "locale": "en"}
    )


def completed(services: Services, mailbox: Mailbox, kind: RequestType, place: str | None) -> str:
    """Run a request of ``kind`` to its end (refusing ``place`` before it runs); its last mail."""
    done = submit(services, kind, params=PARAMS[kind])
    request_id = done.request.id
    cancel = kind is RequestType.CANCEL_ACCOUNT
    if place is not None and not cancel:  # before verification: an access runs right after
        refuse(services, request_id, place)
    verify(services, mailbox, done)
    if cancel:  # the backup, then the person's confirmation, then the operator
        wiring.settle(services)
        with_bills_paid(services)
        requests.confirm_cancellation(services, request_id, done.token, ["active_services"])
        if place is not None:
            refuse(services, request_id, place)
    if views.detail(services, request_id).status == "awaiting_approval":
        requests.approve(services, OPERATOR, request_id, "checked")
    wiring.settle(services)
    if views.detail(services, request_id).status == "awaiting_stop":  # withdrawal, cancellation
        requests.record_stop(services, OPERATOR, request_id, "host ticket HT-1: stopped")
        wiring.settle(services)
    status = views.detail(services, request_id).status
    assert status == ("partially_completed" if place else "completed"), status
    return mails_to(mailbox)[-1].body


def refuse(services: Services, request_id: str, place: str) -> None:
    requests.refuse(
        services,
        OPERATOR,
        request_id,
        ground="legal_obligation",
        justification=WHY,
        parts=[place],
    )


def with_bills_paid(services: Services) -> None:
    import sqlite3

    datamap = services.settings.datamap
    assert datamap is not None
    with sqlite3.connect(Path(datamap).parent / "billing.db") as conn:
        conn.execute("UPDATE bills SET status = 'paid' WHERE user_id = 1")


@pytest.mark.parametrize("kind", list(PARAMS), ids=lambda k: k.value)
def test_a_complete_answer_says_it_was_done_everywhere_and_nothing_was_refused(
    services: Services, mailbox: Mailbox, kind: RequestType
) -> None:
    body = completed(services, mailbox, kind, None)
    assert "What we did not do" not in body and "If you disagree" not in body
    if kind in EVERYWHERE:
        assert EVERYWHERE[kind] in body


@pytest.mark.parametrize("kind", list(PARAMS), ids=lambda k: k.value)
def test_a_partial_answer_says_what_was_not_done_why_and_the_remedies(
    services: Services, mailbox: Mailbox, kind: RequestType
) -> None:
    body = completed(services, mailbox, kind, "billing.bills")
    assert "is complete, except for some parts" in body or "except for the parts" in body
    if kind in EVERYWHERE:
        assert EVERYWHERE[kind] not in body
    assert "What we did not do, and why:" in body
    assert "- billing.bills: Relevant to our fulfilment of obligations stipulated by laws" in body
    assert WHY in body and "If you disagree:" in body
    assert "You may complain to or report us" in body  # the remedies of the regime
    if kind is not RequestType.ACCESS and kind is not RequestType.WITHDRAW_CONSENT:
        assert "still linked to you, until the reason ends" in body


def test_real_name_data_names_the_registration_site_and_its_link_in_both_languages(
    services: Services, mailbox: Mailbox
) -> None:
    """The issue's case: a correction of real-name data ends partially_completed; the mail used
    to say "we corrected your personal information as you asked, in every system"."""
    changes = [
        {"field": "phone", "value": "13900139000"},
        {"field": "user.name", "value": "李伟明"},
    ]
    for locale, said in (
        ("en", f"Where to go instead: ask for the correction at {SITE}: {LINK}"),
        ("zh-CN", f"您可以改为：请前往{SITE}申请更正：{LINK}"),  # noqa: RUF001
    ):
        done = submit(services, RequestType.CORRECT, params={"changes": changes}, locale=locale)
        verify(services, mailbox, done)
        wiring.settle(services)
        assert views.detail(services, done.request.id).status == "partially_completed"
        body = mails_to(mailbox)[-1].body
        assert said in body, body
        assert "in every system" not in body and "所有系统中更正" not in body
        outcome = requests.status(services, done.request.id, done.token).outcome
        assert LINK in outcome["refused_parts"][0]["alternative"]  # the status view says it too
        assert outcome["remedies"] and outcome["refused_parts"][0]["title"]
        mailbox.clear()


def test_a_cancellation_answer_states_what_cancelling_means(
    services: Services, mailbox: Mailbox
) -> None:
    """doc(e): the agreements end, records cannot be recovered, earlier liabilities remain."""
    body = completed(services, mailbox, RequestType.CANCEL_ACCOUNT, None)
    assert "every service term, agreement and contract under the account have ended" in body
    assert "cannot be recovered" in body and "transaction records" in body
    assert "does not release you from, or reduce, the responsibilities" in body
    warning = next(m.body for m in mails_to(mailbox) if "Confirm the cancellation" in m.subject)
    assert "agreement and every service term, agreement and contract under the account end" in (
        warning
    )
    assert "responsibilities arising from what was done with the account before" in warning

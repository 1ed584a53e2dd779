"""Restriction (GDPR Art. 18, PIPL Art. 44) and objection (GDPR Art. 21) through the request
service, on each store backend: rows marked as the data map says, the processing check, lifting
only after the person is told, and the restriction a contested correction opens (COR-04).

The demo platform's SQLite stores, with accounts flagged in a column, support tickets marked by
the host (a real HTTP receiver) and the rest in rightsdesk's side table; real SMTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from rightsdesk.domain.errors import ConflictError, PolicyError
from rightsdesk.domain.requests import RequestType
from rightsdesk.domain.subjects import Identity
from rightsdesk.service.requests import actions as requests
from rightsdesk.service.requests import intake, views
from rightsdesk.service.restrictions import ledger, lifting
from rightsdesk.service.runtime import wiring
from rightsdesk.service.runtime.context import Services
from rightsdesk.settings import Settings
from rightsdesk.store.models import AuditEvent
from rightsdesk.store.restrictions import Restriction
from tests.mailbox import Mailbox
from tests.service.conftest import PERSON
from tests.service.flows import submit, verify, wait_for_mail
from tests.service.receiver import Receiver
from tests.service.restricting import account_id, flags, order_ids, restricting, someone_else
from tests.service.test_flow import OPERATOR


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


@pytest.fixture
def platform(platform: Path) -> Path:
    return restricting(platform)


@pytest.fixture
def settings(settings: Settings, receiver: Receiver) -> Settings:
    return settings.model_copy(update={"host_hook_url": receiver.url("host")})


def run(
    services: Services, mailbox: Mailbox, kind: RequestType, locale: str = "zh-CN", **params: object
) -> str:
    done = submit(services, kind, params=params, locale=locale)
    verify(services, mailbox, done)
    wiring.settle(services)
    return done.request.id


def host_events(receiver: Receiver) -> list[str]:
    return [hit.json["event"] for hit in receiver.at("host")]


def audited(services: Services, name: str) -> list[AuditEvent]:
    with services.store.session() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.event == name)))


def test_a_restriction_marks_every_row_as_the_map_says_until_lifted_with_notice(
    services: Services, mailbox: Mailbox, platform: Path, receiver: Receiver
) -> None:
    """COR-04 (flagged data is skipped; the person is told before the flag is lifted); GDPR
    Art. 18(1)-(3); PIPL Art. 44."""
    me = account_id(platform, PERSON)
    request_id = run(services, mailbox, RequestType.RESTRICT, ground="unlawful_processing")

    shown = views.detail(services, request_id)
    assert shown.status == "completed"
    marked = shown.outcome["run"]["collections"]
    assert marked["platform.accounts"] == {"mark": "flag", "rows": 1}
    assert marked["billing.orders"]["mark"] == "side_table"
    assert flags(platform)[PERSON] == 1
    assert not any(v for e, v in flags(platform).items() if e != PERSON)  # nobody else's
    assert "processing.restrict" in host_events(receiver)
    # the processing check, by any identity the rows hold, and by a side-table row's key
    by_id = (Identity("user_id", str(me)),)
    assert not ledger.check(services, by_id).may_process
    assert ledger.check(services, by_id, purpose="storage").may_process
    mine = order_ids(platform, me)[0]
    assert not ledger.check(services, (), collection="billing.orders", key=str(mine)).may_process
    other_email, other_id = someone_else(platform, PERSON)
    other = order_ids(platform, other_id)[0]
    assert ledger.check(services, (), collection="billing.orders", key=str(other)).may_process
    assert ledger.check(services, (Identity("email", other_email),)).may_process
    assert "我们已限制对您个人信息的处理" in wait_for_mail(mailbox, 3)[-1].body  # zh-CN by default

    restriction_id = shown.outcome["run"]["restriction_id"]
    lifting.lift(services, restriction_id, actor="op", reason="the processing was found lawful")

    told = wait_for_mail(mailbox, 4)[-1]
    assert "现在我们将解除该限制" in told.body and "found lawful" in told.body
    assert flags(platform)[PERSON] == 0
    assert ledger.check(services, by_id).may_process
    assert host_events(receiver)[-1] == "processing.unrestrict"
    assert [e.record["data"]["notified"] for e in audited(services, "restriction_lifted")] == [True]
    with pytest.raises(ConflictError, match="lifted already"):
        lifting.lift(services, restriction_id, actor="op", reason="again")


def test_no_lift_without_a_way_to_tell_the_person(
    services: Services, platform: Path, mailbox: Mailbox
) -> None:
    """GDPR Art. 18(3): an operator's ticket naming only the account id leaves nobody to tell,
    so the restriction stays, flags and all."""
    me = account_id(platform, PERSON)
    done = intake.submit(
        services,
        intake.Submission(
            RequestType.RESTRICT,
            (Identity("user_id", str(me)),),
            channel="ticket",
            evidence="signed letter, ticket 4411",
            actor="op",
        ),
    )
    wiring.settle(services)
    run_ = views.detail(services, done.request.id).outcome["run"]
    with pytest.raises(ConflictError, match="no e-mail or phone"):
        lifting.lift(services, run_["restriction_id"], actor="op", reason="done")
    assert flags(platform)[PERSON] == 1
    with services.store.session() as session:
        assert session.get(Restriction, run_["restriction_id"]).lifted_at is None  # type: ignore[union-attr]


def contested_correction(services: Services, mailbox: Mailbox) -> intake.Submitted:
    """A verified correction of the display name, left waiting for an operator's decision."""
    config = services.policy.config
    manual = {**config.manual_approval, RequestType.CORRECT: True}
    services.policy = type(services.policy)(config.model_copy(update={"manual_approval": manual}))
    done = submit(
        services,
        RequestType.CORRECT,
        params={"changes": [{"field": "display_name", "value": "Wei"}]},
    )
    verify(services, mailbox, done)
    wiring.settle(services)
    return done


def test_a_contested_correction_restricts_until_it_is_decided(
    services: Services, mailbox: Mailbox, platform: Path
) -> None:
    """COR-04, GDPR Art. 18(1)(a): a correction waiting for an operator opens a restriction of
    the fields' collections at once; carrying the correction out lifts it, the person told."""
    done = contested_correction(services, mailbox)

    assert views.detail(services, done.request.id).status == "awaiting_approval"
    assert flags(platform)[PERSON] == 1
    with services.store.session() as session:
        opened = session.scalars(select(Restriction)).one()
    assert (opened.until_request, opened.ground) == (done.request.id, "accuracy_contested")
    assert opened.collections == ["platform.accounts"]

    requests.approve(services, OPERATOR, done.request.id, "checked")
    wiring.settle(services)
    assert views.detail(services, done.request.id).status == "completed"
    assert flags(platform)[PERSON] == 0
    assert any("decided (completed)" in m.body for m in mailbox.messages if "解除" in m.body)


def test_a_refused_correction_ends_its_restriction_at_the_sweep(
    services: Services, mailbox: Mailbox, platform: Path
) -> None:
    """COR-04: the restriction waits for the decision, whatever it is."""
    done = contested_correction(services, mailbox)
    assert flags(platform)[PERSON] == 1
    requests.refuse(
        services,
        OPERATOR,
        done.request.id,
        ground="impractical",
        justification="the name on file is accurate",
    )
    assert wiring.sweep(services)["restrictions_lifted"] == 1
    assert flags(platform)[PERSON] == 0


def test_an_objection_stops_its_purpose_at_once_and_direct_marketing_for_good(
    services: Services, mailbox: Mailbox, receiver: Receiver
) -> None:
    """GDPR Art. 21(1)-(3): processing for the purposes objected to stops; an operator may
    resume a legitimate-interest one only by telling the person the overriding grounds."""
    request_id = run(
        services,
        mailbox,
        RequestType.OBJECT,
        locale="en",
        purposes=["fraud_analytics", "newsletter"],
        reason="I travel a lot; the scoring keeps locking me out",
    )
    shown = views.detail(services, request_id)
    assert shown.status == "completed"
    ids = shown.outcome["run"]["objections"]
    me = (Identity("email", PERSON),)
    assert not ledger.check(services, me, purpose="newsletter").may_process
    assert not ledger.check(services, me, purpose="fraud_analytics").may_process
    assert ledger.check(services, me, purpose="service_delivery").may_process
    assert host_events(receiver).count("processing.objection") == 2
    assert "Direct marketing stops for good" in wait_for_mail(mailbox, 3)[-1].body

    with pytest.raises(ConflictError, match="direct marketing"):
        lifting.lift(services, ids["newsletter"], actor="op", reason="we like sending it")
    grounds = "Scoring protects every customer's account from takeover"
    lifting.lift(services, ids["fraud_analytics"], actor="op", reason=grounds)
    told = " ".join(wait_for_mail(mailbox, 4)[-1].body.split())
    assert grounds in told and "lawsuit" in told  # the grounds, and the remedies
    assert ledger.check(services, me, purpose="fraud_analytics").may_process
    assert not ledger.check(services, me, purpose="newsletter").may_process


@pytest.mark.parametrize(
    ("kind", "params", "message"),
    [
        (RequestType.RESTRICT, {"ground": "dislike"}, "params.ground must be one of"),
        (RequestType.RESTRICT, {"collections": ["shop.carts"]}, "unknown collection"),
        (RequestType.RESTRICT, {"until_request": "x"}, "set by rightsdesk"),
        (RequestType.OBJECT, {"purposes": ["marketing"]}, "withdrawn instead"),
        (RequestType.OBJECT, {"purposes": ["fraud_analytics"]}, "particular situation"),
        (RequestType.OBJECT, {}, "name the purposes"),
    ],
)
def test_bad_params_are_refused_before_anything_is_stored(
    services: Services, kind: RequestType, params: dict[str, object], message: str
) -> None:
    with pytest.raises(PolicyError, match=message):
        submit(services, kind, params=params)


def test_a_place_refused_on_a_ground_is_left_unmarked(
    services: Services, mailbox: Mailbox, platform: Path
) -> None:
    """DEL-10 for a type that writes: a partial refusal's place is left as it is by the run."""
    done = submit(services, RequestType.RESTRICT, params={"ground": "unlawful_processing"})
    requests.refuse(
        services,
        OPERATOR,
        done.request.id,
        ground="legal_obligation",
        justification="the account row is evidence in an open court case",
        parts=["platform.accounts"],
    )
    verify(services, mailbox, done)
    wiring.settle(services)
    shown = views.detail(services, done.request.id)
    assert shown.status == "partially_completed", shown.outcome
    assert "platform.accounts" not in shown.outcome["run"]["collections"]
    assert "billing.orders" in shown.outcome["run"]["collections"]
    assert flags(platform)[PERSON] == 0

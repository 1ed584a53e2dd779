"""Deadlines per regime on fixed dates, the strictest one winning, and extensions (RSP-01/02/09)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rightsdesk.domain.errors import PolicyError
from rightsdesk.domain.requests import RequestType
from rightsdesk.policy import Deadlines, Due, Policy, PolicyConfig, Regime, Urgency

POLICY = Policy(PolicyConfig.default())
P, T, G, C = Regime.PROVIDER_CN, Regime.GBT35273, Regime.GDPR, Regime.CCPA


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("received", "regimes", "respond", "limit"),
    [
        # provider_cn: 15 Chinese working days, no extension
        (utc(2024, 9, 27, 2), [P], date(2024, 10, 23), date(2024, 10, 23)),  # before National Day
        (utc(2024, 2, 8, 2), [P], date(2024, 3, 6), date(2024, 3, 6)),  # before Spring Festival
        (
            utc(2025, 9, 26, 2),
            [P],
            date(2025, 10, 23),
            date(2025, 10, 23),
        ),  # make-up 28 Sep, 11 Oct
        (utc(2024, 9, 26, 17), [P], date(2024, 10, 23), date(2024, 10, 23)),  # 01:00 Shanghai
        # gbt35273: 30 calendar days
        (utc(2024, 1, 31, 12), [T], date(2024, 3, 1), date(2024, 3, 1)),
        # gdpr: same day next month, clamped; limit three months after receipt
        (utc(2023, 1, 31, 12), [G], date(2023, 2, 28), date(2023, 4, 30)),
        (utc(2024, 1, 31, 12), [G], date(2024, 2, 29), date(2024, 4, 30)),
        (utc(2024, 3, 31, 12), [G], date(2024, 4, 30), date(2024, 6, 30)),
        (utc(2023, 11, 30, 12), [G], date(2023, 12, 30), date(2024, 2, 29)),
        (utc(2024, 1, 31, 23, 30), [G], date(2024, 3, 1), date(2024, 5, 1)),  # Feb 1 in Brussels
        # ccpa: 45 calendar days, at most 90
        (utc(2024, 11, 20, 20), [C], date(2025, 1, 4), date(2025, 2, 18)),
        (utc(2024, 1, 31, 23, 30), [C], date(2024, 3, 16), date(2024, 4, 30)),
    ],
)
def test_respond_and_extension_limit(
    received: datetime, regimes: list[Regime], respond: date, limit: date
) -> None:
    deadlines = POLICY.deadlines(received, regimes)
    assert deadlines.respond.day == respond
    assert deadlines.extension_limit.day == limit
    assert deadlines.extendable is (limit > respond)


def test_provider_count_from_before_spring_festival_2024() -> None:
    # received Thu 8 Feb: 9 Feb (1), the break 10-17 Feb, make-up Sunday 18 Feb (2), then
    # 19-23 Feb (3-7), 26 Feb-1 Mar (8-12), 4-6 Mar (13-15)
    deadlines = POLICY.deadlines(utc(2024, 2, 8, 2), [P])
    assert deadlines.respond == Due(P, date(2024, 3, 6), "Asia/Shanghai")
    assert deadlines.acknowledge is None
    assert "provider_cn: no extension is possible" in deadlines.reasons


def test_ccpa_acknowledgement_in_business_days() -> None:
    deadlines = POLICY.deadlines(utc(2024, 11, 20, 20), [C])
    assert deadlines.acknowledge == Due(C, date(2024, 12, 5), "America/Los_Angeles")
    assert any("acknowledge by 2024-12-05" in r for r in deadlines.reasons)


def test_ccpa_opt_out_is_15_business_days_without_extension() -> None:
    deadlines = POLICY.deadlines(utc(2024, 11, 20, 20), [C], RequestType.WITHDRAW_CONSENT)
    assert deadlines.respond.day == date(2024, 12, 12)
    assert deadlines.acknowledge is None
    assert not deadlines.extendable


@pytest.mark.parametrize(
    ("received", "regimes", "governing", "respond", "limit"),
    [
        (utc(2024, 1, 31, 12), [G, P], P, date(2024, 2, 26), date(2024, 2, 26)),
        (utc(2024, 1, 31, 12), [G, T], G, date(2024, 2, 29), date(2024, 3, 1)),
        (utc(2024, 9, 27, 2), [P, C], P, date(2024, 10, 23), date(2024, 10, 23)),
        (utc(2024, 5, 1, 12), [G, C], G, date(2024, 6, 1), date(2024, 7, 30)),
    ],
)
def test_strictest_deadline_wins(
    received: datetime, regimes: list[Regime], governing: Regime, respond: date, limit: date
) -> None:
    deadlines = POLICY.deadlines(received, regimes)
    assert deadlines.governing is governing
    assert deadlines.respond.day == respond
    assert deadlines.extension_limit.day == limit
    assert any(
        r.startswith(f"strictest deadline wins: {governing.value}") for r in deadlines.reasons
    )


def test_ack_comes_from_the_regime_that_requires_one() -> None:
    deadlines = POLICY.deadlines(utc(2024, 9, 27, 2), [P, C])
    assert deadlines.acknowledge == Due(C, date(2024, 10, 10), "America/Los_Angeles")


def test_uncovered_year_is_surfaced_in_the_reasons() -> None:
    deadlines = POLICY.deadlines(utc(2030, 3, 1, 2), [P])
    assert any("no holiday table for 2030" in r for r in deadlines.reasons)
    covered = POLICY.deadlines(utc(2026, 3, 2, 2), [P])
    assert not any("holiday table" in r for r in covered.reasons)


def test_deadline_spanning_into_an_uncovered_year_is_flagged() -> None:
    deadlines = POLICY.deadlines(utc(2026, 12, 20, 2), [P])
    assert any("no holiday table for 2027" in r for r in deadlines.reasons)


def test_timezone_is_configurable() -> None:
    policy = Policy(PolicyConfig(timezones={G: "Europe/Dublin"}))
    deadlines = policy.deadlines(utc(2024, 1, 31, 23, 30), [G])
    assert deadlines.respond == Due(G, date(2024, 2, 29), "Europe/Dublin")


@pytest.mark.parametrize(
    ("received", "regimes", "message"),
    [
        (datetime(2024, 1, 1, 12), [G], "timezone-aware"),
        (utc(2024, 1, 1, 12), [], "at least one regime"),
    ],
)
def test_bad_input(received: datetime, regimes: list[Regime], message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        POLICY.deadlines(received, regimes)


GDPR_JAN31 = POLICY.deadlines(utc(2024, 1, 31, 12), [G])
REASON = "the export spans twelve systems and needs manual review"


@pytest.mark.parametrize(
    ("now", "until", "expected"),
    [
        (utc(2024, 2, 20, 9), None, date(2024, 4, 30)),
        (utc(2024, 2, 29, 22, 59), None, date(2024, 4, 30)),  # 23:59 on the due day in Brussels
        (utc(2024, 2, 20, 9), date(2024, 3, 31), date(2024, 3, 31)),
    ],
)
def test_extension_accepted(now: datetime, until: date | None, expected: date) -> None:
    extension = POLICY.extend(GDPR_JAN31, now=now, reason=REASON, until=until)
    assert extension.respond == Due(G, expected, "Europe/Brussels")
    assert extension.previous == GDPR_JAN31.respond
    assert any(REASON in r for r in extension.reasons)


@pytest.mark.parametrize(
    ("deadlines", "now", "reason", "until", "current", "message"),
    [
        (GDPR_JAN31, utc(2024, 2, 29, 23, 0), REASON, None, None, "has passed"),
        (GDPR_JAN31, utc(2024, 3, 15), REASON, None, None, "has passed"),
        (GDPR_JAN31, utc(2024, 2, 20), "", None, None, "reason"),
        (GDPR_JAN31, utc(2024, 2, 20), "busy", None, None, "reason"),
        (GDPR_JAN31, utc(2024, 2, 20), REASON, date(2024, 5, 1), None, "latest possible"),
        (GDPR_JAN31, utc(2024, 2, 20), REASON, date(2024, 2, 28), None, "not after"),
        (
            GDPR_JAN31,
            utc(2024, 3, 20),
            REASON,
            None,
            Due(G, date(2024, 4, 30), "Europe/Brussels"),
            "not after",
        ),
        (
            POLICY.deadlines(utc(2024, 1, 31, 12), [P]),
            utc(2024, 2, 1),
            REASON,
            None,
            None,
            "provider_cn allows no extension",
        ),
        (
            POLICY.deadlines(utc(2024, 1, 31, 12), [T]),
            utc(2024, 2, 1),
            REASON,
            None,
            None,
            "gbt35273 allows no extension",
        ),
        (
            POLICY.deadlines(utc(2024, 1, 31, 12), [G, P]),
            utc(2024, 2, 1),
            REASON,
            None,
            None,
            "provider_cn allows no extension",
        ),
    ],
)
def test_extension_rejected(
    deadlines: Deadlines,
    now: datetime,
    reason: str,
    until: date | None,
    current: Due | None,
    message: str,
) -> None:
    with pytest.raises(PolicyError, match=message):
        POLICY.extend(deadlines, now=now, reason=reason, until=until, current=current)


def test_a_second_extension_continues_from_the_first() -> None:
    first = POLICY.extend(GDPR_JAN31, now=utc(2024, 2, 20), reason=REASON, until=date(2024, 3, 31))
    second = POLICY.extend(GDPR_JAN31, now=utc(2024, 3, 20), reason=REASON, current=first.respond)
    assert second.respond.day == date(2024, 4, 30)


def test_ccpa_extension_up_to_90_days() -> None:
    deadlines = POLICY.deadlines(utc(2024, 11, 20, 20), [C])
    extension = POLICY.extend(deadlines, now=utc(2024, 12, 30), reason=REASON)
    assert extension.respond.day == date(2025, 2, 18)


@pytest.mark.parametrize(
    ("now", "state", "days_left"),
    [
        (utc(2024, 2, 20, 9), Urgency.ON_TRACK, 9),
        (utc(2024, 2, 26, 9), Urgency.AT_RISK, 3),
        (utc(2024, 2, 29, 22), Urgency.AT_RISK, 0),
        (utc(2024, 2, 29, 23, 30), Urgency.OVERDUE, -1),
    ],
)
def test_status(now: datetime, state: Urgency, days_left: int) -> None:
    status = POLICY.status(GDPR_JAN31.respond, now)
    assert (status.state, status.days_left) == (state, days_left)
    assert status.reasons


@given(
    received=st.datetimes(
        min_value=datetime(2023, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
    ),
    regimes=st.sets(st.sampled_from(list(Regime)), min_size=1),
)
def test_deadlines_are_after_receipt_and_ordered(received: datetime, regimes: set[Regime]) -> None:
    deadlines = POLICY.deadlines(received, regimes)
    assert deadlines.respond.ends_at > received + timedelta(days=1)
    assert deadlines.extension_limit.ends_at >= deadlines.respond.ends_at
    if deadlines.acknowledge is not None:
        assert deadlines.acknowledge.ends_at <= deadlines.respond.ends_at
    assert all(d.respond.ends_at >= deadlines.respond.ends_at for d in deadlines.per_regime)

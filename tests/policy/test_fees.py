"""Repeat allowances and fees: free first, then a quote or a refusal (RSP-05, ACC-04, INT-09)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from rightsdesk.domain.errors import PolicyError
from rightsdesk.domain.requests import RequestType
from rightsdesk.policy import Outcome, Policy, PolicyConfig, Regime, RepeatRule

POLICY = Policy(PolicyConfig.default())
NOW = datetime(2024, 6, 1, 12, tzinfo=UTC)
P, T, G, C = Regime.PROVIDER_CN, Regime.GBT35273, Regime.GDPR, Regime.CCPA
ACCESS = RequestType.ACCESS


def ago(days: int) -> datetime:
    return datetime.fromordinal(NOW.toordinal() - days).replace(hour=12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("regimes", "earlier", "outcome", "amount", "currency"),
    [
        ([P], [], Outcome.FREE, "0", None),  # 1st free
        ([P], [ago(30)], Outcome.FREE, "0", None),  # 2nd free
        ([P], [ago(30), ago(60)], Outcome.FEE, "30.00", "CNY"),  # 3rd within 12 months quoted
        ([P], [ago(400), ago(500)], Outcome.FREE, "0", None),  # outside the window: free again
        ([P], [ago(30), ago(400)], Outcome.FREE, "0", None),
        (
            [P],
            [ago(30), datetime(2023, 6, 1, 9, tzinfo=UTC)],
            Outcome.FREE,
            "0",
            None,
        ),  # anniversary
        ([T], [ago(10), ago(20)], Outcome.FEE, "30.00", "CNY"),
        ([G], [], Outcome.FREE, "0", None),  # ACC-04: first copy free
        ([G], [ago(10)], Outcome.FEE, "10.00", "EUR"),  # further copy: administrative fee
        ([C], [ago(10)], Outcome.FREE, "0", None),
        ([C], [ago(10), ago(20)], Outcome.REFUSE, "0", None),  # CCPA: twice per 12 months
        ([P, G], [ago(10)], Outcome.FREE, "0", None),  # most favourable to the person
        ([G, C], [ago(10), ago(20)], Outcome.FEE, "10.00", "EUR"),
    ],
)
def test_access_allowance(
    regimes: list[Regime],
    earlier: list[datetime],
    outcome: Outcome,
    amount: str,
    currency: str | None,
) -> None:
    decision = POLICY.assess_repeat(ACCESS, earlier, NOW, regimes)
    assert (decision.outcome, decision.amount, decision.currency) == (
        outcome,
        Decimal(amount),
        currency,
    )
    assert decision.must_accept_before_work is (outcome is Outcome.FEE)
    assert decision.reasons


def test_reasons_say_which_rule_and_how_many() -> None:
    decision = POLICY.assess_repeat(ACCESS, [ago(30), ago(60)], NOW, [P])
    assert decision.in_window == 2
    assert decision.regime is P
    (reason,) = decision.reasons
    assert "2 earlier access request(s) in the last 12m" in reason
    assert "2 free per window" in reason
    assert "fee 30.00 CNY" in reason


def test_combined_regimes_explain_the_choice() -> None:
    decision = POLICY.assess_repeat(ACCESS, [ago(10)], NOW, [P, G])
    assert decision.reasons[-1] == "most favourable to the person wins: free"
    assert any(r.startswith("gdpr:") for r in decision.reasons)


@pytest.mark.parametrize("request_type", [t for t in RequestType if t is not ACCESS])
def test_types_without_a_rule_are_always_free(request_type: RequestType) -> None:
    earlier = [ago(d) for d in range(1, 20)]
    decision = POLICY.assess_repeat(request_type, earlier, NOW, [P, T, G, C])
    assert decision.outcome is Outcome.FREE


def test_default_regimes_come_from_the_config() -> None:
    assert POLICY.assess_repeat(ACCESS, [ago(1), ago(2)], NOW).currency == "CNY"


def test_rule_currency_falls_back_to_the_config_currency() -> None:
    rule = RepeatRule(free=0, then=Outcome.FEE, fee=Decimal(5))
    policy = Policy(PolicyConfig(currency="USD", repeats={C: {ACCESS: rule}}))
    decision = policy.assess_repeat(ACCESS, [], NOW, [C])
    assert (decision.outcome, decision.amount, decision.currency) == (
        Outcome.FEE,
        Decimal(5),
        "USD",
    )


def test_verification_is_never_charged() -> None:
    decision = POLICY.verification_fee()
    assert decision.outcome is Outcome.FREE
    assert decision.amount == 0
    assert "7060(e)" in decision.reasons[0]


def test_no_regime_is_an_error() -> None:
    with pytest.raises(PolicyError, match="at least one regime"):
        POLICY.assess_repeat(ACCESS, [], NOW, [])


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"free": 1, "then": "fee"}, "needs a 'fee' amount"),
        ({"free": 1, "then": "refuse", "fee": "3"}, "takes no 'fee'"),
        ({"free": 1, "then": "free"}, "must be fee or refuse"),
        ({"free": -1, "then": "refuse"}, "greater than or equal to 0"),
        ({"free": 1, "then": "refuse", "window": "a year"}, "must look like"),
        ({"free": 1, "then": "fee", "fee": "0"}, "greater than 0"),
    ],
)
def test_bad_rules(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        RepeatRule.model_validate(fields)

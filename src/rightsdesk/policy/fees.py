"""Repeat allowances and fees: free by default, then a quoted fee or a refusal, per configuration.

Verification is never charged (CCR §7060(e), INT-09): nothing here counts or prices it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from rightsdesk.domain.errors import PolicyError
from rightsdesk.domain.periods import Period
from rightsdesk.domain.requests import RequestType
from rightsdesk.policy.regimes import Regime


class Outcome(StrEnum):
    """What a request costs the person, from most to least favourable to them."""

    FREE = "free"
    FEE = "fee"
    REFUSE = "refuse"


_RANK = {Outcome.FREE: 0, Outcome.FEE: 1, Outcome.REFUSE: 2}


class RepeatRule(BaseModel):
    """``free`` requests per rolling ``window``; beyond that, ``then`` (a fee or a refusal)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    free: int = Field(ge=0)
    window: str = "12m"
    then: Outcome
    fee: Decimal | None = Field(default=None, gt=0)
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    basis: str = ""

    @field_validator("window")
    @classmethod
    def _period(cls, text: str) -> str:
        Period.parse(text)
        return text

    @model_validator(mode="after")
    def _fee_matches_outcome(self) -> RepeatRule:
        if self.then is Outcome.FREE:
            raise ValueError("'then' must be fee or refuse (omit the rule to keep a type free)")
        if self.then is Outcome.FEE and self.fee is None:
            raise ValueError("'then: fee' needs a 'fee' amount")
        if self.then is Outcome.REFUSE and self.fee is not None:
            raise ValueError("'then: refuse' takes no 'fee'")
        return self


@dataclass(frozen=True)
class FeeDecision:
    """Free, a fee the person must accept before work starts, or a refusal as repeated."""

    outcome: Outcome
    amount: Decimal
    currency: str | None
    regime: Regime | None
    in_window: int
    reasons: tuple[str, ...]

    @property
    def must_accept_before_work(self) -> bool:
        return self.outcome is Outcome.FEE


Rules = Mapping[Regime, Mapping[RequestType, RepeatRule]]


def assess(
    request_type: RequestType,
    regimes: Iterable[Regime],
    earlier: Sequence[datetime],
    now: datetime,
    rules: Rules,
    currency: str,
) -> FeeDecision:
    """Price this request given the person's earlier counted requests of the same type.

    When several regimes apply, the outcome most favourable to the person wins, because
    each regime on its own may require it.
    """
    chosen = sorted(set(regimes))
    if not chosen:
        raise PolicyError("at least one regime must apply to a request")
    decisions = [_one(r, request_type, earlier, now, rules, currency) for r in chosen]
    best = min(decisions, key=lambda d: (_RANK[d.outcome], d.amount))
    if len(decisions) == 1:
        return best
    others = [reason for d in decisions if d is not best for reason in d.reasons]
    summary = f"most favourable to the person wins: {best.outcome.value}"
    return FeeDecision(
        best.outcome,
        best.amount,
        best.currency,
        best.regime,
        best.in_window,
        (*best.reasons, *others, summary),
    )


def _one(
    regime: Regime,
    request_type: RequestType,
    earlier: Sequence[datetime],
    now: datetime,
    rules: Rules,
    currency: str,
) -> FeeDecision:
    name, kind = regime.value, request_type.value
    rule = rules.get(regime, {}).get(request_type)
    if rule is None:
        why = f"{name}: no repeat limit for {kind} requests; free"
        return FeeDecision(Outcome.FREE, Decimal(0), None, regime, 0, (why,))
    period = Period.parse(rule.window)
    count = sum(1 for t in earlier if t <= now and period.after(t.date()) > now.date())
    basis = f" ({rule.basis})" if rule.basis else ""
    seen = f"{name}: {count} earlier {kind} request(s) in the last {period}"
    seen += f"; {rule.free} free per window{basis}"
    if count < rule.free:
        return FeeDecision(Outcome.FREE, Decimal(0), None, regime, count, (f"{seen}; free",))
    if rule.then is Outcome.FEE and rule.fee is not None:
        money = rule.currency or currency
        why = f"{seen}; fee {rule.fee} {money}, to be accepted before work starts"
        return FeeDecision(Outcome.FEE, rule.fee, money, regime, count, (why,))
    why = f"{seen}; may be refused as unreasonably repeated (ground 'repeated')"
    return FeeDecision(Outcome.REFUSE, Decimal(0), None, regime, count, (why,))


def verification_fee() -> FeeDecision:
    """Verifying identity is always free, including any notarisation the business requires."""
    why = "verification is never charged (CCR §7060(e))"
    return FeeDecision(Outcome.FREE, Decimal(0), None, None, 0, (why,))

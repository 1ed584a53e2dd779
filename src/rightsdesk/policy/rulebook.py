"""One object the service layer asks about law and policy; every answer carries its reasons."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from rightsdesk.domain.errors import PolicyError
from rightsdesk.domain.requests import RequestType
from rightsdesk.policy import deadlines as _deadlines
from rightsdesk.policy import fees as _fees
from rightsdesk.policy.calendars import ChineseWorkCalendar, USBusinessCalendar, WorkCalendar
from rightsdesk.policy.config import PolicyConfig
from rightsdesk.policy.deadlines import Deadlines, DeadlineStatus, Due, Extension
from rightsdesk.policy.fees import FeeDecision
from rightsdesk.policy.grounds import Ground, catalogue
from rightsdesk.policy.refusals import Refusal, refuse
from rightsdesk.policy.regimes import RULES, CalendarKind, Regime
from rightsdesk.policy.remedies import Remedy
from rightsdesk.policy.remedies import remedies as _remedies


@dataclass(frozen=True)
class ApprovalDecision:
    """Whether an operator must approve this request type before work starts."""

    manual: bool
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ExpiryDecision:
    """Whether a request still unverified has expired, and when it does."""

    expired: bool
    expires_at: datetime
    reasons: tuple[str, ...]


class Policy:
    """Law and company policy behind one facade; pure apart from reading bundled data."""

    def __init__(
        self,
        config: PolicyConfig | None = None,
        *,
        cn_calendar: WorkCalendar | None = None,
        us_calendar: WorkCalendar | None = None,
    ) -> None:
        self.config = config or PolicyConfig.default()
        self.calendars: dict[CalendarKind, WorkCalendar] = {
            CalendarKind.CN: cn_calendar or ChineseWorkCalendar.bundled(),
            CalendarKind.US: us_calendar or USBusinessCalendar(),
        }

    def _regimes(self, regimes: Iterable[Regime] | None) -> list[Regime]:
        return list(regimes) if regimes is not None else list(self.config.regimes)

    def deadlines(
        self,
        received_at: datetime,
        regimes: Iterable[Regime] | None = None,
        request_type: RequestType | None = None,
    ) -> Deadlines:
        """Acknowledge / respond / extension-limit dates; the strictest regime governs."""
        return _deadlines.compute(
            received_at,
            self._regimes(regimes),
            self.calendars,
            self.config.timezones,
            request_type,
        )

    def extend(
        self,
        deadlines: Deadlines,
        *,
        now: datetime,
        reason: str,
        current: Due | None = None,
        until: date | None = None,
    ) -> Extension:
        """Validate an extension (RSP-02) and return the new due date, or raise PolicyError."""
        return _deadlines.extend(deadlines, now=now, reason=reason, current=current, until=until)

    def timezone(self, regime: Regime) -> str:
        """The timezone in which this regime's days are counted."""
        return self.config.timezones.get(regime, RULES[regime].timezone)

    def due(self, regime: Regime, day: date) -> Due:
        """A stored due day as a Due, in the regime's timezone."""
        return Due(regime, day, self.timezone(regime))

    def today(self, regime: Regime, now: datetime) -> date:
        """The local date under ``regime`` at ``now``."""
        return now.astimezone(ZoneInfo(self.timezone(regime))).date()

    def status(self, due: Due, now: datetime) -> DeadlineStatus:
        """On track, at risk (``at_risk_days`` or fewer left) or overdue (RSP-09)."""
        return _deadlines.status(due, now, self.config.at_risk_days)

    def assess_repeat(
        self,
        request_type: RequestType,
        earlier: Sequence[datetime],
        now: datetime,
        regimes: Iterable[Regime] | None = None,
    ) -> FeeDecision:
        """Free, fee or refuse, given the person's earlier counted requests of this type."""
        return _fees.assess(
            request_type,
            self._regimes(regimes),
            earlier,
            now,
            self.config.repeats,
            self.config.currency,
        )

    def verification_fee(self) -> FeeDecision:
        """Always free (INT-09)."""
        return _fees.verification_fee()

    def grounds(self) -> tuple[Ground, ...]:
        """Every refusal ground of the configured profile."""
        return catalogue(self.config.refusal_profile)

    def refusal(
        self,
        code: str,
        justification: str,
        *,
        part: str | None = None,
        alternative: str | None = None,
        evidence: str | None = None,
    ) -> Refusal:
        """A validated refusal under the configured profile, or PolicyError listing valid codes."""
        return refuse(
            self.config.refusal_profile,
            code,
            justification,
            part=part,
            alternative=alternative,
            evidence=evidence,
        )

    def remedies(
        self, regimes: Iterable[Regime] | None = None, locale: str = "en"
    ) -> tuple[Remedy, ...]:
        """What a refusal must tell the person about complaints and courts (RSP-08)."""
        return _remedies(self._regimes(regimes), locale)

    def approval(self, request_type: RequestType) -> ApprovalDecision:
        """Whether this request type waits for an operator's approval."""
        manual = self.config.manual_approval.get(request_type, False)
        how = "needs an operator's approval" if manual else "is approved automatically"
        return ApprovalDecision(manual, (f"policy: a {request_type.value} request {how}",))

    def unverified_expiry(self, received_at: datetime, now: datetime) -> ExpiryDecision:
        """A request never verified expires ``unverified_expiry_days`` after receipt."""
        if received_at.tzinfo is None or now.tzinfo is None:
            raise PolicyError("received_at and now must be timezone-aware")
        days = self.config.unverified_expiry_days
        expires_at = received_at + timedelta(days=days)
        expired = now >= expires_at
        state = "has expired" if expired else "is still open"
        why = f"policy: an unverified request expires {days} days after receipt; it {state}"
        return ExpiryDecision(expired, expires_at, (why,))

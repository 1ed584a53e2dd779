"""Law and company policy: deadlines, repeat fees, refusal grounds and remedies, with reasons."""

from __future__ import annotations

from rightsdesk.domain.errors import PolicyFileError
from rightsdesk.policy.calendars import (
    ChineseWorkCalendar,
    USBusinessCalendar,
    WeekdayCalendar,
    WorkCalendar,
)
from rightsdesk.policy.config import PolicyConfig, Verification
from rightsdesk.policy.deadlines import Deadlines, DeadlineStatus, Due, Extension, Urgency
from rightsdesk.policy.fees import FeeDecision, Outcome, RepeatRule
from rightsdesk.policy.grounds import Ground, GroundKind, Profile
from rightsdesk.policy.refusals import Refusal
from rightsdesk.policy.regimes import CASE_RECORD_DAYS, RULES, Regime, case_retention
from rightsdesk.policy.remedies import Remedy
from rightsdesk.policy.rulebook import ApprovalDecision, ExpiryDecision, Policy

__all__ = [
    "CASE_RECORD_DAYS",
    "RULES",
    "ApprovalDecision",
    "ChineseWorkCalendar",
    "DeadlineStatus",
    "Deadlines",
    "Due",
    "ExpiryDecision",
    "Extension",
    "FeeDecision",
    "Ground",
    "GroundKind",
    "Outcome",
    "Policy",
    "PolicyConfig",
    "PolicyFileError",
    "Profile",
    "Refusal",
    "Regime",
    "Remedy",
    "RepeatRule",
    "USBusinessCalendar",
    "Urgency",
    "Verification",
    "WeekdayCalendar",
    "WorkCalendar",
    "case_retention",
]

"""Company policy settings, loaded from YAML with errors that name file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from rightsdesk.domain.agents import ConsumerStep
from rightsdesk.domain.requests import RequestType
from rightsdesk.policy import sourcefile
from rightsdesk.policy.fees import RepeatRule
from rightsdesk.policy.grounds import Profile
from rightsdesk.policy.regimes import Regime

BUNDLED = Path(__file__).parent / "default.yml"


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown timezone {name!r}") from exc
    return name


ZoneName = Annotated[str, AfterValidator(_zone)]


class Verification(BaseModel):
    """One-time code settings; verification itself is never charged."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code_ttl_minutes: int = Field(default=10, ge=1, le=60)
    max_attempts: int = Field(default=5, ge=1, le=20)


class Agents(BaseModel):
    """Requests an authorised agent submits for the person (CCR 7063(a))."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: The agent shows the permission the person signed before the request is approved.
    signed_permission: bool = True
    #: What the person does directly: ``verify`` their identity, or ``confirm`` the permission.
    consumer_step: ConsumerStep = ConsumerStep.VERIFY


class PolicyConfig(BaseModel):
    """The company's choices within the law: regimes, fees, approvals, time limits."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    regimes: list[Regime] = Field(default=[Regime.PROVIDER_CN], min_length=1)
    refusal_profile: Profile = Profile.PROVIDER
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    timezones: dict[Regime, ZoneName] = {}
    repeats: dict[Regime, dict[RequestType, RepeatRule]] = {}
    manual_approval: dict[RequestType, bool] = {}
    #: Request types approved only once the person's signed written request is attached.
    written_request: dict[RequestType, bool] = {}
    agents: Agents = Agents()
    verification: Verification = Verification()
    unverified_expiry_days: int = Field(default=30, ge=1)
    at_risk_days: int = Field(default=3, ge=0)

    @classmethod
    def default(cls) -> PolicyConfig:
        """The policy bundled with rightsdesk (``policy/default.yml``)."""
        return cls.load(BUNDLED)

    @classmethod
    def load(cls, path: str | Path) -> PolicyConfig:
        """Load a policy file; raise PolicyFileError (a PolicyError) naming file and line."""
        return sourcefile.load(path, cls)

    @classmethod
    def loads(cls, text: str, *, source: str = "<policy>") -> PolicyConfig:
        return sourcefile.loads(text, cls, source=source)

"""The policy file: defaults, the bundled file, and errors that name file and line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from rightsdesk.domain.errors import PolicyError
from rightsdesk.domain.requests import RequestType
from rightsdesk.policy import Policy, PolicyConfig, PolicyFileError, Profile, Regime


def test_bundled_default() -> None:
    config = PolicyConfig.default()
    assert config.regimes == [Regime.PROVIDER_CN]
    assert config.refusal_profile is Profile.PROVIDER
    assert config.verification.code_ttl_minutes == 10
    assert config.verification.max_attempts == 5
    assert config.unverified_expiry_days == 30
    assert config.repeats[Regime.GDPR][RequestType.ACCESS].fee == Decimal("10.00")
    assert config.timezones[Regime.CCPA] == "America/Los_Angeles"


def test_an_empty_mapping_is_all_defaults() -> None:
    assert PolicyConfig.loads("{}") == PolicyConfig()


def test_config_is_frozen() -> None:
    config = PolicyConfig()
    with pytest.raises(ValueError, match="frozen"):
        config.at_risk_days = 9


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("regimes: [gdpr, hipaa]\n", "p.yml:1: regimes.1: Input should be"),
        ("regimes: []\n", "p.yml:1: regimes: List should have at least 1 item"),
        ("currency: euro\n", "p.yml:1: currency: String should match pattern"),
        (
            "refusal_profile: strict\n",
            "p.yml:1: refusal_profile: Input should be 'provider' or 'gbt35273'",
        ),
        (
            "timezones:\n  gdpr: Mars/Olympus\n",
            "p.yml:2: timezones.gdpr: unknown timezone 'Mars/Olympus'",
        ),
        (
            "repeats:\n  gdpr:\n    access: {free: 1, then: fee}\n",
            "p.yml:3: repeats.gdpr.access: 'then: fee' needs a 'fee' amount",
        ),
        (
            "repeats:\n  gdpr:\n    access:\n      free: 1\n      then: refuse\n      fee: 2\n",
            "p.yml:4: repeats.gdpr.access: 'then: refuse' takes no 'fee'",
        ),
        (
            "repeats:\n  gdpr:\n    access: {free: 1, then: refuse, price: 3}\n",
            "p.yml:3: repeats.gdpr.access.price: unknown key 'price'",
        ),
        (
            "manual_approval:\n  erase: true\n",
            "p.yml:2: manual_approval.erase: Input should be 'access'",
        ),
        (
            "verification:\n  code_ttl_minutes: 0\n",
            "p.yml:2: verification.code_ttl_minutes: Input should be greater than or equal to 1",
        ),
        ("at_risk_days: -1\n", "p.yml:1: at_risk_days: Input should be greater than or equal to 0"),
        ("colour: blue\n", "p.yml:1: colour: unknown key 'colour'"),
        ("regimes: [gdpr\n", "p.yml:2: not valid YAML"),
        ("", "p.yml:1: the file is empty"),
    ],
)
def test_errors_name_file_line_and_field(text: str, message: str) -> None:
    with pytest.raises(PolicyFileError) as caught:
        PolicyConfig.loads(text, source="p.yml")
    assert message in str(caught.value)
    assert isinstance(caught.value, PolicyError)


def test_every_issue_is_reported_at_once() -> None:
    with pytest.raises(PolicyFileError) as caught:
        PolicyConfig.loads("currency: x\nat_risk_days: -1\n", source="p.yml")
    assert len(caught.value.issues) == 2


def test_load_from_file(tmp_path: Path) -> None:
    path = tmp_path / "policy.yml"
    path.write_text("regimes: [gdpr]\nrefusal_profile: gbt35273\n", encoding="utf-8")
    assert PolicyConfig.load(path).regimes == [Regime.GDPR]
    with pytest.raises(PolicyFileError, match="cannot read"):
        PolicyConfig.load(tmp_path / "missing.yml")


@pytest.mark.parametrize(
    ("request_type", "manual"),
    [
        (RequestType.ACCESS, False),
        (RequestType.CORRECT, False),
        (RequestType.DELETE, True),
        (RequestType.WITHDRAW_CONSENT, False),
        (RequestType.CANCEL_ACCOUNT, True),
        (RequestType.RESTRICT, False),
        (RequestType.OBJECT, False),
        (RequestType.PORTABILITY, False),
        (RequestType.OPT_OUT, False),
        (RequestType.LIMIT_SENSITIVE, False),
    ],
)
def test_manual_approval(request_type: RequestType, manual: bool) -> None:
    decision = Policy(PolicyConfig.default()).approval(request_type)
    assert decision.manual is manual
    assert request_type.value in decision.reasons[0]


def test_types_missing_from_manual_approval_are_automatic() -> None:
    assert not Policy(PolicyConfig()).approval(RequestType.DELETE).manual


@pytest.mark.parametrize(("days", "expired"), [(29, False), (30, True), (45, True)])
def test_unverified_expiry(days: int, expired: bool) -> None:
    received = datetime(2024, 1, 1, 9, tzinfo=UTC)
    decision = Policy(PolicyConfig.default()).unverified_expiry(
        received, received + timedelta(days=days)
    )
    assert decision.expired is expired
    assert decision.expires_at == received + timedelta(days=30)
    assert "30 days" in decision.reasons[0]


def test_grounds_follow_the_configured_profile() -> None:
    codes = {g.code for g in Policy(PolicyConfig(refusal_profile=Profile.GBT35273)).grounds()}
    assert "vital_interests" in codes
    assert "justified_reasons" not in codes

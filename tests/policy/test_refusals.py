"""Refusal grounds, their validation, and the remedies each regime requires (RSP-06/07/08)."""

from __future__ import annotations

import pytest

from rightsdesk.domain.errors import PolicyError
from rightsdesk.policy import GroundKind, Policy, PolicyConfig, Profile, Regime
from rightsdesk.policy.grounds import catalogue
from rightsdesk.policy.refusals import refuse
from rightsdesk.policy.remedies import remedies

WHY = "The export would require restoring archived backup tapes"
DISCRETIONARY = ["repeated", "disproportionate", "risk_to_others", "impractical"]
EXEMPTIONS = {
    Profile.PROVIDER: [
        "legal_obligation",
        "national_security",
        "public_interest",
        "criminal_justice",
        "malice_or_abuse",
        "serious_harm",
        "trade_secret",
        "justified_reasons",
    ],
    Profile.GBT35273: [
        "legal_obligation",
        "national_security",
        "public_interest",
        "criminal_justice",
        "malice_or_abuse",
        "vital_interests",
        "serious_harm",
        "trade_secret",
    ],
}


@pytest.mark.parametrize("profile", list(Profile))
def test_catalogue_per_profile(profile: Profile) -> None:
    grounds = catalogue(profile)
    by_kind = {kind: [g.code for g in grounds if g.kind is kind] for kind in GroundKind}
    assert by_kind[GroundKind.DISCRETIONARY] == DISCRETIONARY
    assert by_kind[GroundKind.EXEMPTION] == EXEMPTIONS[profile]
    assert by_kind[GroundKind.IDENTITY] == [
        "cannot_identify",
        "cannot_verify",
        "suspected_fraud",
        "agent_not_authorised",
    ]
    assert all(g.title_en and g.title_zh for g in grounds)


def test_gbt35273_titles_follow_the_standard() -> None:
    titles = [
        g.title("zh-CN") for g in catalogue(Profile.GBT35273) if g.kind is GroundKind.EXEMPTION
    ]
    assert titles[0] == "与个人信息控制者履行法律法规规定的义务相关的"
    assert (
        titles[5]
        == "出于维护个人信息主体或其他个人的生命、财产等重大合法权益但又很难得到本人授权同意的"
    )
    assert titles[7] == "涉及商业秘密的"


@pytest.mark.parametrize(
    ("profile", "code", "valid"),
    [
        (Profile.PROVIDER, "justified_reasons", True),
        (Profile.PROVIDER, "vital_interests", False),
        (Profile.GBT35273, "vital_interests", True),
        (Profile.GBT35273, "justified_reasons", False),
        (Profile.GBT35273, "impractical", True),
    ],
)
def test_profile_switch_changes_the_exemptions(profile: Profile, code: str, valid: bool) -> None:
    policy = Policy(PolicyConfig(refusal_profile=profile))
    if valid:
        assert policy.refusal(code, WHY).ground.code == code
    else:
        with pytest.raises(PolicyError, match="unknown refusal ground"):
            policy.refusal(code, WHY)


def test_unknown_code_lists_the_valid_ones() -> None:
    with pytest.raises(PolicyError) as caught:
        refuse(Profile.PROVIDER, "too_busy", WHY)
    message = str(caught.value)
    for code in [*DISCRETIONARY, *EXEMPTIONS[Profile.PROVIDER], "cannot_identify"]:
        assert code in message


@pytest.mark.parametrize(
    "justification",
    ["", "   ", "no", "not now", "商业秘密", "1 2"],
)
def test_justification_must_be_a_few_words(justification: str) -> None:
    with pytest.raises(PolicyError, match="justification"):
        refuse(Profile.PROVIDER, "trade_secret", justification)


@pytest.mark.parametrize(
    "justification", [WHY, "该请求涉及本公司的商业秘密", "Too many requests today"]
)
def test_substantive_justifications_pass(justification: str) -> None:
    refusal = refuse(Profile.PROVIDER, "repeated", justification)
    assert refusal.justification == justification
    assert f"justification: {justification}" in refusal.reasons


def test_partial_refusal_names_the_part() -> None:
    refusal = refuse(Profile.PROVIDER, "trade_secret", WHY, part=" risk-scoring model outputs ")
    assert refusal.partial
    assert refusal.part == "risk-scoring model outputs"
    assert "partial refusal: risk-scoring model outputs" in refusal.reasons
    with pytest.raises(PolicyError, match="name the part"):
        refuse(Profile.PROVIDER, "trade_secret", WHY, part=" ")


def test_costly_refusal_records_the_alternative() -> None:
    offered = refuse(Profile.PROVIDER, "impractical", WHY, alternative="a summary of the tapes")
    assert "alternative offered: a summary of the tapes" in offered.reasons
    missing = refuse(Profile.PROVIDER, "impractical", WHY)
    assert any("no alternative method offered" in r for r in missing.reasons)
    assert not refuse(Profile.PROVIDER, "trade_secret", WHY).partial


def test_cannot_identify_needs_a_recorded_demonstration() -> None:
    with pytest.raises(PolicyError, match="evidence"):
        refuse(Profile.PROVIDER, "cannot_identify", "No account matches the identifiers given")
    refusal = refuse(
        Profile.PROVIDER,
        "cannot_identify",
        "No account matches the identifiers given",
        evidence="search log 2024-05-01 over all systems, zero matches",
    )
    assert refusal.evidence is not None


def test_cannot_verify_is_available_in_every_profile() -> None:
    for profile in Profile:
        ground = refuse(profile, "cannot_verify", "Still unverified at day 45").ground
        assert ground.kind is GroundKind.IDENTITY


@pytest.mark.parametrize(
    ("regime", "locale", "codes", "phrase"),
    [
        (Regime.PROVIDER_CN, "en", ["complaint", "lawsuit"], "people's court"),
        (Regime.PROVIDER_CN, "zh-CN", ["complaint", "lawsuit"], "人民法院"),
        (Regime.GBT35273, "en", ["complaint_channel", "external_dispute"], "external dispute"),
        (Regime.GBT35273, "zh-CN", ["complaint_channel", "external_dispute"], "投诉渠道"),
        (Regime.GDPR, "en", ["supervisory_authority", "judicial_remedy"], "supervisory authority"),
        (Regime.GDPR, "zh-CN", ["supervisory_authority", "judicial_remedy"], "司法救济"),
        (
            Regime.CCPA,
            "en",
            ["compliance_and_basis", "cppa_or_attorney_general"],
            "California Privacy Protection Agency",
        ),
        (
            Regime.CCPA,
            "zh-CN",
            ["compliance_and_basis", "cppa_or_attorney_general"],
            "加州隐私保护局",
        ),
    ],
)
def test_remedies_per_regime(regime: Regime, locale: str, codes: list[str], phrase: str) -> None:
    found = remedies([regime], locale)
    assert [r.code for r in found] == codes
    assert all(r.regime is regime and r.basis for r in found)
    assert phrase in " ".join(r.text for r in found)


def test_remedies_for_several_regimes_and_the_default() -> None:
    both = Policy(PolicyConfig.default()).remedies([Regime.GDPR, Regime.PROVIDER_CN])
    assert {r.regime for r in both} == {Regime.GDPR, Regime.PROVIDER_CN}
    default = Policy(PolicyConfig.default()).remedies(locale="zh-CN")
    assert [r.code for r in default] == ["complaint", "lawsuit"]


def test_unknown_locale() -> None:
    with pytest.raises(PolicyError, match="zh-CN"):
        remedies([Regime.GDPR], "fr")

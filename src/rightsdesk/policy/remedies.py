"""The remedies a refusal must tell the person about, per regime, in English and Chinese."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rightsdesk.domain.errors import PolicyError
from rightsdesk.policy.regimes import Regime

LOCALES = ("en", "zh-CN")


@dataclass(frozen=True)
class Remedy:
    """One sentence the refusal must contain, with the rule that requires it."""

    regime: Regime
    code: str
    basis: str
    text: str


# (code, basis, English, Simplified Chinese)
_TEXTS: dict[Regime, tuple[tuple[str, str, str, str], ...]] = {
    Regime.PROVIDER_CN: (
        (
            "complaint",
            "PIPL Arts. 50, 65",
            "You may complain to or report us to the departments performing personal "
            "information protection duties.",
            "您可以向履行个人信息保护职责的部门投诉、举报。",
        ),
        (
            "lawsuit",
            "PIPL Art. 50",
            "You may file a lawsuit with a people's court.",
            "您可以依法向人民法院提起诉讼。",
        ),
    ),
    Regime.GBT35273: (
        (
            "complaint_channel",
            "GB/T 35273-2020 §8.7",
            "You may complain through our personal information complaint channel.",
            "您可以通过我们的个人信息投诉渠道进行投诉。",
        ),
        (
            "external_dispute",
            "GB/T 35273-2020 §8.7",
            "If you are not satisfied with our answer you may seek external dispute "
            "resolution, including a complaint to the regulator or a lawsuit.",
            "如对答复不满意，您可以通过外部途径解决争议，包括向监管部门投诉或向法院起诉。",  # noqa: RUF001
        ),
    ),
    Regime.GDPR: (
        (
            "supervisory_authority",
            "GDPR Arts. 12(4), 77",
            "You may lodge a complaint with a supervisory authority.",
            "您可以向数据保护监管机构投诉。",
        ),
        (
            "judicial_remedy",
            "GDPR Arts. 12(4), 79",
            "You may seek a judicial remedy.",
            "您可以寻求司法救济。",
        ),
    ),
    Regime.CCPA: (
        (
            "compliance_and_basis",
            "Civ. Code §1798.130; CCR §7021",
            "We tell you whether we complied with your request and the basis for any denial.",
            "我们会告知您是否已执行您的请求，以及拒绝的依据。",  # noqa: RUF001
        ),
        (
            "cppa_or_attorney_general",
            "Civ. Code §§1798.155, 1798.199.45",
            "You may file a complaint with the California Privacy Protection Agency or the "
            "California Attorney General.",
            "您可以向加州隐私保护局或加州总检察长投诉。",
        ),
    ),
}


def remedies(regimes: Iterable[Regime], locale: str = "en") -> tuple[Remedy, ...]:
    """Every remedy the applicable regimes require a refusal to state, in ``locale``."""
    if locale not in LOCALES:
        raise PolicyError(f"unknown locale {locale!r}; use one of: {', '.join(LOCALES)}")
    chosen = sorted(set(regimes))
    index = 2 if locale == "en" else 3
    return tuple(
        Remedy(regime, entry[0], entry[1], entry[index])
        for regime in chosen
        for entry in _TEXTS[regime]
    )

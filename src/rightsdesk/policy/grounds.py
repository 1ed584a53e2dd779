"""The catalogue of refusal grounds, as data, in two profiles (provider policy and GB/T 35273)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class GroundKind(StrEnum):
    DISCRETIONARY = "discretionary"  # the company may refuse; it must say why
    EXEMPTION = "exemption"  # the law says the company cannot respond
    IDENTITY = "identity"  # the person cannot be identified or verified


class Profile(StrEnum):
    """Which list of "cannot respond" exemptions applies."""

    PROVIDER = "provider"
    GBT35273 = "gbt35273"


@dataclass(frozen=True)
class Ground:
    """One refusal ground; ``needs_evidence`` grounds require a recorded demonstration."""

    code: str
    kind: GroundKind
    title_en: str
    title_zh: str
    needs_evidence: bool = False

    def title(self, locale: str) -> str:
        return self.title_zh if locale == "zh-CN" else self.title_en


D, E, ID = GroundKind.DISCRETIONARY, GroundKind.EXEMPTION, GroundKind.IDENTITY

DISCRETIONARY = (
    Ground("repeated", D, "Unreasonably repeated request", "无端重复的请求"),
    Ground(
        "disproportionate",
        D,
        "Requires disproportionate technical means (e.g. developing new systems or "
        "fundamentally changing existing practices)",
        "需要过多技术手段（例如需要开发新系统或从根本上改变现行惯例）",  # noqa: RUF001
    ),
    Ground(
        "risk_to_others",
        D,
        "Brings risks to the legitimate rights and interests of others",
        "给他人合法权益带来风险",
    ),
    Ground(
        "impractical",
        D,
        "Highly impractical (e.g. information stored on backup tapes)",
        "非常不切实际（例如涉及备份磁带上存放的信息）",  # noqa: RUF001
    ),
)

IDENTITY = (
    Ground(
        "cannot_identify",
        ID,
        "The person cannot be identified in the data we hold (GDPR Art. 11(2))",
        "无法在所持有的数据中识别出该个人",
        needs_evidence=True,
    ),
    Ground(
        "cannot_verify",
        ID,
        "The requester's identity could not be verified in time (CCR §7021(b))",
        "未能在期限内验证请求者身份",
    ),
    Ground(
        "suspected_fraud",
        ID,
        "We have a documented, good-faith belief that the request is fraudulent "
        "(CCR §§7026(e), 7027(f), 7061(b))",
        "我们有书面记录的合理依据认为该请求系欺诈",
        needs_evidence=True,
    ),
    Ground(
        "agent_not_authorised",
        ID,
        "The authorised agent did not show that the person gave them permission to act on "
        "their behalf (CCR §7063(c))",
        "代理人未能证明本人已授权其代为提出请求",
    ),
)

_LEGAL = Ground(
    "legal_obligation",
    E,
    "Relevant to our fulfilment of obligations stipulated by laws and regulations",
    "与个人信息控制者履行法律法规规定的义务相关的",
)
_SECURITY = Ground(
    "national_security",
    E,
    "Directly relevant to national security and national defence security",
    "与国家安全、国防安全直接相关的",
)
_PUBLIC = Ground(
    "public_interest",
    E,
    "Directly relevant to public security, public health and major public interests",
    "与公共安全、公共卫生、重大公共利益直接相关的",
)
_CRIMINAL = Ground(
    "criminal_justice",
    E,
    "Directly relevant to criminal investigation, prosecution, trial and sentence execution",
    "与刑事侦查、起诉、审判和执行判决等直接相关的",
)
_MALICE = Ground(
    "malice_or_abuse",
    E,
    "Sufficient evidence of subjective malice or abuse of rights",
    "个人信息控制者有充分证据表明个人信息主体存在主观恶意或滥用权利的",
)
_HARM = Ground(
    "serious_harm",
    E,
    "Responding would seriously damage the legitimate rights and interests of the person "
    "or of other individuals or organisations",
    "响应个人信息主体的请求将导致个人信息主体或其他个人、组织的合法权益受到严重损害的",
)
_SECRET = Ground("trade_secret", E, "Trade secrets are involved", "涉及商业秘密的")

EXEMPTIONS: dict[Profile, tuple[Ground, ...]] = {
    Profile.PROVIDER: (
        _LEGAL,
        _SECURITY,
        _PUBLIC,
        _CRIMINAL,
        _MALICE,
        _HARM,
        _SECRET,
        Ground(
            "justified_reasons",
            E,
            "Not accessible, obtainable, correctable, deletable or restrictable for justified "
            "reasons such as legal requirements, information security, service continuity or "
            "the normal performance of contracts",
            "因法律法规要求、信息安全保障、服务连续性或合同正常履行等正当理由，"  # noqa: RUF001
            "部分信息无法访问、获取、更正、删除或限制处理",
        ),
    ),
    Profile.GBT35273: (
        _LEGAL,
        _SECURITY,
        _PUBLIC,
        _CRIMINAL,
        _MALICE,
        Ground(
            "vital_interests",
            E,
            "To protect the life, property or other major legitimate rights of the person or "
            "others where the person's consent is hard to obtain",
            "出于维护个人信息主体或其他个人的生命、财产等重大合法权益但又很难得到本人授权同意的",
        ),
        _HARM,
        _SECRET,
    ),
}


def catalogue(profile: Profile) -> tuple[Ground, ...]:
    """Every ground usable under ``profile``: discretionary, its exemptions, identity."""
    return (*DISCRETIONARY, *EXEMPTIONS[profile], *IDENTITY)

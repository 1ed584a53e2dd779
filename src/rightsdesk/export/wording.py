"""The fixed words of an access answer's ``processing`` section and report.html, in en and zh-CN.

What the data map says (purpose descriptions, retention bases, the controller's name) is shown
as written there, in the one language it was written in.
"""

from __future__ import annotations

from rightsdesk.domain.periods import Period

LOCALES = ("en", "zh-CN")

_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "consent": "your consent (you may withdraw it at any time)",
        "contract": "performing our contract with you",
        "legal_obligation": "a legal obligation we are under",
        "vital_interests": "protecting someone's vital interests",
        "public_task": "a task in the public interest",
        "legitimate_interests": "our legitimate interests",
        "processor": "a processor acting on our instructions",
        "third_party": "a third party",
        "controller": "another controller (it decides how it uses the data)",
        "person": "collected from you",
        "observed": "recorded as you used the service",
        "derived": "derived by us from other data about you",
        "received_from": "received from {name}",
        "rule": "kept {period} from {start} because the law requires it: {basis}",
        "keep_for": "deleted {period} after {start}: {purpose}",
        "not_stated": "not stated in our data map",
        "no_purpose": "no purpose is declared for these records in our data map",
        "no_decisions": "our data map declares no automated decision-making about you",
        "access": "See the personal information we hold about you, with this information.",
        "correct": "Have inaccurate or incomplete information corrected or completed.",
        "delete": "Have your personal information deleted where the law allows.",
        "withdraw_consent": "Withdraw a consent, or change its scope, at any time.",
        "cancel_account": "Cancel your account.",
        "restrict": "Have the processing of your information restricted: kept, not used.",
        "object": "Object to processing based on our legitimate interests or for direct marketing.",
        "portability": "Receive the data you gave us in a reusable format, or have it sent "
        "to another company.",
        "other_right": "A request of type {type}.",
        "how": "{url}/v1/requests with type {type}, or ask us",
        # report.html
        "title": "Your personal information",
        "prepared": "Prepared for <b>{ids}</b> on {generated}. The complete data is in "
        "<code>data.json</code> and one CSV file per table.",
        "where": "Where",
        "records": "Records",
        "none": "No records.",
        "showing": "Showing {shown} of {count} records; all are in data.json.",
        "processing": "How we process it",
        "category": "Information",
        "held_in": "Held in",
        "purposes": "Purposes and legal basis",
        "recipients": "Recipients",
        "retention": "How long",
        "source": "Source",
        "rights": "Your rights and how to use them",
        "complaints": "Complaints",
        "decisions": "Automated decisions",
        "responsible": "Who is responsible",
        "nobody": "nobody",
        "held_apart": "Held apart",
        "held_restriction": "restricted at your request ({ground}) since {since}: we only "
        "store it and use it for nothing else until the restriction is lifted, which we will "
        "tell you first",
        "held_part": "not deleted with the rest of your request {request}: kept as it is, still "
        "linked to you, until this ground ends: {title}",
    },
    "zh-CN": {
        "consent": "您的同意（您可以随时撤回）",  # noqa: RUF001
        "contract": "履行与您订立的合同所必需",
        "legal_obligation": "履行法定职责或法定义务所必需",
        "vital_interests": "保护自然人的生命健康和财产安全所必需",
        "public_task": "为公共利益实施的行为",
        "legitimate_interests": "我们的正当利益",
        "processor": "受托处理者（按我们的指示处理）",  # noqa: RUF001
        "third_party": "第三方",
        "controller": "其他个人信息处理者（自行决定处理方式）",  # noqa: RUF001
        "person": "向您收集",
        "observed": "在您使用服务时记录",
        "derived": "由我们根据您的其他信息推导",
        "received_from": "从{name}获得",
        "rule": "依法自{start}起保存{period}：{basis}",  # noqa: RUF001
        "keep_for": "自{start}起{period}后删除：{purpose}",  # noqa: RUF001
        "not_stated": "我们的数据地图未载明",
        "no_purpose": "我们的数据地图未载明这些记录的处理目的",
        "no_decisions": "我们的数据地图未载明对您的自动化决策",
        "access": "查阅、复制我们持有的您的个人信息及本处理说明。",
        "correct": "更正、补充不准确或不完整的个人信息。",
        "delete": "在法律允许的情况下删除您的个人信息。",
        "withdraw_consent": "随时撤回同意或改变授权范围。",
        "cancel_account": "注销您的账户。",
        "restrict": "限制对您个人信息的处理：仅保存，不作其他使用。",  # noqa: RUF001
        "object": "拒绝基于我们正当利益的处理或直接营销。",
        "portability": "以通用格式获取您提供的个人信息，或将其转移至其他个人信息处理者。",  # noqa: RUF001
        "other_right": "{type}类请求。",
        "how": "{url}/v1/requests，类型为 {type}，或联系我们",  # noqa: RUF001
        "title": "您的个人信息",
        "prepared": "为 <b>{ids}</b> 于 {generated} 生成。完整数据见 <code>data.json</code> "
        "及每张表一个 CSV 文件。",
        "where": "位置",
        "records": "记录数",
        "none": "没有记录。",
        "showing": "显示 {count} 条记录中的 {shown} 条；全部记录见 data.json。",  # noqa: RUF001
        "processing": "我们如何处理",
        "category": "信息类别",
        "held_in": "存放位置",
        "purposes": "处理目的和法律依据",
        "recipients": "接收方",
        "retention": "保存期限",
        "source": "来源",
        "rights": "您的权利及行使方式",
        "complaints": "投诉",
        "decisions": "自动化决策",
        "responsible": "个人信息处理者",
        "nobody": "无",
        "held_apart": "单独保留的信息",
        "held_restriction": (
            "应您的要求自{since}起限制处理（{ground}）：在解除限制前我们仅作存储、"  # noqa: RUF001
            "不作他用，解除前会事先通知您"  # noqa: RUF001
        ),
        "held_part": (
            "您的请求 {request} 中未予删除的部分："  # noqa: RUF001
            "在下列理由消除前原样保留，仍与您关联：{title}"  # noqa: RUF001
        ),
    },
}

_UNITS = {
    "en": (("year", "years"), ("month", "months"), ("day", "days")),
    "zh-CN": (("年", "年"), ("个月", "个月"), ("天", "天")),
}


def words(locale: str) -> dict[str, str]:
    """The words of ``locale``; an unknown one gets English (the request's locale is checked)."""
    return _WORDS.get(locale, _WORDS["en"])


def period(value: Period, locale: str) -> str:
    """``10y`` as "10 years" / "10年"."""
    units = _UNITS.get(locale, _UNITS["en"])
    amounts = (value.years, value.months, value.days)
    gap = "" if locale == "zh-CN" else " "
    named = zip(amounts, units, strict=True)
    parts = [f"{n}{gap}{u[0] if n == 1 else u[1]}" for n, u in named if n]
    return (" " if gap else "").join(parts) or f"0{gap}{units[2][1]}"

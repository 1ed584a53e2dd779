"""Locale fallback and the locale-specific wording of request types and dates."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

_TRADITIONAL = frozenset({"hant", "tw", "hk", "mo"})
_BEIJING = timezone(timedelta(hours=8))
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

#: How each request type reads inside a sentence, per locale.
REQUEST_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "access": "access to your personal information",
        "correct": "correction of your personal information",
        "delete": "deletion of your personal information",
        "withdraw_consent": "withdrawal or change of your consent",
        "cancel_account": "cancellation of your account",
        "restrict": "restriction of the processing of your personal information",
        "object": "objection to the processing of your personal information",
        "portability": "a copy of your personal information to take elsewhere",
        "opt_out": "opting out of the sale or sharing of your personal information",
        "limit_sensitive": "limiting the use of your sensitive personal information",
    },
    "zh-CN": {
        "access": "查阅、复制您的个人信息",
        "correct": "更正、补充您的个人信息",
        "delete": "删除您的个人信息",
        "withdraw_consent": "撤回或变更您的授权同意",
        "cancel_account": "注销您的账号",
        "restrict": "限制处理您的个人信息",
        "object": "拒绝处理您的个人信息",
        "portability": "获取或转移您的个人信息副本",
        "opt_out": "拒绝出售或共享您的个人信息",
        "limit_sensitive": "限制使用您的敏感个人信息",
    },
}


def resolve_locale(locale: str | None, default: str = "en") -> str:
    """``zh``, ``zh-CN``, ``zh-Hans`` (any Simplified Chinese tag) give zh-CN; anything else en."""
    tag = (locale or default or "en").replace("_", "-").lower().split("-")
    if tag[0] == "zh" and not _TRADITIONAL.intersection(tag[1:]):
        return "zh-CN"
    return "en"


def request_label(request_type: object, locale: str) -> str:
    """The request type as a phrase in ``locale``; KeyError names the unknown type."""
    value = str(getattr(request_type, "value", request_type))
    labels = REQUEST_LABELS[resolve_locale(locale)]
    if value not in labels:
        raise KeyError(f"unknown request type {value!r}; known: {', '.join(labels)}")
    return labels[value]


def format_when(value: object, locale: str) -> str:
    """A date or datetime (or its ISO text) as people write it in ``locale``; other text as is."""
    moment = _parse(value)
    if moment is None:
        return str(value)
    chinese = resolve_locale(locale) == "zh-CN"
    if not isinstance(moment, datetime):
        return _day(moment, chinese)
    if chinese and moment.tzinfo is not None:
        moment = moment.astimezone(_BEIJING)
    clock = f"{moment:%H:%M}"
    if chinese:
        zone = "（北京时间）" if moment.tzinfo is not None else ""  # noqa: RUF001
        return f"{_day(moment, chinese)} {clock}{zone}"
    return f"{_day(moment, chinese)}, {clock}{_zone(moment)}"


def _parse(value: object) -> date | None:
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _day(day: date, chinese: bool) -> str:
    if chinese:
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _zone(moment: datetime) -> str:
    offset = moment.utcoffset()
    if offset is None:
        return ""
    if not offset:
        return " UTC"
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f" UTC{sign}{hours:02d}:{rest:02d}"

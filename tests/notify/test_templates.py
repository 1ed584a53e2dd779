"""Every kind renders in both locales with the variables the service passes, and strictly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rightsdesk.domain.requests import RequestType
from rightsdesk.notify import KINDS, LOCALES, RenderError, render, render_sms, resolve_locale
from rightsdesk.notify.locales import REQUEST_LABELS, format_when
from rightsdesk.policy.regimes import Regime
from rightsdesk.policy.remedies import remedies
from tests.notify.samples import SAMPLES

BUNDLED = Path(__file__).resolve().parents[2] / "src" / "rightsdesk" / "notify" / "templates"
CASES = [(kind, locale) for kind in KINDS for locale in LOCALES]
#: Variables that may be left out on purpose (the template then says something generic).
OPTIONAL = {"ground", "partial", "retained", "on_behalf"}


def test_samples_cover_every_kind() -> None:
    assert set(SAMPLES) == set(KINDS)


@pytest.mark.parametrize("locale", LOCALES)
def test_bundled_templates_are_exactly_the_kinds(locale: str) -> None:
    files = {p.name.split(".")[0] for p in (BUNDLED / locale).glob("*.txt")}
    assert files == set(KINDS)


@pytest.mark.parametrize(("kind", "locale"), CASES)
def test_every_kind_renders_a_subject_and_a_body(kind: str, locale: str) -> None:
    subject, body = render(kind, locale, SAMPLES[kind])
    assert subject and "\n" not in subject
    assert SAMPLES[kind]["request_id"] in subject + body
    assert body.endswith("\n") and "\n\n\n" not in body
    assert "{{" not in body and "{%" not in body


@pytest.mark.parametrize(("kind", "locale"), CASES)
def test_every_kind_also_renders_as_sms(kind: str, locale: str) -> None:
    text = render_sms(kind, locale, SAMPLES[kind])
    assert SAMPLES[kind]["request_id"] in text


@pytest.mark.parametrize(
    ("kind", "locale", "missing"),
    [
        (kind, locale, name)
        for kind, locale in CASES
        for name in SAMPLES[kind]
        if name not in OPTIONAL
    ],
)
def test_a_missing_variable_is_an_error_naming_it(kind: str, locale: str, missing: str) -> None:
    context = {k: v for k, v in SAMPLES[kind].items() if k != missing}
    with pytest.raises(RenderError, match=f"missing context variable: '{missing}'"):
        render(kind, locale, context)


@pytest.mark.parametrize("locale", LOCALES)
def test_an_unknown_kind_is_an_error_listing_the_kinds(locale: str) -> None:
    with pytest.raises(RenderError, match="unknown kind; known kinds: acknowledged"):
        render("welcome", locale, {})


@pytest.mark.parametrize("kind", ["../secrets", "Verified", "a/b", ""])
def test_a_kind_is_never_a_path(kind: str) -> None:
    with pytest.raises(RenderError, match="lower-case letters"):
        render(kind, "en", {})


@pytest.mark.parametrize(
    ("regimes", "locale"),
    [(regimes, locale) for regimes in [[r] for r in Regime] + [list(Regime)] for locale in LOCALES],
)
def test_the_refusal_states_every_remedy_passed_in(regimes: list[Regime], locale: str) -> None:
    given = remedies(regimes, locale)
    _, body = render("refused", locale, {**SAMPLES["refused"], "remedies": given})
    for remedy in given:
        assert remedy.text in body


@pytest.mark.parametrize("locale", LOCALES)
def test_a_refusal_without_remedies_is_an_error(locale: str) -> None:
    with pytest.raises(RenderError, match="'remedies' must not be empty"):
        render("refused", locale, {**SAMPLES["refused"], "remedies": ()})


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        ("en", ["We cannot fulfil part of request", "Your chat logs", "Show them on screen"]),
        ("zh-CN", ["部分无法办理", "Your chat logs", "Show them on screen"]),
    ],
)
def test_a_partial_refusal_names_the_part_and_the_alternative(
    locale: str, words: list[str]
) -> None:
    context = {**SAMPLES["refused"], "part": "Your chat logs", "alternative": "Show them on screen"}
    context["remedies"] = ["A plain string remedy works too."]
    subject, body = render("refused", locale, context)
    for word in words:
        assert word in subject + body
    assert "A plain string remedy works too." in body


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        ("en", ["https://example.test/dl", "1 June 2024, 12:00 UTC", "shop.orders", "RC-77"]),
        ("zh-CN", ["https://example.test/dl", "2024年6月1日 20:00", "shop.orders", "RC-77"]),
    ],
)
def test_an_access_completion_links_the_download_and_its_expiry(
    locale: str, words: list[str]
) -> None:
    context = {
        **SAMPLES["completed"],
        "request_type": "access",
        "download_url": "https://example.test/dl",
        "expires_at": "2024-06-01T12:00+00:00",
    }
    _, body = render("completed", locale, context)
    for word in words:
        assert word in body


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        ("en", ["RC-77", "shop.orders (3 records): Tax law: invoices, kept until 1 January 2031"]),
        ("zh-CN", ["RC-77", "shop.orders（3条记录）：Tax law: invoices，保留至2031年1月1日"]),  # noqa: RUF001
    ],
)
def test_a_deletion_completion_states_the_receipt_and_what_was_kept(
    locale: str, words: list[str]
) -> None:
    _, body = render("completed", locale, SAMPLES["completed"])
    for word in words:
        assert word in body


@pytest.mark.parametrize(("kind", "locale"), [("completed", loc) for loc in LOCALES])
def test_a_download_link_needs_its_expiry(kind: str, locale: str) -> None:
    context = {**SAMPLES[kind], "request_type": "access", "download_url": "https://x.test/dl"}
    with pytest.raises(RenderError, match="'expires_at'"):
        render(kind, locale, context)


@pytest.mark.parametrize(
    ("request_type", "locale"), [(t, loc) for t in RequestType for loc in LOCALES]
)
def test_every_request_type_reads_naturally(request_type: RequestType, locale: str) -> None:
    for kind in ("acknowledged", "step_up", "completed"):
        context: dict[str, Any] = {**SAMPLES[kind], "request_type": request_type}
        subject, body = render(kind, locale, context)
        assert REQUEST_LABELS[locale][request_type.value] in body
        assert "RequestType" not in subject + body
        if locale != "en" or "_" in request_type.value:
            assert request_type.value not in subject + body


@pytest.mark.parametrize(
    ("locale", "label"),
    [("en", "access to your personal information"), ("zh-CN", "查阅、复制您的个人信息")],
)
def test_access_is_labelled_as_specified(locale: str, label: str) -> None:
    assert label in render("verified", locale, {**SAMPLES["verified"], "request_type": "access"})[1]


def test_an_unknown_request_type_is_an_error() -> None:
    with pytest.raises(RenderError, match="unknown request type 'teleport'"):
        render("verified", "en", {**SAMPLES["verified"], "request_type": "teleport"})


@pytest.mark.parametrize(
    ("verification", "en_words"),
    [
        ("email", "to the email address you gave us"),
        ("sms", "by text message"),
        ("host_token", "already verified"),
        ("other", "contact details already linked"),
    ],
)
def test_the_acknowledgement_states_the_verification_process(
    verification: str, en_words: str
) -> None:
    context = {**SAMPLES["acknowledged"], "verification": verification}
    _, body = render("acknowledged", "en", context)
    assert en_words in body and "14 June 2024" in body
    assert "2024年6月14日" in render("acknowledged", "zh-CN", context)[1]


@pytest.mark.parametrize("locale", LOCALES)
def test_the_code_message_never_asks_for_more_data(locale: str) -> None:
    never = {"en": "never ask you for other personal data", "zh-CN": "不会"}[locale]
    for text in (
        render("verification_code", locale, SAMPLES["verification_code"])[1],
        render_sms("verification_code", locale, SAMPLES["verification_code"]),
    ):
        assert "482913" in text and "10" in text and never in text


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("zh", "zh-CN"),
        ("zh-CN", "zh-CN"),
        ("zh_CN", "zh-CN"),
        ("zh-Hans", "zh-CN"),
        ("zh-Hans-CN", "zh-CN"),
        ("ZH-cn", "zh-CN"),
        ("zh-TW", "en"),
        ("zh-Hant", "en"),
        ("en", "en"),
        ("en-GB", "en"),
        ("fr", "en"),
        (None, "en"),
        ("", "en"),
    ],
)
def test_locale_fallback(locale: str | None, expected: str) -> None:
    assert resolve_locale(locale) == expected


@pytest.mark.parametrize(
    ("value", "locale", "expected"),
    [
        ("2024-06-14", "en", "14 June 2024"),
        ("2024-06-14", "zh-CN", "2024年6月14日"),
        ("2024-06-01T12:00+00:00", "en", "1 June 2024, 12:00 UTC"),
        ("2024-06-01T12:00+05:30", "en", "1 June 2024, 12:00 UTC+05:30"),
        ("2024-06-01T20:00:00", "en", "1 June 2024, 20:00"),
        ("2024-06-01T12:00+00:00", "zh-CN", "2024年6月1日 20:00（北京时间）"),  # noqa: RUF001
        ("within 30 days", "en", "within 30 days"),
    ],
)
def test_dates_read_as_people_write_them(value: str, locale: str, expected: str) -> None:
    assert format_when(value, locale) == expected


def test_an_override_folder_wins_and_the_rest_falls_back(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "verified.txt").write_text(
        "Subject: Verified at ACME ({{ request_id }})\n\nHi from ACME.\n", encoding="utf-8"
    )
    assert render("verified", "en", SAMPLES["verified"], templates=tmp_path) == (
        "Verified at ACME (R-2024-0001)",
        "Hi from ACME.\n",
    )
    assert render("verified", "zh-CN", SAMPLES["verified"], templates=tmp_path)[0].startswith(
        "身份验证成功"
    )
    assert "ACME" not in render("cancelled", "en", SAMPLES["cancelled"], templates=tmp_path)[1]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("Hello {{ request_id }}\n\nbody", "must start with a 'Subject: ...' line"),
        ("Subject: x\nno blank line", "must start with a 'Subject: ...' line"),
        ("Subject: {% if %}\n\nbody", "verified.txt:1"),
    ],
)
def test_a_malformed_override_is_a_clear_error(tmp_path: Path, text: str, error: str) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "verified.txt").write_text(text, encoding="utf-8")
    with pytest.raises(RenderError, match=error.replace("(", r"\(").replace(")", r"\)")):
        render("verified", "en", SAMPLES["verified"], templates=tmp_path)


FOLLOW = "https://privacy.example.com/requests/r1/open?token=abc"


@pytest.mark.parametrize(("kind", "locale"), CASES)
def test_every_message_to_the_person_ends_with_its_follow_link_once(kind: str, locale: str) -> None:
    _, body = render(kind, locale, {**SAMPLES[kind], "follow_url": FOLLOW})
    assert body.count(FOLLOW) == 1, body
    if kind == "fee_quote":  # the template places it itself, where it says how to accept
        assert f"{FOLLOW} " in body  # in the sentence, not the footer
    else:
        assert body.rstrip().splitlines()[-2].endswith(FOLLOW)
    _, without = render(kind, locale, SAMPLES[kind])
    assert "open?token=" not in without


@pytest.mark.parametrize("locale", LOCALES)
def test_a_recipient_notice_names_identities_as_kind_and_value(locale: str) -> None:
    details = {"identities": {"email": "a@b.c", "phone": "13800138000"}, "collections": ["x.y"]}
    _, body = render("recipient_notice", locale, SAMPLES["recipient_notice"] | {"details": details})
    lines = [line for line in body.splitlines() if line.startswith("- ")]
    assert len(lines) == 2, body  # one line per detail
    assert "x.y" in lines[0] and "email=a@b.c" in lines[1] and "phone=13800138000" in lines[1]
    assert "{'" not in body and "['" not in body  # never a Python dict or list as typed

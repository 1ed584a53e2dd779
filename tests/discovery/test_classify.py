"""Classifying whole columns: shares, hints, free text, secrets, and bounded work."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from rightsdesk.discovery import ColumnFinding, classify_column
from tests.discovery.factories import resident_id, wrong_check

BCRYPT = "$2b$12$" + "R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW"


def ids(n: int) -> list[str]:
    start = date(1970, 1, 1)
    return [resident_id("440305", start + timedelta(days=i * 37), i % 1000) for i in range(n)]


def kinds(finding: ColumnFinding) -> dict[str, float]:
    return {k.detector: k.confidence for k in finding.kinds}


def test_a_resident_id_column_carries_evidence_and_examples() -> None:
    values = ids(412) + ["unknown"] * 88
    finding = classify_column("id_card", values)
    best = finding.best
    assert best is not None
    assert (best.detector, best.category) == ("cn_resident_id", "user.government_id.national_id")
    assert (best.matched, best.checked) == (412, 500)
    assert best.evidence == (
        "412/500 values are valid 18-digit resident ID numbers (check digit OK); "
        "column name 'id_card' hints 'id_card'"
    )
    assert len(best.examples) == 3
    assert 0.8 < best.confidence <= 1.0


def test_order_numbers_with_wrong_check_digits_are_not_resident_ids() -> None:
    finding = classify_column("order_no", [wrong_check(v) for v in ids(200)])
    assert "cn_resident_id" not in kinds(finding)


def test_a_mixed_column_reports_each_kind_by_its_share() -> None:
    values = ["li.wei@example.com"] * 60 + ["13800138000"] * 30 + ["n/a"] * 10
    finding = classify_column("contact_value", values)
    scores = kinds(finding)
    assert list(scores)[:2] == ["email", "phone"]
    assert scores["email"] == pytest.approx(0.6 * 0.95, abs=0.01)
    assert scores["phone"] == pytest.approx(0.3 * 0.85, abs=0.01)
    assert not finding.free_text and not finding.secret


def test_a_mobile_column_is_phone_numbers() -> None:
    finding = classify_column("mobile", ["13800138000", "+8613912345678", "15012345678"] * 50)
    assert finding.best is not None
    assert finding.best.detector == "phone"
    assert finding.best.confidence == 1.0
    assert "column name 'mobile' hints 'mobile'" in finding.best.evidence


def test_a_free_text_column_reports_every_kind_inside_it() -> None:
    tickets = [
        "I cannot log in since yesterday, please help me reset my account",
        "My email is li.wei@example.com and the reset link never arrives",
        "Please call me back on 13800138000 about the refund for last month",
        "你好，我的账单金额不对，请尽快处理一下，谢谢你们的客服团队",  # noqa: RUF001
    ] * 25
    finding = classify_column("body", tickets)
    assert finding.free_text
    assert {"email", "phone"} <= set(kinds(finding))
    assert "person_name" not in kinds(finding)  # too weak to search for inside text
    email = next(k for k in finding.kinds if k.detector == "email")
    assert email.evidence.startswith("25/100 free-text values contain email addresses")
    assert email.examples == ("li.wei@example.com",)


def test_a_password_hash_column_is_secret_and_keeps_no_values() -> None:
    finding = classify_column("password_hash", [BCRYPT] * 20 + ["5f4dcc3b5aa765d61d8327deb882cf99"])
    assert finding.secret
    assert finding.best is not None
    assert finding.best.detector == "secret"
    assert finding.best.category == "user.authorization.credentials"
    assert all(k.examples == () for k in finding.kinds)
    assert all(BCRYPT not in k.evidence and "5f4dcc" not in k.evidence for k in finding.kinds)


@pytest.mark.parametrize("values", [[], [None, "", "   "]])
def test_an_empty_column_reports_nothing(values: list[str | None]) -> None:
    assert classify_column("notes", values) == ColumnFinding("notes", (), False, False)


def test_an_empty_column_with_a_telling_name_reports_the_hint_alone() -> None:
    finding = classify_column("email", [None, None])
    assert [(k.detector, k.confidence, k.checked) for k in finding.kinds] == [("email", 0.3, 0)]
    assert finding.kinds[0].evidence.startswith("no non-empty values sampled")


def test_a_hint_contradicted_by_every_value_is_dropped() -> None:
    assert classify_column("email_verified", ["true", "false"] * 10).kinds == ()


def test_dates_are_birth_dates_only_under_a_hint() -> None:
    dates = ["1990-03-07", "1985-12-31", "2001-06-15"] * 10
    assert "date_of_birth" in kinds(classify_column("birthday", dates))
    assert "date_of_birth" not in kinds(classify_column("created_on", dates))


def test_a_million_values_are_streamed_with_sample_bounding_the_work() -> None:
    consumed = 0

    def stream() -> Iterator[str]:
        nonlocal consumed
        for i in range(1_000_000):
            consumed += 1
            yield f"user{i}@example.com"

    finding = classify_column("email", stream(), sample=500)
    assert consumed <= 501
    assert finding.best is not None
    assert (finding.best.matched, finding.best.checked) == (500, 500)
    assert len(finding.best.examples) == 3


def test_a_sparse_column_stops_after_ten_times_the_sample() -> None:
    values = itertools.chain(itertools.repeat(None, 1_000_000), ["li.wei@example.com"])
    finding = classify_column("email", values, sample=100)
    assert finding.kinds[0].checked == 0


def test_sample_must_be_positive() -> None:
    with pytest.raises(ValueError, match="sample"):
        classify_column("x", ["a"], sample=0)


def test_a_column_of_random_tokens_is_not_free_text() -> None:
    """Long hex tokens hide digit runs that look like phone numbers; they are no free text."""
    values = [f"{n:02d}a9f13800138000{n:02d}c0ffee4b2d8e7f6a5b4c3d2e1f" for n in range(20)]
    finding = classify_column("seed", values)
    assert not finding.free_text
    assert finding.tokens == finding.distinct == finding.checked == 20
    assert finding.best is None

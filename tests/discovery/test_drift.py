"""``diff``: drift between a generated data map and the live schema after it moved."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from rightsdesk.datamap import DataMap, loads
from rightsdesk.discovery.drafting.generate import generate
from rightsdesk.discovery.drift import Drift, diff
from tests.discovery.test_generate import BACKENDS, PEOPLE, build_shop


@pytest.fixture(params=BACKENDS)
def shop(request: pytest.FixtureRequest) -> tuple[str, DataMap]:
    url: str = request.getfixturevalue(request.param)
    build_shop(url)
    return url, loads(generate(url, system="shop", sample=100).yaml_text, env={})


def run(url: str, *statements: str) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.execute(sa.text(statement))
    finally:
        engine.dispose()


def by_where(drifts: list[Drift]) -> dict[str, Drift]:
    return {d.where: d for d in drifts}


def test_a_fresh_map_has_no_drift(shop: tuple[str, DataMap]) -> None:
    assert diff(shop[1], sample=100) == []


def test_a_new_column_of_emails_is_reported(shop: tuple[str, DataMap]) -> None:
    url, datamap = shop
    run(
        url,
        "ALTER TABLE users ADD COLUMN backup_contact VARCHAR(120)",
        "UPDATE users SET backup_contact = 'backup' || CAST(id AS VARCHAR(10)) || '@example.org'",
    )
    drift = by_where(diff(datamap, sample=100))["users.backup_contact"]
    assert (drift.kind, drift.severity) == ("unmapped_column", "warning")
    assert "user.contact.email" in drift.message and f"{PEOPLE}/{PEOPLE}" in drift.message


def test_a_new_table_with_personal_data_is_reported(shop: tuple[str, DataMap]) -> None:
    url, datamap = shop
    run(
        url,
        "CREATE TABLE newsletter (id INTEGER PRIMARY KEY, address VARCHAR(120))",
        "INSERT INTO newsletter VALUES (1, 'a@example.com'), (2, 'b@example.com')",
    )
    drift = by_where(diff(datamap, sample=100))["newsletter"]
    assert drift.kind == "unmapped_table" and "address (user.contact.email" in drift.message


def test_a_renamed_column_is_reported_with_the_likely_new_name(shop: tuple[str, DataMap]) -> None:
    url, datamap = shop
    run(url, "ALTER TABLE users RENAME COLUMN phone TO phone_number")
    drifts = by_where(diff(datamap, sample=100))
    gone = drifts["users.phone"]
    assert (gone.kind, gone.severity) == ("missing_column", "error")
    assert "renamed to 'phone_number'?" in gone.message
    assert "user.contact.phone_number like the mapped field" in gone.message
    assert drifts["users.phone_number"].kind == "unmapped_column"


def test_a_dropped_column_without_a_lookalike_has_no_suggestion(shop: tuple[str, DataMap]) -> None:
    url, datamap = shop
    run(url, "ALTER TABLE logins DROP COLUMN ip")
    drift = by_where(diff(datamap, sample=100))["logins.ip"]
    assert drift.kind == "missing_column" and "renamed" not in drift.message


def test_references_into_a_dropped_table_are_gone(shop: tuple[str, DataMap]) -> None:
    url, datamap = shop
    cascade = " CASCADE" if url.startswith("postgresql") else ""
    run(url, "DROP TABLE addresses", f"DROP TABLE users{cascade}")
    drifts = diff(datamap, sample=100)
    kinds = {(d.kind, d.where) for d in drifts}
    assert ("missing_table", "users") in kinds and ("missing_table", "addresses") in kinds
    gone = {d.where for d in drifts if d.kind == "reference_gone"}
    assert gone == {"orders.user_id", "tickets.user_id", "logins.user_id"}


def test_an_inferred_reference_whose_values_drifted_is_reported(shop: tuple[str, DataMap]) -> None:
    url, datamap = shop
    run(url, "UPDATE logins SET user_id = user_id + 1000")
    drift = by_where(diff(datamap, sample=100))["logins.user_id"]
    assert drift.kind == "reference_gone" and f"0/{PEOPLE} sampled values" in drift.message

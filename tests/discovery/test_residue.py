"""The residue scanner: what an erasure left behind, found on every backend in one pass."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from rightsdesk.discovery.patterns import Matcher, forms, needle_kind
from rightsdesk.discovery.residue import ResidueReport, scan
from rightsdesk.domain.errors import ConnectorError

LI_WEI = ("li.wei@example.com", "Li Wei", "李伟", "+86 138 0013 8000", "Room 5/12, 8 Jianguo Road")
ZHANG = ("zhang.min@example.cn", "Zhang Min", "110105199003071234")
SMITH = ("jo.smith@example.org", "Jo Smith")
BATCH = {"s1": LI_WEI, "s2": ZHANG, "s3": SMITH}


def _metadata() -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table(
        "customers",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(200)),
        sa.Column("age", sa.Integer),
    )
    sa.Table(
        "support_notes",  # not in any data map
        metadata,
        sa.Column("note_id", sa.Integer, primary_key=True),
        sa.Column("body", sa.Text),
    )
    sa.Table(
        "events",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("payload", sa.JSON),
        sa.Column("payload_b", sa.JSON().with_variant(postgresql.JSONB(), "postgresql")),
    )
    sa.Table("audit_log", metadata, sa.Column("line", sa.String(500)))  # no primary key
    return metadata


def _database(url: str, rows: Mapping[str, list[dict[str, Any]]]) -> None:
    """Create the tables and insert ``rows`` as given (JSON cells as raw JSON text)."""
    engine = sa.create_engine(url)
    try:
        metadata = _metadata()
        metadata.create_all(engine)
        with engine.begin() as conn:
            for name, table_rows in rows.items():
                for row in table_rows:
                    columns = ", ".join(row)
                    values = ", ".join(
                        _json_param(conn, k) if k.startswith("payload") else f":{k}" for k in row
                    )
                    conn.execute(sa.text(f"INSERT INTO {name} ({columns}) VALUES ({values})"), row)
    finally:
        engine.dispose()


def _json_param(conn: sa.Connection, name: str) -> str:
    return f"CAST(:{name} AS JSON)" if conn.dialect.name == "postgresql" else f":{name}"


@contextmanager
def _selects() -> Iterator[Counter[str]]:
    """Count the statements that read each table, on every connection: SQLAlchemy's own and
    the raw driver cursors a whole-table scan streams on."""
    counts: Counter[str] = Counter()
    pattern = re.compile(r"\bFROM\s+[`\"]?(\w+)", re.I)
    compile_ = sa.sql.Select.compile

    def count(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        counts.update(pattern.findall(statement))

    def compiled(self: sa.sql.Select[Any], *args: Any, **kwargs: Any) -> Any:
        found = compile_(self, *args, **kwargs)  # the raw scans compile, then run, each once
        counts.update(pattern.findall(str(found)))
        return found

    sa.event.listen(sa.Engine, "before_cursor_execute", count)
    sa.sql.Select.compile = compiled  # type: ignore[method-assign]
    try:
        yield counts
    finally:
        sa.sql.Select.compile = compile_  # type: ignore[method-assign]
        sa.event.remove(sa.Engine, "before_cursor_execute", count)


def _where(report: ResidueReport) -> set[tuple[str, str, str, str]]:
    """(subject, table, column, key as JSON) of every finding."""
    return {
        (f.subject, f.table, f.column, json.dumps(f.to_json()["key"], sort_keys=True))
        for f in report.findings
    }


def _no_personal_data(report: ResidueReport) -> None:
    text = json.dumps(report.to_json(), ensure_ascii=False)
    for value in (*LI_WEI, *ZHANG, *SMITH, "li.wei", "Li Wei"):
        assert value.lower() not in text.lower()


def test_a_residue_in_an_unmapped_free_text_column_is_found(db_url: str) -> None:
    _database(
        db_url,
        {
            "customers": [{"id": 1, "email": "someone.else@example.com", "age": 30}],
            "support_notes": [
                {"note_id": 7, "body": "Called Li Wei on +86 138 0013 8000 about a refund."},
                {"note_id": 8, "body": "Nothing personal here."},
            ],
        },
    )
    report = scan(db_url, {"s1": LI_WEI})
    assert _where(report) == {("s1", "support_notes", "body", '{"note_id": 7}')}
    assert {f.needle_kind for f in report.findings} == {"text", "phone"}
    assert {f.form for f in report.findings} == {"plain"}
    _no_personal_data(report)


def test_json_columns_are_searched_in_plain_and_escaped_forms(db_url: str) -> None:
    payload = json.dumps(
        {"name": "李伟", "email": "li.wei@example.com", "home": "Room 5/12, 8 Jianguo Road"}
    ).replace("/", "\\/")  # \uXXXX for the name and \/ in the address, as PHP would write it
    assert "\\u674e\\u4f1f" in payload and "5\\/12" in payload
    _database(db_url, {"events": [{"id": 3, "payload": payload, "payload_b": payload}]})
    report = scan(db_url, {"s1": LI_WEI})
    kinds = {(f.column, f.needle_kind) for f in report.findings}
    for column in ("payload", "payload_b"):
        assert {(column, "text"), (column, "email")} <= kinds
        # the name and the address, each in whichever form the database kept
        texts = {f.needle_hash for f in report.findings if f.column == column}
        assert len(texts) == 3
    assert {f.key for f in report.findings} == {(3,)}
    # json keeps the text as written; jsonb (PostgreSQL) decodes it, so the plain form matches
    assert {f.form for f in report.findings if f.column == "payload"} == {"plain", "json-escaped"}
    _no_personal_data(report)


def test_a_batch_is_scanned_in_one_pass(db_url: str) -> None:
    _database(
        db_url,
        {
            "customers": [
                {"id": 1, "email": "li.wei@example.com", "age": 41},
                {"id": 2, "email": "jo.smith@example.org", "age": 29},
            ],
            "support_notes": [
                {"note_id": 5, "body": "ID 110105199003071234 checked for Zhang Min"}
            ],
            "events": [{"id": 9, "payload": '{"who": "Jo Smith"}', "payload_b": "{}"}],
            "audit_log": [{"line": "login by zhang.min@example.cn"}],
        },
    )
    with _selects() as counts:
        report = scan(db_url, BATCH, chunk=1)
    assert {t: counts[t] for t in ("customers", "support_notes", "events", "audit_log")} == {
        "customers": 1,
        "support_notes": 1,
        "events": 1,
        "audit_log": 1,
    }
    assert _where(report) == {
        ("s1", "customers", "email", '{"id": 1}'),
        ("s3", "customers", "email", '{"id": 2}'),
        ("s2", "support_notes", "body", '{"note_id": 5}'),
        ("s3", "events", "payload", '{"id": 9}'),
        ("s2", "audit_log", "line", '{"row": 1}'),
    }
    assert (report.tables_scanned, report.columns_scanned, report.rows_scanned) == (4, 5, 5)
    assert report.warnings == ("table 'audit_log' has no primary key: rows are numbered",)
    _no_personal_data(report)


def test_clean_data_gives_no_finding(db_url: str) -> None:
    _database(
        db_url,
        {
            "customers": [{"id": 1, "email": "someone.else@example.com", "age": 30}],
            "support_notes": [{"note_id": 1, "body": "Li Wen and Wei Li called; 138 0013 800"}],
            "events": [{"id": 1, "payload": '{"name": "\\u674e\\u660e"}', "payload_b": "[]"}],
        },
    )
    report = scan(db_url, BATCH)
    assert report.clean and report.findings == ()
    assert report.to_json()["clean"] is True
    assert (report.tables_scanned, report.rows_scanned) == (4, 3)


def test_short_needles_are_skipped_with_a_warning(db_url: str) -> None:
    _database(db_url, {"support_notes": [{"note_id": 1, "body": "Li at 555, li.wei@example.com"}]})
    report = scan(db_url, {"s1": ["Li", "555", "li.wei@example.com"]})
    assert [f.needle_kind for f in report.findings] == ["email"]
    skipped = [w for w in report.warnings if "skipped a needle narrower than 4" in w]
    assert len(skipped) == 2
    assert not any("'Li'" in w or "555" in w for w in report.warnings)
    nothing = scan(db_url, {"s1": ["Li"]})
    assert (nothing.tables_scanned, nothing.warnings[-1]) == (0, "no needle to search for")


def test_emails_match_case_insensitively_other_values_do_not(db_url: str) -> None:
    _database(
        db_url,
        {"support_notes": [{"note_id": 1, "body": "From: LI.Wei@EXAMPLE.com (li wei)"}]},
    )
    report = scan(db_url, {"s1": ["li.wei@example.com", "Li Wei"]})
    assert [(f.needle_kind, f.key) for f in report.findings] == [("email", (1,))]


def test_a_needle_used_as_a_primary_key_is_hashed_in_the_report(db_url: str) -> None:
    engine = sa.create_engine(db_url)
    try:
        metadata = sa.MetaData()
        sa.Table("logins", metadata, sa.Column("email", sa.String(100), primary_key=True))
        metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO logins (email) VALUES ('li.wei@example.com')"))
    finally:
        engine.dispose()
    report = scan(db_url, {"s1": LI_WEI})
    (finding,) = report.findings
    assert finding.to_json()["key"] == {"email": f"sha256:{finding.needle_hash}"}
    _no_personal_data(report)


@pytest.mark.postgres
def test_postgres_text_arrays_are_searched(postgres_url: str) -> None:
    engine = sa.create_engine(postgres_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE contacts (id int PRIMARY KEY, aliases text[])"))
            conn.execute(sa.text("INSERT INTO contacts VALUES (4, ARRAY['LW', 'Li Wei'])"))
    finally:
        engine.dispose()
    report = scan(postgres_url, {"s1": LI_WEI})
    assert [(f.table, f.column, f.key) for f in report.findings] == [("contacts", "aliases", (4,))]


def test_an_unreachable_database_is_a_connector_error(tmp_path: Any) -> None:
    with pytest.raises(ConnectorError, match="no SQLite database file"):
        scan(f"sqlite:///{tmp_path}/missing/dir/x.db", {"s1": LI_WEI})


def test_chunk_must_be_positive(sqlite_url: str) -> None:
    with pytest.raises(ValueError, match="chunk must be positive"):
        scan(sqlite_url, {"s1": LI_WEI}, chunk=0)


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("Li.Wei@Example.com", "email"),
        ("+86 138-0013-8000", "phone"),
        ("110105199003071234", "id_number"),
        ("李伟", "text"),
        ("Room 5/12, 8 Jianguo Road", "text"),
    ],
)
def test_needle_kinds(value: str, kind: str) -> None:
    assert needle_kind(value) == kind


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("李伟", {"李伟", "\\u674e\\u4f1f", "\\u674E\\u4F1F"}),
        ("5/12", {"5/12", "5\\/12"}),
        ('say "hi"', {'say "hi"', 'say \\"hi\\"'}),
        ("+86 138 0013 8000", {"+86 138 0013 8000", "8613800138000"}),
    ],
)
def test_forms(value: str, expected: set[str]) -> None:
    assert set(forms(value, needle_kind(value))) == expected


@pytest.mark.parametrize(
    ("text", "subjects"),
    [
        ("Li Weiming", {"a", "b"}),  # nested: "Li Wei" inside "Li Weiming"
        ("Li Wei Zhang", {"a", "c"}),  # overlapping: "Li Wei" and "Wei Zhang"
        ("li wei", set()),
        ("ANN@X.ORG", {"d"}),
    ],
)
def test_the_matcher_finds_nested_and_overlapping_needles(text: str, subjects: set[str]) -> None:
    matcher = Matcher(
        {"a": ["Li Wei"], "b": ["Li Weiming"], "c": ["Wei Zhang"], "d": ["ann@x.org"]}
    )
    assert {hit.needle.subject for hit in matcher.find(text)} == subjects


def test_hash_key_makes_hashes_keyed() -> None:
    plain, keyed = Matcher({"a": ["Li Wei"]}), Matcher({"a": ["Li Wei"]}, key=b"secret")
    assert plain.hash("Li Wei") != keyed.hash("Li Wei")
    assert len(keyed.hash("Li Wei")) == 16

"""``generate``: a draft data map from a live schema (SQLite and PostgreSQL)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime

import pytest
import sqlalchemy as sa

from rightsdesk.datamap import loads
from rightsdesk.discovery.drafting.generate import Draft, Proposal, candidate_tables, generate
from rightsdesk.discovery.sample import sample_columns
from rightsdesk.domain.actions import ExportMode

BACKENDS = [
    pytest.param("sqlite_url", id="sqlite"),
    pytest.param("postgres_url", id="postgres", marks=pytest.mark.postgres),
]
PEOPLE = 20
BCRYPT = "$2b$12$" + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0"
NAMES = ["Alice Smith", "Bob Jones", "Carol White", "Dan Brown", "Eve Black"]


def build_shop(url: str) -> None:
    """users/addresses/orders/products/tickets with foreign keys, and logins without one."""
    md = sa.MetaData()
    users = sa.Table(
        "users",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(120), nullable=False, unique=True),
        sa.Column("phone", sa.String(20)),
        sa.Column("full_name", sa.String(80)),
        sa.Column("password_hash", sa.String(80), nullable=False),
    )
    products = sa.Table(
        "products",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("title", sa.String(80), nullable=False),
    )
    addresses = sa.Table(
        "addresses",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("line1", sa.String(120), nullable=False),
    )
    orders = sa.Table(
        "orders",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.ForeignKey("users.id"), nullable=True, index=True),
        sa.Column("product_id", sa.ForeignKey("products.id"), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
    )
    tickets = sa.Table(
        "tickets",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.ForeignKey("users.id"), nullable=True, index=True),
        sa.Column("body", sa.Text),
    )
    logins = sa.Table(
        "logins",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, nullable=True),
        sa.Column("device_id", sa.Integer),
        sa.Column("ip", sa.String(45)),
        sa.Column("at", sa.DateTime),
    )
    engine = sa.create_engine(url)
    try:
        md.create_all(engine)
        with engine.begin() as conn:
            conn.execute(users.insert(), [_user(i) for i in range(1, PEOPLE + 1)])
            conn.execute(products.insert(), [{"id": 1, "title": "Kettle"}])
            rows = range(1, PEOPLE + 1)
            conn.execute(
                addresses.insert(),
                [{"id": i, "user_id": i, "line1": f"{i} Main Street, Springfield"} for i in rows],
            )
            conn.execute(
                orders.insert(),
                [{"id": i, "user_id": i, "product_id": 1, "status": "paid"} for i in rows],
            )
            conn.execute(
                tickets.insert(),
                [
                    {"id": i, "user_id": i, "body": f"Please reach me at user{i}@example.com soon."}
                    for i in rows
                ],
            )
            conn.execute(
                logins.insert(),
                [
                    {
                        "id": i,
                        "user_id": i,
                        "device_id": 900 + i,
                        "ip": f"10.0.0.{i}",
                        "at": datetime(2024, 1, 1),
                    }
                    for i in rows
                ],
            )
    finally:
        engine.dispose()


def _user(i: int) -> dict[str, object]:
    return {
        "id": i,
        "email": f"user{i}@example.com",
        "phone": f"1380013{i:04d}",
        "full_name": NAMES[i % len(NAMES)],
        "password_hash": BCRYPT,
    }


@pytest.fixture(params=BACKENDS)
def shop_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(request.param)
    build_shop(url)
    return url


@pytest.fixture
def draft(shop_url: str) -> Draft:
    return generate(shop_url, system="shop", sample=100)


def found(draft: Draft, kind: str) -> dict[str, Proposal]:
    return {p.target: p for p in draft.proposals if p.kind == kind}


def test_the_draft_loads_as_is(draft: Draft) -> None:
    datamap = loads(draft.yaml_text, env={})
    assert {c.name for _, c in datamap.collections() if c.personal} == {
        "users",
        "addresses",
        "orders",
        "tickets",
        "logins",
    }
    products = datamap.resolve("shop.products")  # no personal data: a catalogue, never read
    assert products is not None and not products[1].personal
    assert [f.name for f in products[1].fields] == ["id"]


def test_every_declared_foreign_key_is_a_reference(draft: Draft) -> None:
    declared = {t: p.value for t, p in found(draft, "reference").items() if not p.inferred}
    assert declared == {
        "addresses.user_id": "users.id",
        "orders.user_id": "users.id",
        "orders.product_id": "products.id",
        "tickets.user_id": "users.id",
    }
    assert all(p.confidence == 1.0 for p in found(draft, "reference").values() if not p.inferred)


def test_a_reference_without_foreign_key_is_inferred_with_evidence(draft: Draft) -> None:
    login = found(draft, "reference")["logins.user_id"]
    assert (login.value, login.inferred) == ("users.id", True)
    assert f"{PEOPLE}/{PEOPLE} sampled values exist there" in login.evidence
    assert login.confidence >= 0.9
    assert "logins.device_id" not in found(draft, "reference")  # no devices table
    field = loads(draft.yaml_text, env={}).system("shop").collection("logins").field("user_id")  # type: ignore[union-attr]
    assert field is not None and field.references[0].field == "users.id"


def test_identities_are_proposed_from_content_and_keys(draft: Draft) -> None:
    identities = {t: p.value for t, p in found(draft, "identity").items()}
    assert identities == {"users.email": "email", "users.phone": "phone", "users.id": "user_id"}
    users = loads(draft.yaml_text, env={}).system("shop").collection("users")  # type: ignore[union-attr]
    assert users is not None
    assert users.field("email").identity == "email"  # type: ignore[union-attr]
    assert users.field("id").identity == "user_id"  # type: ignore[union-attr]


def test_a_password_hash_is_categorised_and_never_exported(draft: Draft) -> None:
    secret = found(draft, "category")["users.password_hash"]
    assert secret.value == "user.authorization.credentials"
    users = loads(draft.yaml_text, env={}).system("shop").collection("users")  # type: ignore[union-attr]
    field = users.field("password_hash")  # type: ignore[union-attr]
    assert field is not None and field.export_mode is ExportMode.OMIT
    assert BCRYPT not in draft.yaml_text


def test_erasure_defaults_delete_only_rows_about_the_person(draft: Draft) -> None:
    shop = loads(draft.yaml_text, env={}).system("shop")
    assert shop is not None
    deleting = {c.name for c in shop.collections if c.deletes_rows}
    assert deleting == {"users", "addresses"}  # addresses cannot exist without their user
    orders = shop.collection("orders")
    assert orders is not None and orders.field("user_id").erase.name == "set_null"  # type: ignore[union-attr]
    tickets = shop.collection("tickets")
    assert tickets is not None and tickets.field("body").categories == ("user.content",)  # type: ignore[union-attr]


def test_every_proposal_is_a_comment_next_to_its_field(draft: Draft) -> None:
    lines = draft.yaml_text.splitlines()
    mapped = {
        f"{c.name}.{f.name}"
        for _, c in loads(draft.yaml_text, env={}).collections()
        for f in c.fields
    }
    for proposal in (p for p in draft.proposals if p.target in mapped):
        table, column = proposal.target.split(".")
        at = _field_line(lines, table, column)
        above = list(
            itertools.takewhile(lambda line: line.strip().startswith("#"), lines[at - 1 :: -1])
        )
        assert proposal.comment().strip() in [line.strip() for line in above]
    assert "# proposed: inferred reference users.id (confidence" in draft.yaml_text


def _field_line(lines: list[str], table: str, column: str) -> int:
    start = lines.index(f"      - name: {table}")
    return next(
        i
        for i, line in enumerate(lines[start:], start)
        if f"{{name: {column}," in line or f"{{name: {column}}}" in line
    )


def test_a_kept_child_with_a_required_link_keeps_its_parent(sqlite_url: str) -> None:
    build_shop(sqlite_url)
    engine = sa.create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "CREATE TABLE invoices (id INTEGER PRIMARY KEY, "
                "user_id INTEGER NOT NULL REFERENCES users(id), amount INTEGER)"
            )
        )
        conn.execute(sa.text("INSERT INTO invoices VALUES (1, 1, 10)"))
    engine.dispose()
    shop = loads(generate(sqlite_url, system="shop").yaml_text, env={}).system("shop")
    assert shop is not None
    users = shop.collection("users")
    assert users is not None and not users.deletes_rows  # masked instead, invoices keep their link
    assert users.field("email").erase.name == "pseudonym"  # type: ignore[union-attr]


def test_sampling_is_bounded_and_skips_non_text(sqlite_url: str) -> None:
    build_shop(sqlite_url)
    sampled: Iterator[tuple[str, str, Iterator[str | None]]] = sample_columns(sqlite_url, rows=3)
    seen = {(t, c): list(values) for t, c, values in sampled}
    assert ("users", "id") not in seen and ("logins", "at") not in seen
    assert len(seen[("users", "email")]) == 3
    assert all(v and v.endswith("@example.com") for v in seen[("users", "email")])


@pytest.mark.parametrize(
    ("stem", "table"), [("user", "users"), ("user", "accounts"), ("category", "categories")]
)
def test_candidate_tables_for_a_column_name(stem: str, table: str) -> None:
    assert table in candidate_tables(stem)

"""``generate`` beyond column names: secrets only in rows linked to a person, random tokens under
generic names, copies of personal values, unique usernames as identities (SQLite, PostgreSQL)."""

from __future__ import annotations

import base64
import json
import random
import string

import pytest
import sqlalchemy as sa

from rightsdesk.datamap import loads
from rightsdesk.discovery.detectors.tokens import random_token, slug
from rightsdesk.discovery.drafting.generate import Draft, Proposal, generate

BACKENDS = [
    pytest.param("sqlite_url", id="sqlite"),
    pytest.param("postgres_url", id="postgres", marks=pytest.mark.postgres),
]
PEOPLE = 12
#: Tokens are drawn from a seeded generator: the same draft every run.
RANDOM = random.Random(6)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("k3j9x0q2m7w1z8y4v6u5t2s1r0p9o8n7", True),  # lowercase and digits, 32 characters
        ("6TRqVCNrYOTFgbVpaNl_5w", True),  # urlsafe base64 of 16 random bytes
        ("bafedc8074c578f6aa65fd2f3ae3baf028d2963a", True),  # a hex digest
        ("636bf34c-8cef-4595-a770-3f0cd40b0b37", False),  # a UUID is an id
        ("342871678c764bdcb9d141a49b5eb3a9", False),  # so is its dashless form
        ("product_catalogue_item_2024", False),  # a slug: words and a year
        ("summer-sale-banner-2024-v2", False),
        ("ORDER-20240101-000123", False),  # a sequence number: low entropy
        ("abcdefghijklmnopqrstuvwxyz", False),  # no digits
        ("a1b2c3d4e5", False),  # too short
        ("ya29.a0AfH6SM0001Xk2vQ9pL7tR3", False),  # '.' is outside the token alphabet
    ],
)
def test_random_token(value: str, expected: bool) -> None:
    assert random_token(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("summer-sale-2024", True), ("a1b2_c3d4", False), ("token", False), ("x9Yq-3kPz_w7", False)],
)
def test_slug(value: str, expected: bool) -> None:
    assert slug(value) is expected


def token(length: int, alphabet: str = string.ascii_lowercase + string.digits) -> str:
    return "".join(RANDOM.choice(alphabet) for _ in range(length))


def _session(person: int) -> str:
    payload = json.dumps({"_auth_user_id": str(person)}).encode()
    return base64.urlsafe_b64encode(payload).decode().rstrip("=") + ":1tXbmU:c2lnbmF0dXJlX2hlcmU"


def build(url: str) -> None:
    RANDOM.seed(6)
    md = sa.MetaData()
    people = sa.Table(
        "people",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(120), nullable=False),
        sa.Column("login", sa.String(40), nullable=False, unique=True),
    )
    handles = sa.Table(  # a login copied without a declared key, and repeated: not unique
        "handles", md, sa.Column("id", sa.Integer, primary_key=True), sa.Column("label", sa.Text)
    )
    resets = sa.Table(
        "resets",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("person_id", sa.ForeignKey("people.id"), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("batch", sa.String(64), nullable=False),  # not distinct: no token
        sa.Column("ref", sa.String(40), nullable=False),  # a uuid: an id
    )
    audit = sa.Table(  # the actor's login in a column whose name says nothing about people
        "audit",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("actor", sa.String(40), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
    )
    clients = sa.Table(  # an application's credentials: no person in these rows
        "clients",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("client_secret", sa.String(64), nullable=False),
        sa.Column("seed", sa.String(64), nullable=False),
    )
    sessions = sa.Table(  # no foreign key: linked to people by what its blob says
        "sessions",
        md,
        sa.Column("session_token", sa.String(64), primary_key=True),
        sa.Column("data", sa.Text, nullable=False),
    )
    engine = sa.create_engine(url)
    rows = range(1, PEOPLE + 1)
    batch = token(32, "0123456789abcdef")
    try:
        md.create_all(engine)
        with engine.begin() as conn:
            conn.execute(
                people.insert(),
                [{"id": i, "email": f"p{i}@example.com", "login": f"user.{i}"} for i in rows],
            )
            conn.execute(handles.insert(), [{"id": i, "label": "user.1"} for i in rows])
            conn.execute(
                resets.insert(),
                [
                    {
                        "id": i,
                        "person_id": i,
                        "key": token(41),
                        "batch": batch,
                        "ref": f"636bf34c-8cef-4595-a770-3f0cd40b0b{i:02d}",
                    }
                    for i in rows
                ],
            )
            conn.execute(
                audit.insert(),
                [{"id": i, "actor": f"user.{i % 5 + 1}", "action": "login"} for i in rows],
            )
            conn.execute(
                clients.insert(),
                [
                    {
                        "id": i,
                        "name": f"app{i}",
                        "client_secret": token(32, string.ascii_letters + string.digits + "-_"),
                    }
                    | {"seed": token(40, "0123456789abcdef")}
                    for i in range(1, 7)
                ],
            )
            conn.execute(
                sessions.insert(),
                [
                    {"session_token": token(40, "0123456789abcdef"), "data": _session(i)}
                    for i in rows
                ],
            )
    finally:
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def draft(request: pytest.FixtureRequest) -> Draft:
    url: str = request.getfixturevalue(request.param)
    build(url)
    return generate(url, system="app", sample=100)


def found(draft: Draft, kind: str) -> dict[str, Proposal]:
    return {p.target: p for p in draft.proposals if p.kind == kind}


def test_secrets_of_rows_linked_to_no_person_are_flagged_not_mapped(draft: Draft) -> None:
    categories = found(draft, "category")
    assert "clients.client_secret" not in categories
    assert "clients.seed" not in categories  # random tokens too: nobody's
    assert "# review: not mapped: clients.client_secret looks like a secret" in draft.yaml_text
    assert {c.name for _, c in loads(draft.yaml_text, env={}).collections()} == {
        "people",
        "resets",
        "audit",
        "sessions",
    }


def test_a_random_token_in_a_linked_table_is_a_credential(draft: Draft) -> None:
    categories = found(draft, "category")
    key = categories["resets.key"]
    assert key.value == "user.authorization.credentials" and key.inferred
    assert f"{PEOPLE}/{PEOPLE} values are distinct random tokens" in key.evidence
    assert "resets.batch" not in categories and "resets.ref" not in categories
    collection = loads(draft.yaml_text, env={}).system("app").collection("resets")  # type: ignore[union-attr]
    assert collection is not None and collection.field("key").export_mode.name == "OMIT"  # type: ignore[union-attr]


def test_an_encoded_session_links_its_table_and_keeps_its_secret(draft: Draft) -> None:
    categories = found(draft, "category")
    assert categories["sessions.data"].value == "user.account"
    assert categories["sessions.session_token"].value == "user.authorization.credentials"


def test_a_copy_of_personal_values_takes_their_category(draft: Draft) -> None:
    categories = found(draft, "category")
    actor = categories["audit.actor"]
    assert actor.value == "user.account.username" and actor.inferred
    assert "values match people.login (5 of 5 distinct sampled values)" in actor.evidence
    assert "audit.action" not in categories
    assert "handles.label" not in categories  # one match is not enough for a copy


def test_a_unique_username_is_an_identity(draft: Draft) -> None:
    identities = {t: p.value for t, p in found(draft, "identity").items()}
    assert identities == {
        "people.email": "email",
        "people.login": "username",
        "people.id": "user_id",
        "audit.actor": "username",  # a copy of people.login in a table nobody owns (unowned.py)
    }
    assert "declared unique" in found(draft, "identity")["people.login"].evidence

"""Discovery measured on a schema someone else designed: Django + django-allauth (issue 6 part 6).

The schema comes from the applications' own migrations (``realapp/build.py``, in a subprocess),
filled with 50 synthetic people; the labelled answer key is ``realapp/answer_key.py``. Run with
``pytest -s`` to see the numbers (recorded in ``docs/discovery.md``, "Measured on django-allauth").
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from rightsdesk.datamap import loads
from rightsdesk.discovery.drafting.generate import Draft, generate
from rightsdesk.domain.subjects import Identity, Subject
from rightsdesk.service.runtime import runs
from rightsdesk.settings import Settings
from tests.discovery.realapp import answer_key
from tests.discovery.realapp.build import build, person

BACKENDS = [
    pytest.param("sqlite_url", id="sqlite"),
    pytest.param("postgres_url", id="postgres", marks=pytest.mark.postgres),
]
#: Issue 6 part 6 targets for personal-data columns, met on both backends (16/16 found, none
#: wrongly): asserted as they are. Identity fields are all found too (4/4).
TARGET_RECALL, TARGET_PRECISION, TARGET_IDENTITY_RECALL = 0.95, 0.90, 1.0
#: Where person 0's values are still found after erasing them with the draft map unedited:
#: nowhere. django_admin_log's entry about the person (a row of the admin's, linked to them only
#: by Django's generic (content_type_id, object_id) pair) is drafted as a copy about auth_user
#: rows with its text redacted, and their session is found by its payload and deleted.
KNOWN_RESIDUE: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Score:
    proposed: frozenset[str]
    labelled: frozenset[str]

    @property
    def hits(self) -> frozenset[str]:
        return self.proposed & self.labelled

    @property
    def recall(self) -> float:
        return len(self.hits) / len(self.labelled)

    @property
    def precision(self) -> float:
        return len(self.hits) / len(self.proposed) if self.proposed else 1.0


def personal_columns(draft: Draft) -> frozenset[str]:
    """Columns with a category proposal that says personal data."""
    return frozenset(
        p.target
        for p in draft.proposals
        if p.kind == "category" and not p.value.startswith(("system.", "non_personal"))
    )


def identities(draft: Draft) -> frozenset[str]:
    return frozenset(f"{p.target}:{p.value}" for p in draft.proposals if p.kind == "identity")


def references(draft: Draft) -> set[tuple[str, str]]:
    return {(p.target, p.value) for p in draft.proposals if p.kind == "reference"}


@pytest.fixture(params=BACKENDS)
def realapp(request: pytest.FixtureRequest) -> tuple[str, str]:
    """(backend, url) of a migrated and filled Django + allauth database."""
    url: str = request.getfixturevalue(request.param)
    build(url)
    return request.node.callspec.id, url


def test_discovery_quality_on_django_allauth(realapp: tuple[str, str]) -> None:
    backend, url = realapp
    draft = generate(url, system="app")

    personal = Score(personal_columns(draft), answer_key.PERSONAL)
    labelled_ids = frozenset(f"{c}:{k}" for c, k in answer_key.IDENTITIES.items())
    found_ids = Score(identities(draft), labelled_ids)
    declared = answer_key.declared_foreign_keys(url)
    missing_fks = declared - references(draft)
    print(
        f"\n[{backend}] personal-data columns: precision {personal.precision:.2f} "
        f"({len(personal.hits)}/{len(personal.proposed)}), recall {personal.recall:.2f} "
        f"({len(personal.hits)}/{len(personal.labelled)})"
        f"\n  missed: {sorted(personal.labelled - personal.proposed)}"
        f"\n  wrongly proposed: {sorted(personal.proposed - personal.labelled)}"
        f"\n[{backend}] identity fields: recall {found_ids.recall:.2f} "
        f"({len(found_ids.hits)}/{len(labelled_ids)}), missed {sorted(labelled_ids - found_ids.proposed)}"
        f"\n[{backend}] declared foreign keys: {len(declared) - len(missing_fks)}/{len(declared)}"
    )

    assert len(declared) >= 15  # the schema really was migrated
    assert not missing_fks
    assert personal.recall >= TARGET_RECALL
    assert personal.precision >= TARGET_PRECISION
    assert found_ids.recall >= TARGET_IDENTITY_RECALL


def _values_of(url: str, email: str) -> tuple[int, dict[str, str]]:
    """Person's user id and their distinctive values (``what`` -> value)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            user_id, username, first, last = conn.execute(
                sa.text(
                    "SELECT id, username, first_name, last_name FROM auth_user WHERE email = :e"
                ),
                {"e": email},
            ).one()
            values = {"username": username, "name": f"{first} {last}", "email": email}
            others = conn.execute(
                sa.text(
                    "SELECT email FROM account_emailaddress WHERE user_id = :u AND email <> :e"
                ),
                {"u": user_id, "e": email},
            ).scalars()
            values |= {f"email{i}": other for i, other in enumerate(others, 2)}
            uid = conn.execute(
                sa.text("SELECT uid FROM socialaccount_socialaccount WHERE user_id = :u"),
                {"u": user_id},
            ).scalar_one()
            return user_id, values | {"uid": uid}
    finally:
        engine.dispose()


def _residue(url: str, user_id: int, values: dict[str, str]) -> set[str]:
    """``table.column`` still holding one of the person's values, or their names in auth_user."""
    engine = sa.create_engine(url)
    found = set()
    try:
        inspector = sa.inspect(engine)
        with engine.connect() as conn:
            for table in inspector.get_table_names():
                for column in inspector.get_columns(table):
                    if not isinstance(column["type"], sa.String | sa.Text | sa.JSON):
                        continue
                    name = column["name"]
                    for value in values.values():
                        held = conn.execute(
                            sa.text(f'SELECT count(*) FROM "{table}" WHERE "{name}" LIKE :v'),
                            {"v": f"%{value}%"},
                        ).scalar_one()
                        if held:
                            found.add(f"{table}.{name}")
            first, last = values["name"].split()
            row = conn.execute(
                sa.text("SELECT first_name, last_name FROM auth_user WHERE id = :u"), {"u": user_id}
            ).one_or_none()
            if row is not None:
                found |= {
                    f"auth_user.{c}"
                    for c, v in zip(row._fields, row, strict=True)
                    if v in (first, last)
                }
    finally:
        engine.dispose()
    return found


def test_generated_map_finds_and_erases_a_person(sqlite_url: str, tmp_path: Path) -> None:
    """'Done when': generate, then access and erase one person by email, with no hand edits."""
    build(sqlite_url)
    datamap = loads(generate(sqlite_url, system="app").yaml_text, env={})
    _, _, email = person(0)  # user 0 has 2 addresses, a confirmation, a social account, a token
    user_id, values = _values_of(sqlite_url, email)
    before = _residue(sqlite_url, user_id, values)
    assert len(before) >= 8, before

    subject = Subject("p0", (Identity("email", email),))
    with runs.open_engine(datamap, Settings(state_dir=tmp_path / "state")) as engine:
        runs.export(engine, [subject], tmp_path / "export")
        exported = " ".join(f.read_text("utf-8") for f in (tmp_path / "export").rglob("*.json"))
        by_username = Subject("p0u", (Identity("username", values["username"]),))
        runs.export(engine, [by_username], tmp_path / "export-by-username")
        found = (tmp_path / "export-by-username").rglob("*.json")
        assert email in " ".join(f.read_text("utf-8") for f in found)  # the proposed identity
        engine.erase([subject])
    missing = {what for what, value in values.items() if value not in exported}
    after = _residue(sqlite_url, user_id, values)
    print(
        f"\n[sqlite] access export lacks: {sorted(missing)}"
        f"\n[sqlite] person 0 found before erasure in {sorted(before)}"
        f"\n  and after in {sorted(after)}"
    )
    assert missing == set(), missing
    assert after == KNOWN_RESIDUE, after

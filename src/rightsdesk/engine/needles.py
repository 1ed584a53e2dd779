"""The identifying values of each person found during an erasure, to look for afterwards."""

from __future__ import annotations

from typing import Any

from rightsdesk.datamap.model import DataMap
from rightsdesk.domain.subjects import Subject
from rightsdesk.engine.plan import Plan

#: Categories whose values identify a person when found in free text elsewhere.
IDENTIFYING = (
    "user.contact",
    "user.name",
    "user.account.username",
    "user.government_id.national_id",
    "user.government_id.passport",
    "user.financial.bank_account",
)
#: Shorter values match too much unrelated text to be worth searching for.
MIN_LENGTH = 5


def gather(
    datamap: DataMap,
    plan: Plan,
    found: dict[str, dict[Any, tuple[tuple[Any, ...], frozenset[int]]]],
    subjects: list[Subject],
) -> list[set[str]]:
    """Per subject: their identity values plus identifying text in the rows found for them."""
    needles = [{i.value for i in s.identities if len(i.value) >= MIN_LENGTH} for s in subjects]
    for step in plan.steps:
        rows = found.get(step.name)
        resolved = datamap.resolve(step.name)
        if not rows or resolved is None:
            continue
        wanted = [
            step.columns.index(f.name)
            for f in resolved[1].fields
            if f.name in step.columns
            and (f.identity is not None or any(c.startswith(IDENTIFYING) for c in f.categories))
        ]
        for row, owners in rows.values():
            values = {str(row[i]) for i in wanted if isinstance(row[i], str)}
            for subject in owners:
                needles[subject] |= {v for v in values if len(v) >= MIN_LENGTH}
    return needles

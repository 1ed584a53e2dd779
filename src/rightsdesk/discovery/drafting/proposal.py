"""What a drafted data map asserts: proposals about columns, and references between them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["category", "identity", "reference", "primary_key"]
Column = tuple[str, str]


@dataclass(frozen=True)
class Proposal:
    """One thing the draft asserts about ``target`` (``table.column``), with how sure and why."""

    kind: Kind
    target: str
    value: str
    confidence: float
    evidence: str
    inferred: bool

    def comment(self) -> str:
        """The YAML comment a reviewer reads next to the field."""
        how = "inferred " if self.inferred else ""
        why = f"confidence {self.confidence:.2f}: {self.evidence}"
        value = f" {self.value}" if self.value else ""
        return f"# proposed: {how}{self.kind}{value} ({why})"


@dataclass(frozen=True)
class Link:
    """A single-column reference from ``child`` to ``parent``, declared or inferred."""

    child: Column
    parent: Column
    proposal: Proposal


def dotted(column: Column) -> str:
    return f"{column[0]}.{column[1]}"

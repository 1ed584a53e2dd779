"""What came of a request: refusals, the run's summary, the export offered, the receipt.

Stored as one JSON object in the request's row (``store.types.OutcomeJSON``), with the same
keys as before it was typed: a key is present only once something set it. ``run`` is the
workflow's summary, free-form JSON per request type (it is signed into the receipt as is).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: The keys of a federated account's redirect, stored flat beside the others.
REDIRECT_KEYS = ("redirected_to", "provider_title", "instructions", "provider_url")


@dataclass(frozen=True)
class Export:
    """An export archive offered to the person by a signed link, until it expires or is revoked."""

    file: str
    expires_at: str
    revoked_at: str | None = None

    def to_json(self) -> dict[str, Any]:
        out = {"file": self.file, "expires_at": self.expires_at}
        return out if self.revoked_at is None else {**out, "revoked_at": self.revoked_at}


def holding(part: Mapping[str, Any]) -> bool:
    """Whether a refused part still holds its places (named, and not lifted)."""
    return bool(part.get("places")) and not part.get("lifted")


@dataclass(frozen=True)
class Outcome:
    """A request's outcome; change it with ``dataclasses.replace``."""

    #: The workflow's run summary (per type; signed into the receipt).
    run: Mapping[str, Any] | None = None
    #: The refusal of the whole request (ground, title, justification, ...).
    refusal: Mapping[str, Any] | None = None
    #: Parts refused while the rest went on (by an operator, or by the run itself).
    refused_parts: tuple[Mapping[str, Any], ...] = ()
    export: Export | None = None
    receipt_id: str | None = None
    #: An account cancellation's failing pre-checks, shown before confirmation (None: not run).
    prechecks: tuple[Mapping[str, Any], ...] | None = None
    #: Where a federated account is sent to cancel (``REDIRECT_KEYS``).
    redirect: Mapping[str, Any] | None = None
    #: The due date the overdue alert was raised for (raised once per due date).
    overdue_flagged: str | None = None
    #: A fraud or compromise flag (reason, by, at): no run before a step-up after it (INT-05).
    fraud: Mapping[str, Any] | None = None
    #: Keys this version does not know, kept as they were.
    extra: Mapping[str, Any] = field(default_factory=dict)

    def held(self) -> tuple[str, ...]:
        """The places of the data map refused parts hold and no one has lifted yet."""
        places = (p for part in self.refused_parts if holding(part) for p in part["places"])
        return tuple(dict.fromkeys(places))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.extra)
        if self.run is not None:
            out["run"] = self.run
        if self.refusal is not None:
            out["refusal"] = self.refusal
        if self.refused_parts:
            out["refused_parts"] = list(self.refused_parts)
        if self.export is not None:
            out["export"] = self.export.to_json()
        if self.receipt_id is not None:
            out["receipt_id"] = self.receipt_id
        if self.prechecks is not None:
            out["prechecks"] = list(self.prechecks)
        if self.redirect is not None:
            out.update(self.redirect)
        if self.overdue_flagged is not None:
            out["overdue_flagged"] = self.overdue_flagged
        if self.fraud is not None:
            out["fraud"] = self.fraud
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Outcome:
        known = {"run", "refusal", "refused_parts", "export", "receipt_id", "prechecks"}
        known |= {"overdue_flagged", "fraud", *REDIRECT_KEYS}
        export = data.get("export")
        prechecks = data.get("prechecks")
        return cls(
            run=data.get("run"),
            refusal=data.get("refusal"),
            refused_parts=tuple(data.get("refused_parts", ())),
            export=Export(**export) if export else None,
            receipt_id=data.get("receipt_id"),
            prechecks=None if prechecks is None else tuple(prechecks),
            redirect=(
                {k: data[k] for k in REDIRECT_KEYS if k in data}
                if "redirected_to" in data
                else None
            ),
            overdue_flagged=data.get("overdue_flagged"),
            fraud=data.get("fraud"),
            extra={k: v for k, v in data.items() if k not in known},
        )

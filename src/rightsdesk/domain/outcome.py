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


@dataclass(frozen=True)
class Lifted:
    """Who ended the ground of a refused part, when and why: its places are held no more."""

    at: str
    by: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"at": self.at, "by": self.by, "reason": self.reason}


@dataclass(frozen=True)
class Refusal:
    """A refusal of the whole request, or of one part of it while the rest goes on (DEL-10,
    RSP-06..08): on a ground of the policy's catalogue, with the reason and what the person can
    do instead. The remedies are not stored: they follow from the request's regimes and
    language whenever the refusal is told (``Policy.remedies``)."""

    ground: str
    justification: str | None = None
    #: The ground's title, in the person's language when the refusal was made.
    title: str | None = None
    #: What is refused, in words (None: the whole request).
    part: str | None = None
    alternative: str | None = None
    #: Places of the data map (``system.collection[.field]``) the refused part holds.
    places: tuple[str, ...] = ()
    #: A correction's identity fields sent to the registration site, told at ``finish``.
    fields: tuple[str, ...] | None = None
    lifted: Lifted | None = None
    #: Keys this version does not know, kept as they were.
    extra: Mapping[str, Any] = field(default_factory=dict)

    def holding(self) -> bool:
        """Whether the refused part still holds its places (named, and not lifted)."""
        return bool(self.places) and self.lifted is None

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            **self.extra,
            "ground": self.ground,
            "title": self.title,
            "justification": self.justification,
            "part": self.part,
            "alternative": self.alternative,
        }
        if self.places:
            out["places"] = list(self.places)
        if self.fields is not None:
            out["fields"] = list(self.fields)
        if self.lifted is not None:
            out["lifted"] = self.lifted.to_json()
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Refusal:
        """Read a stored refusal; rows of earlier versions may lack any key but the ground."""
        known = {"ground", "title", "justification", "part", "alternative"}
        fields, lifted = data.get("fields"), data.get("lifted")
        return cls(
            ground=str(data["ground"]),
            justification=data.get("justification"),
            title=data.get("title"),
            part=data.get("part"),
            alternative=data.get("alternative"),
            places=tuple(data.get("places") or ()),
            fields=None if fields is None else tuple(fields),
            lifted=(
                Lifted(str(lifted.get("at")), str(lifted.get("by")), str(lifted.get("reason")))
                if isinstance(lifted, Mapping)
                else None
            ),
            extra={
                k: v for k, v in data.items() if k not in known | {"places", "fields", "lifted"}
            },
        )


@dataclass(frozen=True)
class Outcome:
    """A request's outcome; change it with ``dataclasses.replace``."""

    #: The workflow's run summary (per type; signed into the receipt).
    run: Mapping[str, Any] | None = None
    #: The refusal of the whole request.
    refusal: Refusal | None = None
    #: Parts refused while the rest went on (by an operator, or by the run itself).
    refused_parts: tuple[Refusal, ...] = ()
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
        places = (p for part in self.refused_parts if part.holding() for p in part.places)
        return tuple(dict.fromkeys(places))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.extra)
        if self.run is not None:
            out["run"] = self.run
        if self.refusal is not None:
            out["refusal"] = self.refusal.to_json()
        if self.refused_parts:
            out["refused_parts"] = [part.to_json() for part in self.refused_parts]
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
        prechecks, refusal = data.get("prechecks"), data.get("refusal")
        return cls(
            run=data.get("run"),
            refusal=None if refusal is None else Refusal.from_json(refusal),
            refused_parts=tuple(Refusal.from_json(p) for p in data.get("refused_parts", ())),
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

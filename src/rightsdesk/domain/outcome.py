"""What came of a request: refusals, the run's summary, the export offered, the receipt.

Stored as one JSON object in the request's row (``store.types.OutcomeJSON``), with the same
keys as before it was typed: a key is present only once something set it. ``run`` is the
workflow's summary, free-form JSON per request type (it is signed into the receipt as is).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, NotRequired, TypedDict, cast

#: The keys of a federated account's redirect, stored flat beside the others.
REDIRECT_KEYS = ("redirected_to", "provider_title", "instructions", "provider_url")


class KeptRows(TypedDict):
    """Rows a retention rule keeps (whole, or ``kept_fields``), until when and on which basis."""

    rule: str
    basis: str
    until: str | None
    rows: int
    kept_fields: NotRequired[list[str] | None]
    #: Sealed in the retention vault and erased from the live table, not kept in place.
    sealed: NotRequired[bool]


class RunCollection(TypedDict, total=False):
    """One collection's entry in a run's summary (``run["collections"]``), whichever type ran:
    an erasure's counts (``engine.report.CollectionReport``), a correction's ``updated``, an
    access's ``found``. Read from stored JSON, so every key may be missing."""

    found: int
    deleted: int
    masked: int
    updated: int
    held: int
    retained: list[KeptRows]


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
class Mark:
    """Who did something to a request, when and why: a refused part's ground ended (its
    places are held no more), a suspected fraud flagged."""

    at: str
    by: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Mark:
        return cls(str(data.get("at")), str(data.get("by")), str(data.get("reason")))


@dataclass(frozen=True)
class FailedCheck:
    """An account cancellation's pre-check that fails now (the data map's ``account.prechecks``),
    shown before the person confirms: waived then, or settled first."""

    name: str
    message: str
    waivable: bool
    #: How many of the person's rows fail it.
    count: int

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FailedCheck:
        return cls(
            name=str(data["name"]),
            message=str(data.get("message") or data["name"]),
            waivable=bool(data.get("waivable", False)),
            count=int(data.get("count") or 0),
        )


@dataclass(frozen=True)
class Redirect:
    """Where a federated account is sent to cancel: its login provider (stored flat in the
    outcome, under ``REDIRECT_KEYS``)."""

    redirected_to: str
    provider_title: str | None = None
    instructions: str | None = None
    provider_url: str | None = None

    def to_json(self) -> dict[str, str | None]:
        return {k: getattr(self, k) for k in REDIRECT_KEYS}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Redirect:
        title, instructions, url = (data.get(k) for k in REDIRECT_KEYS[1:])
        return cls(str(data["redirected_to"]), title, instructions, url)


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
    lifted: Mark | None = None
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
            lifted=Mark.from_json(lifted) if isinstance(lifted, Mapping) else None,
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
    prechecks: tuple[FailedCheck, ...] | None = None
    #: Where a federated account is sent to cancel.
    redirect: Redirect | None = None
    #: The due date the overdue alert was raised for (raised once per due date).
    overdue_flagged: str | None = None
    #: A fraud or compromise flag: no run before a step-up after it (INT-05).
    fraud: Mark | None = None
    #: Keys this version does not know, kept as they were.
    extra: Mapping[str, Any] = field(default_factory=dict)

    def held(self) -> tuple[str, ...]:
        """The places of the data map refused parts hold and no one has lifted yet."""
        places = (p for part in self.refused_parts if part.holding() for p in part.places)
        return tuple(dict.fromkeys(places))

    def collections(self) -> Mapping[str, RunCollection]:
        """The run's entry per ``system.collection`` (none before the run)."""
        return cast(Mapping[str, RunCollection], (self.run or {}).get("collections", {}))

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
            out["prechecks"] = [check.to_json() for check in self.prechecks]
        if self.redirect is not None:
            out.update(self.redirect.to_json())
        if self.overdue_flagged is not None:
            out["overdue_flagged"] = self.overdue_flagged
        if self.fraud is not None:
            out["fraud"] = self.fraud.to_json()
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Outcome:
        known = {"run", "refusal", "refused_parts", "export", "receipt_id", "prechecks"}
        known |= {"overdue_flagged", "fraud", *REDIRECT_KEYS}
        export = data.get("export")
        prechecks, refusal, fraud = data.get("prechecks"), data.get("refusal"), data.get("fraud")
        return cls(
            run=data.get("run"),
            refusal=None if refusal is None else Refusal.from_json(refusal),
            refused_parts=tuple(Refusal.from_json(p) for p in data.get("refused_parts", ())),
            export=Export(**export) if export else None,
            receipt_id=data.get("receipt_id"),
            prechecks=(
                None if prechecks is None else tuple(FailedCheck.from_json(c) for c in prechecks)
            ),
            redirect=Redirect.from_json(data) if "redirected_to" in data else None,
            overdue_flagged=data.get("overdue_flagged"),
            fraud=None if fraud is None else Mark.from_json(fraud),
            extra={k: v for k, v in data.items() if k not in known},
        )

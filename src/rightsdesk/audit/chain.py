"""An append-only SHA-256 hash chain over audit records: canonical bytes, sealing, verification."""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import Enum, StrEnum
from types import MappingProxyType
from typing import Any, TypedDict
from uuid import UUID

#: The ``prev_hash`` of the first entry: 64 zeros, the hash of "nothing before".
GENESIS = "0" * 64
_HASH = re.compile(r"^[0-9a-f]{64}$")
_DOMAIN = b"rightsdesk.audit/1\n"


def canonical(record: Mapping[str, Any]) -> bytes:
    """Deterministic UTF-8 JSON (rules in docs/audit.md); re-canonicalizing its parse is a no-op.

    Raises ``ValueError`` (NaN, infinity, naive datetime) or ``TypeError`` (sets, bytes, other
    types, non-string keys) rather than guess.
    """
    if not isinstance(record, Mapping):
        raise TypeError(f"an audit record is a mapping, not {type(record).__name__}")
    text = json.dumps(
        _plain(record, "$"),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )
    return text.encode("utf-8")


def _plain(value: Any, where: str) -> Any:
    """The JSON-ready equivalent of ``value``; ``where`` is a JSON path for error messages."""
    if value is None or (isinstance(value, bool | int | str) and not isinstance(value, Enum)):
        return value
    if isinstance(value, Enum):
        return _plain(value.value, where)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{where}: {value!r} has no JSON form; audit records refuse it")
        return value
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"{where}: naive datetime {value.isoformat()} is ambiguous; add tz")
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Mapping):
        return _plain_mapping(value, where)
    if isinstance(value, list | tuple):
        return [_plain(item, f"{where}[{i}]") for i, item in enumerate(value)]
    raise TypeError(f"{where}: {type(value).__name__} is not allowed in an audit record")


def _plain_mapping(value: Mapping[Any, Any], where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise TypeError(f"{where}: key {key!r} is not a string")
        out[str(key)] = _plain(item, f"{where}.{key}")
    return out


def link(prev_hash: str, seq: int, record: Mapping[str, Any]) -> str:
    """SHA-256 hex of a version tag, ``prev_hash``, ``seq`` and ``canonical(record)``."""
    if not _HASH.match(prev_hash):
        raise ValueError(f"prev_hash {prev_hash!r} is not 64 lowercase hex digits")
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
        raise ValueError(f"seq {seq!r} is not a positive integer")
    digest = hashlib.sha256(_DOMAIN)
    digest.update(f"{prev_hash}\n{seq}\n".encode("ascii"))
    digest.update(canonical(record))
    return digest.hexdigest()


@dataclass(frozen=True)
class Anchor:
    """A chain position worth remembering: the entry at ``seq`` has this ``hash``."""

    seq: int
    hash: str


#: Where an empty chain stands.
ORIGIN = Anchor(0, GENESIS)


@dataclass(frozen=True)
class ChainEntry:
    """One sealed record: its position, its content, the hash before it and its own hash."""

    seq: int
    record: Mapping[str, Any]
    prev_hash: str
    hash: str

    @property
    def anchor(self) -> Anchor:
        return Anchor(self.seq, self.hash)


def seal(prev: ChainEntry | None, record: Mapping[str, Any]) -> ChainEntry:
    """The entry after ``prev`` (or the first one), holding a read-only copy of ``record``."""
    seq, prev_hash = (1, GENESIS) if prev is None else (prev.seq + 1, prev.hash)
    frozen = MappingProxyType(dict(record))
    return ChainEntry(seq, frozen, prev_hash, link(prev_hash, seq, frozen))


class BreakKind(StrEnum):
    """What kind of tampering (or damage) a break points to."""

    MALFORMED = "malformed"  # an entry cannot even be hashed (bad seq, hash or record)
    EDITED = "edited"  # an entry's content no longer matches its own hash
    FORGED_GENESIS = "forged_genesis"  # the first entry does not start from GENESIS
    REORDERED = "reordered"  # seq goes backwards or repeats
    REMOVED = "removed"  # seq skips, or an entry does not chain to the one before it
    TRUNCATED = "truncated"  # the chain ends before the expected head
    HEAD_MISMATCH = "head_mismatch"  # the head seq exists with another hash, or is not last


@dataclass(frozen=True)
class ChainBreak:
    """One run of broken entries: where it starts (the seq the chain expected), its kind, why."""

    seq: int
    kind: BreakKind
    message: str


# When a run of broken entries shows several symptoms, the most specific one names the run.
_PRIORITY = (
    BreakKind.MALFORMED,
    BreakKind.EDITED,
    BreakKind.FORGED_GENESIS,
    BreakKind.REORDERED,
    BreakKind.REMOVED,
)


@dataclass
class _Run:
    """The symptoms seen since the chain last held together (mutable, private to ``check``)."""

    seq: int
    symptoms: dict[BreakKind, str] = field(default_factory=dict)
    entries: int = 0
    last_seq: int = 0

    def to_break(self) -> ChainBreak:
        kind = next(k for k in _PRIORITY if k in self.symptoms)
        message = self.symptoms[kind]
        if self.entries > 1:
            message += f" (a run of {self.entries} stored entries, ending at seq {self.last_seq})"
        return ChainBreak(self.seq, kind, message)


def verify(entries: Iterable[ChainEntry], head: Anchor | None = None) -> list[ChainBreak]:
    """Every break in ``entries`` (stored order) and against ``head``; empty means intact."""
    return list(check(entries, head))


def check(entries: Iterable[ChainEntry], head: Anchor | None = None) -> Iterator[ChainBreak]:
    """Stream the breaks of a chain in constant memory, one per run of consecutive broken entries.

    Each entry is compared with its own hash and with the entry stored just before it. A
    broken entry opens a run; the run closes at the next entry that is intact and chains to
    its predecessor, and yields one break named after its most specific symptom, with the seq
    the chain expected where the run began. ``head``, when given, must be the highest seq.
    """
    prev = top = ORIGIN
    run: _Run | None = None
    for entry in entries:
        symptoms = _symptoms(prev, entry)
        if symptoms:
            run = run or _Run(prev.seq + 1)
            run.entries += 1
            run.last_seq = entry.seq if _is_position(entry) else run.last_seq
            for kind, message in symptoms.items():
                run.symptoms.setdefault(kind, message)
        elif run is not None:
            yield run.to_break()
            run = None
        if _is_position(entry):
            prev = Anchor(entry.seq, entry.hash)
            top = prev if prev.seq > top.seq else top
    if run is not None:
        yield run.to_break()
    if head is not None:
        yield from _against_head(top, head)


def _is_position(entry: ChainEntry) -> bool:
    seq_ok = isinstance(entry.seq, int) and not isinstance(entry.seq, bool)
    return seq_ok and isinstance(entry.hash, str)


def _symptoms(prev: Anchor, entry: ChainEntry) -> dict[BreakKind, str]:
    """What is wrong with ``entry`` on its own and as the successor of ``prev``."""
    found: dict[BreakKind, str] = {}
    try:
        expected = link(entry.prev_hash, entry.seq, entry.record)
    except (TypeError, ValueError) as exc:
        found[BreakKind.MALFORMED] = f"seq {entry.seq!r}: entry cannot be hashed: {exc}"
        if not _is_position(entry):
            return found
    else:
        if expected != entry.hash:
            found[BreakKind.EDITED] = f"seq {entry.seq}: content does not match its stored hash"
    found.update(_order(prev, entry))
    return found


def _order(prev: Anchor, entry: ChainEntry) -> dict[BreakKind, str]:
    """Symptoms of ``entry`` standing right after ``prev`` in storage order."""
    seq = entry.seq
    if seq <= prev.seq:
        what = "repeats" if seq == prev.seq else f"comes after seq {prev.seq}"
        return {BreakKind.REORDERED: f"seq {seq} {what}: entries are out of order"}
    if prev.seq == 0 and entry.prev_hash != GENESIS and seq == 1:
        return {BreakKind.FORGED_GENESIS: "seq 1 does not start from GENESIS: forged origin"}
    if prev.seq == 0 and entry.prev_hash == GENESIS and seq != 1:
        return {BreakKind.FORGED_GENESIS: f"seq {seq} claims to start the chain: forged origin"}
    if prev.seq > 0 and entry.prev_hash == GENESIS:
        return {BreakKind.FORGED_GENESIS: f"seq {seq} restarts the chain from GENESIS"}
    if seq > prev.seq + 1:
        gap = _span(prev.seq + 1, seq - 1)
        return {BreakKind.REMOVED: f"{gap} missing before seq {seq}: entries were removed"}
    if entry.prev_hash != prev.hash:
        return {
            BreakKind.REMOVED: f"seq {seq} does not chain to seq {prev.seq}: an entry was"
            f" removed and the rest renumbered, or seq {prev.seq} was rewritten and re-hashed"
        }
    return {}


def _against_head(last: Anchor, head: Anchor) -> Iterator[ChainBreak]:
    """Compare the highest entry seen with the head recorded elsewhere."""
    if last.seq < head.seq:
        gap = _span(last.seq + 1, head.seq)
        yield ChainBreak(last.seq + 1, BreakKind.TRUNCATED, f"{gap} missing at the end: truncated")
    elif last.seq > head.seq:
        yield ChainBreak(
            head.seq + 1,
            BreakKind.HEAD_MISMATCH,
            f"the chain goes on to seq {last.seq} past the recorded head at seq {head.seq}",
        )
    elif last.hash != head.hash:
        yield ChainBreak(
            head.seq,
            BreakKind.HEAD_MISMATCH,
            f"seq {head.seq} has another hash than the recorded head: the chain was rebuilt",
        )


def _span(first: int, last: int) -> str:
    return f"seq {first}" if first == last else f"seq {first}..{last}"


class AuditRecord(TypedDict):
    """The record the service writes; people appear only as request ids or keyed hashes."""

    at: datetime
    actor: str
    event: str
    request_id: str | None
    status_from: str | None
    status_to: str | None
    reason: str | None
    data: dict[str, Any]


def audit_record(
    *,
    at: datetime,
    actor: str,
    event: str,
    request_id: str | None = None,
    status_from: str | None = None,
    status_to: str | None = None,
    reason: str | None = None,
    data: Mapping[str, Any] | None = None,
) -> AuditRecord:
    """An audit record with every key present (``data`` defaults to ``{}``) in UTC."""
    if at.tzinfo is None:
        raise ValueError("audit time must be timezone-aware")
    return {
        "at": at.astimezone(UTC),
        "actor": actor,
        "event": event,
        "request_id": request_id,
        "status_from": status_from,
        "status_to": status_to,
        "reason": reason,
        "data": dict(data or {}),
    }

"""The hash chain: canonical bytes, sealing, and every kind of tampering found at the right seq."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from enum import Enum, IntEnum
from typing import Any
from uuid import UUID

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from rightsdesk.audit.chain import (
    GENESIS,
    ORIGIN,
    Anchor,
    BreakKind,
    ChainEntry,
    audit_record,
    canonical,
    link,
    seal,
    verify,
)
from rightsdesk.domain.requests import Status

Chain = list[ChainEntry]
AT = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def build(records: list[dict[str, Any]], prev_hash: str = GENESIS) -> Chain:
    """Seal records in order; a ``prev_hash`` other than GENESIS forges the origin."""
    entries: Chain = []
    for record in records:
        if entries:
            entries.append(seal(entries[-1], record))
        else:
            entries.append(ChainEntry(1, record, prev_hash, link(prev_hash, 1, record)))
    return entries


def records(n: int) -> list[dict[str, Any]]:
    return [
        dict(
            audit_record(
                at=AT + timedelta(minutes=i),
                actor="system",
                event="verify",
                request_id=f"req-{i}",
                status_from=Status.RECEIVED,
                status_to=Status.VERIFIED,
                data={"step": i},
            )
        )
        for i in range(n)
    ]


def rehash_from(entries: Chain, start: int) -> Chain:
    """Recompute every link from index ``start`` on, as an attacker with write access would."""
    out = entries[:start]
    for entry in entries[start:]:
        prev = out[-1].hash if out else GENESIS
        out.append(ChainEntry(entry.seq, entry.record, prev, link(prev, entry.seq, entry.record)))
    return out


# --- canonical ------------------------------------------------------------------------------


class Colour(Enum):
    RED = "red"


class Level(IntEnum):
    HIGH = 3


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ({"b": 1, "a": 2}, '{"a":2,"b":1}'),
        ({"at": datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)}, '{"at":"2025-01-02T03:04:05Z"}'),
        (
            {"at": datetime(2025, 1, 2, 5, 4, 5, 7, tzinfo=timezone(timedelta(hours=2)))},
            '{"at":"2025-01-02T03:04:05.000007Z"}',
        ),
        ({"d": date(2025, 1, 2)}, '{"d":"2025-01-02"}'),
        (
            {"s": Status.VERIFIED, "c": Colour.RED, "l": Level.HIGH},
            '{"c":"red","l":3,"s":"verified"}',
        ),
        ({"u": UUID(int=1)}, '{"u":"00000000-0000-0000-0000-000000000001"}'),
        ({"t": (1, [2, None]), "f": 0.5, "b": True}, '{"b":true,"f":0.5,"t":[1,[2,null]]}'),
        ({"name": "Zoë 🙂"}, '{"name":"Zoë 🙂"}'),
        ({"nested": {"z": 1, "a": {"y": 2, "b": 3}}}, '{"nested":{"a":{"b":3,"y":2},"z":1}}'),
    ],
)
def test_canonical_form(record: dict[str, Any], expected: str) -> None:
    assert canonical(record) == expected.encode("utf-8")


@pytest.mark.parametrize(
    ("record", "error", "match"),
    [
        ({"x": math.nan}, ValueError, "nan"),
        ({"x": [math.inf]}, ValueError, r"\$\.x\[0\]"),
        ({"at": datetime(2025, 1, 1)}, ValueError, "naive"),
        ({"x": {1, 2}}, TypeError, "set"),
        ({"x": b"raw"}, TypeError, "bytes"),
        ({"x": {1: "a"}}, TypeError, "key 1"),
        ({"x": object()}, TypeError, "object"),
    ],
)
def test_canonical_refuses_what_it_cannot_render_exactly(
    record: dict[str, Any], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        canonical(record)


def test_canonical_refuses_a_non_mapping() -> None:
    with pytest.raises(TypeError, match="mapping"):
        canonical([1, 2])  # type: ignore[arg-type]


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


@given(st.dictionaries(st.text(), json_values, max_size=5))
def test_canonical_of_its_own_parse_is_identical(record: dict[str, Any]) -> None:
    once = canonical(record)
    assert canonical(json.loads(once)) == once


def test_a_stored_record_rehashes_to_the_same_link() -> None:
    record = records(1)[0]
    stored = json.loads(canonical(record))  # what a JSON column gives back
    assert link(GENESIS, 1, stored) == link(GENESIS, 1, record)


# --- link and seal --------------------------------------------------------------------------


def test_link_covers_prev_hash_seq_and_record() -> None:
    record = {"event": "x"}
    base = link(GENESIS, 1, record)
    assert len(base) == 64
    assert link(GENESIS, 2, record) != base
    assert link("1" * 64, 1, record) != base
    assert link(GENESIS, 1, {"event": "y"}) != base


@pytest.mark.parametrize(
    ("prev_hash", "seq", "match"),
    [("abc", 1, "64 lowercase hex"), ("A" * 64, 1, "64 lowercase hex"), (GENESIS, 0, "positive")],
)
def test_link_refuses_bad_positions(prev_hash: str, seq: int, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        link(prev_hash, seq, {})


def test_seal_starts_at_genesis_and_follows_its_predecessor() -> None:
    first = seal(None, {"event": "a"})
    second = seal(first, {"event": "b"})
    assert (first.seq, first.prev_hash) == (1, GENESIS)
    assert (second.seq, second.prev_hash) == (2, first.hash)
    assert second.anchor == Anchor(2, second.hash)


def test_seal_keeps_a_read_only_copy() -> None:
    record = {"event": "a"}
    entry = seal(None, record)
    record["event"] = "changed later"
    assert entry.record["event"] == "a"
    with pytest.raises(TypeError):
        entry.record["event"] = "b"  # type: ignore[index]


@pytest.mark.parametrize("n", [0, 1, 2, 7])
def test_an_intact_chain_verifies_with_and_without_its_head(n: int) -> None:
    entries = build(records(n))
    head = entries[-1].anchor if entries else ORIGIN
    assert verify(entries) == []
    assert verify(iter(entries), head=head) == []  # streams: any iterable will do


def test_audit_record_has_every_key_in_utc() -> None:
    record = audit_record(
        at=datetime(2025, 1, 1, 2, tzinfo=timezone(timedelta(hours=2))), actor="system", event="x"
    )
    assert record["at"] == datetime(2025, 1, 1, tzinfo=UTC)
    assert record["at"].tzinfo is UTC
    assert set(record) == {
        "at",
        "actor",
        "event",
        "request_id",
        "status_from",
        "status_to",
        "reason",
        "data",
    }
    with pytest.raises(ValueError, match="timezone"):
        audit_record(at=datetime(2025, 1, 1), actor="system", event="x")


# --- tampering ------------------------------------------------------------------------------

Tamper = Callable[[Chain], Chain]


def edit(index: int, **fields: Any) -> Tamper:
    def apply(entries: Chain) -> Chain:
        out = list(entries)
        out[index] = replace(out[index], **fields)
        return out

    return apply


def edit_record(index: int, *, rehash: bool) -> Tamper:
    def apply(entries: Chain) -> Chain:
        out = list(entries)
        e = out[index]
        record = {**e.record, "reason": "rewritten"}
        digest = link(e.prev_hash, e.seq, record) if rehash else e.hash
        out[index] = ChainEntry(e.seq, record, e.prev_hash, digest)
        return out

    return apply


def rebuild_after_edit(index: int) -> Tamper:
    return lambda entries: rehash_from(edit_record(index, rehash=False)(entries), index)


def delete(*indexes: int) -> Tamper:
    return lambda entries: [e for i, e in enumerate(entries) if i not in indexes]


def swap(i: int, j: int) -> Tamper:
    def apply(entries: Chain) -> Chain:
        out = list(entries)
        out[i], out[j] = out[j], out[i]
        return out

    return apply


def duplicate(index: int) -> Tamper:
    return lambda entries: [*entries[: index + 1], entries[index], *entries[index + 1 :]]


def renumber_after_delete(index: int) -> Tamper:
    """Drop an entry, shift later seqs down and re-hash each entry alone (prev_hash kept)."""

    def apply(entries: Chain) -> Chain:
        out = entries[:index]
        for e in entries[index + 1 :]:
            seq = e.seq - 1
            out.append(ChainEntry(seq, e.record, e.prev_hash, link(e.prev_hash, seq, e.record)))
        return out

    return apply


def forge_genesis(entries: Chain) -> Chain:
    return build([dict(e.record) for e in entries], prev_hash="f" * 64)


def restart_from_genesis(index: int) -> Tamper:
    def apply(entries: Chain) -> Chain:
        out = list(entries)
        e = out[index]
        out[index] = ChainEntry(e.seq, e.record, GENESIS, link(GENESIS, e.seq, e.record))
        return out

    return apply


LAST = 5  # index of the last of six entries
HEAD = "head"  # use the intact chain's head as the anchor


@pytest.mark.parametrize(
    ("tamper", "use_head", "expected"),
    [
        pytest.param(edit_record(2, rehash=False), False, [(BreakKind.EDITED, 3)], id="edit-field"),
        pytest.param(edit(2, hash="e" * 64), False, [(BreakKind.EDITED, 3)], id="edit-hash"),
        pytest.param(edit(2, seq=9), False, [(BreakKind.EDITED, 3)], id="edit-seq"),
        pytest.param(edit(LAST, record={}), True, [(BreakKind.EDITED, 6)], id="edit-last"),
        pytest.param(
            edit(2, record={"x": {1}}), False, [(BreakKind.MALFORMED, 3)], id="malformed-record"
        ),
        pytest.param(
            edit(2, prev_hash="nope"), False, [(BreakKind.MALFORMED, 3)], id="malformed-prev"
        ),
        pytest.param(edit_record(2, rehash=True), False, [(BreakKind.REMOVED, 4)], id="rehash-one"),
        pytest.param(delete(2), False, [(BreakKind.REMOVED, 3)], id="delete-middle"),
        pytest.param(delete(2, 3), False, [(BreakKind.REMOVED, 3)], id="delete-two"),
        pytest.param(delete(0), False, [(BreakKind.REMOVED, 1)], id="delete-first"),
        pytest.param(
            renumber_after_delete(2),
            True,
            [(BreakKind.REMOVED, 3), (BreakKind.TRUNCATED, 6)],
            id="delete-renumber",
        ),
        pytest.param(swap(4, 5), True, [(BreakKind.REORDERED, 5)], id="swap-at-the-end"),
        pytest.param(duplicate(LAST), True, [(BreakKind.REORDERED, 7)], id="duplicate-last"),
        pytest.param(swap(2, 3), False, [(BreakKind.REORDERED, 3)], id="swap-neighbours"),
        pytest.param(
            swap(1, 4), False, [(BreakKind.REORDERED, 2), (BreakKind.REORDERED, 5)], id="swap-apart"
        ),
        pytest.param(duplicate(2), False, [(BreakKind.REORDERED, 4)], id="duplicate"),
        pytest.param(forge_genesis, False, [(BreakKind.FORGED_GENESIS, 1)], id="forged-genesis"),
        pytest.param(restart_from_genesis(3), False, [(BreakKind.FORGED_GENESIS, 4)], id="restart"),
        pytest.param(delete(4, 5), True, [(BreakKind.TRUNCATED, 5)], id="truncate"),
        pytest.param(delete(0, 1, 2, 3, 4, 5), True, [(BreakKind.TRUNCATED, 1)], id="truncate-all"),
        pytest.param(
            edit_record(LAST, rehash=True), True, [(BreakKind.HEAD_MISMATCH, 6)], id="rehash-last"
        ),
        pytest.param(
            rebuild_after_edit(1), True, [(BreakKind.HEAD_MISMATCH, 6)], id="rebuild-tail"
        ),
    ],
)
def test_each_tampering_gives_the_right_kind_at_the_right_seq_without_noise(
    tamper: Tamper, use_head: bool, expected: list[tuple[BreakKind, int]]
) -> None:
    entries = build(records(6))
    breaks = verify(tamper(entries), head=entries[-1].anchor if use_head else None)
    assert [(b.kind, b.seq) for b in breaks] == expected, breaks
    assert all(b.message for b in breaks)


def test_an_extra_entry_after_the_head_is_a_head_mismatch() -> None:
    entries = build(records(3))
    longer = [*entries, seal(entries[-1], {"event": "sneaked in"})]
    [found] = verify(longer, head=entries[-1].anchor)
    assert (found.kind, found.seq) == (BreakKind.HEAD_MISMATCH, 4)
    assert "past the recorded head at seq 3" in found.message


@pytest.mark.parametrize(
    "tamper",
    [pytest.param(delete(4, 5), id="truncate"), pytest.param(rebuild_after_edit(1), id="rebuild")],
)
def test_without_a_head_truncation_and_full_rebuilds_go_unseen(tamper: Tamper) -> None:
    """The documented limit: only an anchor kept elsewhere catches these."""
    assert verify(tamper(build(records(6)))) == []


def test_separate_runs_give_separate_breaks() -> None:
    entries = build(records(10))
    tampered = edit_record(1, rehash=False)(delete(6)(entries))
    assert [(b.kind, b.seq) for b in verify(tampered)] == [
        (BreakKind.EDITED, 2),
        (BreakKind.REMOVED, 7),
    ]


# --- property: any single-entry mutation is detected ---------------------------------------

record_strategy = st.fixed_dictionaries(
    {
        "event": st.sampled_from(["verify", "start", "complete"]),
        "data": st.dictionaries(st.text(max_size=3), json_values, max_size=2),
    }
)


@st.composite
def mutated_chains(draw: st.DrawFn) -> tuple[Chain, Chain]:
    entries = build(draw(st.lists(record_strategy, min_size=1, max_size=8)))
    i = draw(st.integers(0, len(entries) - 1))
    e = entries[i]
    how = draw(
        st.sampled_from(
            ["record", "record+rehash", "seq", "prev_hash", "hash", "delete", "duplicate", "move"]
        )
    )
    out = list(entries)
    if how in ("record", "record+rehash"):
        record = draw(record_strategy)
        assume(record != e.record)
        digest = link(e.prev_hash, e.seq, record) if how == "record+rehash" else e.hash
        out[i] = ChainEntry(e.seq, record, e.prev_hash, digest)
    elif how == "seq":
        seq = draw(st.integers(1, 12).filter(lambda s: s != e.seq))
        out[i] = replace(e, seq=seq)
    elif how in ("prev_hash", "hash"):
        value = draw(st.text("0123456789abcdef", min_size=64, max_size=64))
        assume(value != getattr(e, how))
        out[i] = replace(e, prev_hash=value) if how == "prev_hash" else replace(e, hash=value)
    elif how == "delete":
        del out[i]
    elif how == "duplicate":
        out.insert(i, e)
    else:
        j = draw(st.integers(0, len(entries) - 1).filter(lambda j: j != i))
        out.insert(j, out.pop(i))
    return entries, out


@settings(max_examples=300)
@given(mutated_chains())
def test_any_single_entry_mutation_is_detected(chains: tuple[Chain, Chain]) -> None:
    original, mutated = chains
    assert verify(mutated, head=original[-1].anchor) != []

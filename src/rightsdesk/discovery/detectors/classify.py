"""Classify a column from a bounded stream of its values: which kinds of personal data it holds."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rightsdesk.discovery.detectors.detector import Detector
from rightsdesk.discovery.detectors.registry import DETECTORS
from rightsdesk.discovery.detectors.tokens import random_token

#: Confidence a column-name hint gives on its own, when no values could be checked.
HINT_ONLY = 0.3
#: Kinds scoring below this in a structured column are not reported.
MIN_CONFIDENCE = 0.05
#: Detectors whose content weight is below this are not searched for inside free text.
TEXT_WEIGHT = 0.5
#: Values looked at in all (empty ones included) per sampled non-empty value, at most.
SCAN_FACTOR = 10
EXAMPLES = 3
_EXAMPLE_LENGTH = 64


@dataclass(frozen=True)
class KindScore:
    """One kind of personal data found in a column, with a 0..1 confidence and why."""

    detector: str
    category: str
    confidence: float
    matched: int
    checked: int
    evidence: str
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class ColumnFinding:
    """What a column holds: kinds by falling confidence, whether it is free text or secret.

    ``checked`` counts the non-empty values looked at, ``distinct`` how many of them differ and
    ``tokens`` how many look like random tokens (``tokens.random_token``).
    """

    column: str
    kinds: tuple[KindScore, ...]
    free_text: bool
    secret: bool
    checked: int = 0
    distinct: int = 0
    tokens: int = 0

    @property
    def best(self) -> KindScore | None:
        """The most confident kind, if any."""
        return self.kinds[0] if self.kinds else None


@dataclass
class _Tally:
    """Counts for one detector over the sampled values; keeps at most a few examples."""

    detector: Detector
    hint: str | None
    whole: int = 0
    found: int = 0
    context: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, value: str) -> None:
        if self.detector.matches(value, hinted=self.hint is not None):
            self.whole += 1
            self.found += 1
            self._keep(value)
        elif self.detector.weight >= TEXT_WEIGHT and (hit := self.detector.find(value)):
            self.found += 1
            self.context += self.detector.in_context(value)
            self._keep(hit)

    def _keep(self, value: str) -> None:
        if self.detector.secret or len(self.examples) >= EXAMPLES:
            return
        value = value[:_EXAMPLE_LENGTH]
        if value not in self.examples:
            self.examples.append(value)


@dataclass
class _Shape:
    """Running totals that tell free text from structured values."""

    checked: int = 0
    length: int = 0
    spaced: int = 0
    tokens: int = 0
    seen: set[str] = field(default_factory=set)

    def add(self, value: str) -> None:
        self.checked += 1
        self.length += len(value)
        self.spaced += " " in value
        self.tokens += random_token(value)
        self.seen.add(value)

    def free_text(self, best_share: float) -> bool:
        if not self.checked or best_share >= 0.5 or self.tokens * 2 >= self.checked:
            return False  # mostly one kind, or mostly random tokens: structured values
        mean = self.length / self.checked
        return mean >= 40 or (mean >= 20 and self.spaced * 2 >= self.checked)


def classify_column(
    name: str,
    values: Iterable[str | None],
    *,
    sample: int = 1000,
    detectors: Sequence[Detector] = DETECTORS,
) -> ColumnFinding:
    """Classify a column from at most ``sample`` non-empty values (and ``10 * sample`` in all)."""
    if sample < 1:
        raise ValueError(f"sample must be at least 1, not {sample}")
    tallies = [_Tally(d, d.hint(name)) for d in detectors]
    shape = _Shape()
    for position, raw in enumerate(values):
        if shape.checked >= sample or position >= sample * SCAN_FACTOR:
            break
        value = raw.strip() if raw is not None else ""
        if not value:
            continue
        shape.add(value)
        for tally in tallies:
            tally.add(value)
    best = max((t.whole for t in tallies), default=0)
    free_text = shape.free_text(best / shape.checked if shape.checked else 0.0)
    scored = (_score(name, t, shape.checked, free_text) for t in tallies)
    kinds = sorted((k for k in scored if k is not None), key=lambda k: -k.confidence)
    secrets = {d.name for d in detectors if d.secret}
    return ColumnFinding(
        column=name,
        kinds=tuple(kinds),
        free_text=free_text,
        secret=any(k.detector in secrets for k in kinds),
        checked=shape.checked,
        distinct=len(shape.seen),
        tokens=shape.tokens,
    )


def _score(column: str, tally: _Tally, checked: int, free_text: bool) -> KindScore | None:
    """Turn one detector's counts into a reported kind, or None when there is nothing to report."""
    d = tally.detector
    if free_text:
        if not tally.found:
            return None
        confidence = d.weight * (1 - 0.5**tally.found) + (0.05 if tally.context else 0.0)
        evidence = f"{tally.found}/{checked} free-text values contain {d.noun}"
        if tally.context:
            evidence += f", {tally.context} of them next to words like {d.context_words[0]!r}"
        return _kind(tally, min(confidence, 1.0), tally.found, checked, evidence)
    hint = f"column name {column!r} hints {tally.hint!r}" if tally.hint else ""
    if not checked:
        if not tally.hint:
            return None
        return _kind(tally, HINT_ONLY, 0, 0, f"no non-empty values sampled; {hint}")
    share = tally.whole / checked
    confidence = HINT_ONLY + (1 - HINT_ONLY) * share if tally.hint else d.weight * share
    if not tally.whole or confidence < MIN_CONFIDENCE:
        return None
    evidence = f"{tally.whole}/{checked} values are {d.noun}" + (f"; {hint}" if hint else "")
    return _kind(tally, confidence, tally.whole, checked, evidence)


def _kind(tally: _Tally, confidence: float, matched: int, checked: int, why: str) -> KindScore:
    d = tally.detector
    examples = () if d.secret else tuple(tally.examples)
    return KindScore(d.name, d.category, round(confidence, 3), matched, checked, why, examples)

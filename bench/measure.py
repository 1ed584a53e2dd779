"""Timing helpers: run interleaved, report medians, never trust one number."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial


@dataclass
class Timing:
    samples: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]

    def ms(self) -> str:
        return f"{self.median * 1000:.2f} ms (p95 {self.p95 * 1000:.2f})"


def clock(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def interleaved(
    count: int, first: Callable[[int], object], second: Callable[[int], object]
) -> tuple[Timing, Timing]:
    """Alternate the two so that machine noise hits both alike."""
    a: list[float] = []
    b: list[float] = []
    for number in range(count):
        a.append(clock(partial(first, number)))
        b.append(clock(partial(second, number)))
    return Timing(a), Timing(b)

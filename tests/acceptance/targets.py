"""The issue's targets, and the floors/ceilings an application is held to until it meets them."""

from __future__ import annotations

from dataclasses import dataclass

from tests.acceptance.scorer import AppScore


@dataclass(frozen=True)
class Limits:
    """Worst figures allowed: a regression past any of them fails the suite."""

    recall: float = 1.0  # floor: every scored person's rows together
    precision: float = 0.99  # floor, worst person
    surviving: int = 0  # ceiling: the people's values still found after their erasure
    others_changed: int = 0  # ceiling: rows not theirs changed by their erasure
    broken: int = 0  # ceiling: rows left pointing at nothing
    failed_runs: int = 0  # ceiling: erasures that exited non-zero


#: Issue 12's targets on every application.
TARGET = Limits()


def check(score: AppScore, limits: Limits) -> None:
    """Assert ``score`` is within ``limits`` (all at once, so one run shows every miss)."""
    misses = [
        f"{what}: {got} (allowed {allowed})"
        for what, got, allowed, ok in [
            ("recall", score.recall, limits.recall, score.recall >= limits.recall),
            ("precision", score.precision, limits.precision, score.precision >= limits.precision),
            ("surviving", score.surviving, limits.surviving, score.surviving <= limits.surviving),
            (
                "others changed",
                score.others_changed,
                limits.others_changed,
                score.others_changed <= limits.others_changed,
            ),
            ("broken FKs", score.broken, limits.broken, score.broken <= limits.broken),
            (
                "failed",
                score.failed_runs,
                limits.failed_runs,
                score.failed_runs <= limits.failed_runs,
            ),
        ]
        if not ok
    ]
    assert not misses, f"{score.app} on {score.backend}: " + "; ".join(misses)

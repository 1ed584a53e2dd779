"""What every transition table shares: the lookup, and the error naming what is possible now."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

from rightsdesk.domain.errors import Code, ConflictError

S = TypeVar("S", bound=StrEnum)
E = TypeVar("E", bound=StrEnum)


class StateError(ConflictError):
    """An event that a transition table does not allow from the current state."""

    code = Code.NOT_NOW

    def __init__(self, what: str, state: StrEnum, event: StrEnum, allowed: list[str]) -> None:
        self.state, self.event = state, event
        super().__init__(
            f"cannot {event.value} a {what} that is {state.value}"
            + (f" (possible now: {', '.join(allowed)})" if allowed else " (it is closed)")
        )


def allowed(table: Mapping[tuple[S, E], S], state: S) -> list[str]:
    """The events the table allows from ``state``, by name."""
    return sorted(e.value for (s, e) in table if s is state)


def next_state(what: str, table: Mapping[tuple[S, E], S], state: S, event: E) -> S:
    """The state after ``event``, or StateError when ``table`` does not allow it."""
    try:
        return table[(state, event)]
    except KeyError:
        raise StateError(what, state, event, allowed(table, state)) from None

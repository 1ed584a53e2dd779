"""Column types: aware UTC datetimes on every backend, and a request's typed outcome as JSON."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, TypeDecorator
from sqlalchemy.engine import Dialect

from rightsdesk.domain.outcome import Outcome


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite keeps no zone, so naive UTC is stored)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class OutcomeJSON(TypeDecorator[Outcome]):
    """A request's ``Outcome``, stored as the JSON object it always was (no migration)."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: Outcome | None, dialect: Dialect) -> dict[str, Any] | None:
        return None if value is None else value.to_json()

    def process_result_value(self, value: Any, dialect: Dialect) -> Outcome | None:
        return None if value is None else Outcome.from_json(value)

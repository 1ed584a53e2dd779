"""Engine checkpoints in rightsdesk's own store, so a worker on any machine resumes a run.

A file checkpoint lives on the machine that wrote it; when a worker dies half-way through an
erasure, the worker that takes the job over may run elsewhere, so request jobs keep their runs'
state in the store. The ``changes`` part carries key values of the people concerned while the
run applies (as the request's own identity rows do); the engine empties it when the run is
done, so afterwards only counts per collection remain.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from rightsdesk.engine.checkpoint import Parts
from rightsdesk.service.runtime.context import Clock
from rightsdesk.store.db import Store
from rightsdesk.store.models import Checkpoint


class DbCheckpoints:
    """A ``CheckpointStore`` on the ``checkpoints`` table: one row per (run, part), upserted."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store, self.clock = store, clock
        self._dialect = store.engine.dialect.name

    def load(self, run_id: str) -> Parts | None:
        with self.store.session() as session:
            rows = session.execute(
                select(Checkpoint.part, Checkpoint.value).where(Checkpoint.run_id == run_id)
            ).all()
        return cast(Parts, {part: value for part, value in rows}) or None

    def save(self, run_id: str, parts: Parts, *, durable: bool = True) -> None:
        now = self.clock()
        with self.store.session() as session:
            if not durable and self._dialect == "postgresql":
                # a commit mark may be lost with the server: re-applying is idempotent
                session.execute(text("SET LOCAL synchronous_commit = off"))
            for part, value in parts.items():
                self._upsert(session, {"run_id": run_id, "part": part, "value": value}, now)

    def _upsert(self, session: Session, row: dict[str, Any], now: Any) -> None:
        row["updated_at"] = now
        if self._dialect in ("postgresql", "sqlite"):
            insert = postgres_insert if self._dialect == "postgresql" else sqlite_insert
            statement = insert(Checkpoint).values(**row)
            excluded = statement.excluded
            session.execute(
                statement.on_conflict_do_update(
                    index_elements=["run_id", "part"],
                    set_={"value": excluded.value, "updated_at": excluded.updated_at},
                )
            )
        else:  # other stores: read-then-write under the row lock of the unit of work
            session.merge(Checkpoint(**row))

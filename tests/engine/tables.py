"""Test helpers: a small schema created and filled on any backend, and an engine over it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from rightsdesk.connectors.sql import SqlConnector
from rightsdesk.datamap import loads
from rightsdesk.engine.runner import Engine
from rightsdesk.masking.base import MaskingKey


def fill(url: str, meta: sa.MetaData, rows: dict[sa.Table, list[dict[str, Any]]]) -> None:
    engine = sa.create_engine(url)
    meta.create_all(engine)
    with engine.begin() as conn:
        for table, values in rows.items():
            conn.execute(sa.insert(table), values)
    engine.dispose()


@contextmanager
def engine_for(map_text: str, url: str) -> Iterator[Engine]:
    """An engine over the one system ``app`` of ``map_text``."""
    connector = SqlConnector("app", url)
    try:
        yield Engine(loads(map_text), {"app": connector}, key=MaskingKey(b"k"))
    finally:
        connector.close()

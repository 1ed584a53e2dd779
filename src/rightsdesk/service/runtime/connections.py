"""The data stores' connectors, opened once per process and shared by every run.

Opening a connector costs a connection and, at first use of each table, a reflection of its
schema; a worker that opened them per job spent most of a small job doing that. Connectors are
safe to share between threads (each thread reads on its own connection, transactions take
their own), so one pool per process serves every run.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from rightsdesk.connectors.base import Connector
from rightsdesk.connectors.registry import open_connector
from rightsdesk.datamap import DataMap
from rightsdesk.domain.errors import RightsdeskError
from rightsdesk.engine.runner import Engine
from rightsdesk.service.runtime import runs

if TYPE_CHECKING:
    from rightsdesk.service.runtime.context import Services


class ConnectorPool:
    """Connectors by (system, kind, url, schema), opened on first use, closed with the process."""

    def __init__(self) -> None:
        self._open: dict[tuple[str, str, str, str | None], Connector] = {}
        self._lock = threading.Lock()

    def for_map(self, datamap: DataMap) -> dict[str, Connector]:
        """A connector for every system of ``datamap``, by system name."""
        found = {}
        with self._lock:
            for system in datamap.systems:
                key = (system.name, system.kind, system.url, system.schema_)
                if key not in self._open:
                    self._open[key] = open_connector(
                        system.name, system.kind, system.url, schema=system.schema_
                    )
                found[system.name] = self._open[key]
        return found

    def discard(self, datamap: DataMap) -> None:
        """Close the connectors of ``datamap``'s systems; the next run opens them afresh."""
        with self._lock:
            keys = [(s.name, s.kind, s.url, s.schema_) for s in datamap.systems]
            dropped = [self._open.pop(k) for k in keys if k in self._open]
        for connector in dropped:
            connector.close()

    def close(self) -> None:
        with self._lock:
            opened, self._open = list(self._open.values()), {}
        for connector in opened:
            connector.close()


@contextmanager
def engine(
    services: Services, datamap: DataMap | None = None, *, limited: bool = True, **options: Any
) -> Iterator[Engine]:
    """An engine for a service workflow over the process's shared connectors, holding a slot of
    every limited system (``service/limits.py``); ``options`` as for ``runs.open_engine``.

    ``limited`` False is for the few reads a person waits for inside a store transaction
    (cancellation pre-checks): waiting for a slot there would hold the transaction open.
    """
    datamap = datamap or services.require_datamap()
    gate = services.limits if limited else None
    try:
        with runs.open_engine(
            datamap, services.settings, pool=services.connectors, limits=gate, **options
        ) as opened:
            yield opened
    except RightsdeskError:
        # a store that failed (moved, restarted, replaced) is reached anew by the next run
        services.connectors.discard(datamap)
        raise

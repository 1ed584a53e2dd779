"""Which connector class serves which system ``kind``: built-ins plus entry points, one path."""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import Any

from rightsdesk.connectors.base import Connector
from rightsdesk.domain.errors import ConnectorError

ENTRY_POINT_GROUP = "rightsdesk.connectors"

#: kind -> "module:Class". Adding a connector is one file and one line here.
BUILTIN: dict[str, str] = {
    "sql": "rightsdesk.connectors.sql:SqlConnector",
}


def kinds() -> dict[str, str]:
    """Every known kind, third-party entry points included (built-ins win on a clash)."""
    found = {ep.name: ep.value for ep in entry_points(group=ENTRY_POINT_GROUP)}
    return {**found, **BUILTIN}


def connector_class(kind: str) -> type[Any]:
    target = kinds().get(kind)
    if target is None:
        raise ConnectorError(kind, f"no connector for kind {kind!r}; known: {sorted(kinds())}")
    module, _, attr = target.partition(":")
    cls: type[Any] = getattr(importlib.import_module(module), attr)
    return cls


def open_connector(system: str, kind: str, url: str, *, schema: str | None = None) -> Connector:
    """Build the connector for one system of a data map (``schema`` only when the map sets it,
    so a third-party connector without schemas keeps its two-argument constructor)."""
    options = {"schema": schema} if schema else {}
    connector: Connector = connector_class(kind)(system, url, **options)
    return connector

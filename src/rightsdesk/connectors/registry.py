"""Which connector class serves which system ``kind``: the ``rightsdesk.connectors`` registry."""

from __future__ import annotations

from typing import Any

from rightsdesk.connectors.base import Connector
from rightsdesk.domain.errors import ConnectorError
from rightsdesk.plugins import PluginError, Registry

ENTRY_POINT_GROUP = "rightsdesk.connectors"

#: kind -> connector class (a ``Connector``), built-ins declared in pyproject.toml like plugins.
CONNECTORS: Registry[type[Any]] = Registry(ENTRY_POINT_GROUP, "connector", callable)


def kinds() -> dict[str, str]:
    """Every known kind -> its ``module:Class``, third-party entry points included."""
    return {name: entry.value for name, entry in CONNECTORS.entries().items()}


def connector_class(kind: str) -> type[Any]:
    try:
        return CONNECTORS.get(kind)
    except PluginError as exc:
        raise ConnectorError(kind, str(exc)) from exc


def open_connector(system: str, kind: str, url: str, *, schema: str | None = None) -> Connector:
    """Build the connector for one system of a data map (``schema`` only when the map sets it,
    so a third-party connector without schemas keeps its two-argument constructor)."""
    options = {"schema": schema} if schema else {}
    connector: Connector = connector_class(kind)(system, url, **options)
    return connector

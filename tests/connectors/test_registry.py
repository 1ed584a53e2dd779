"""Every registered connector class, rightsdesk's own and any installed plugin's, has every
method of the ``Connector`` protocol (the behaviour of the SQL one is in test_contract.py)."""

from __future__ import annotations

import inspect

import pytest

from rightsdesk.connectors.base import Connector
from rightsdesk.connectors.registry import CONNECTORS, connector_class, kinds
from rightsdesk.domain.errors import ConnectorError

METHODS = sorted(n for n, v in vars(Connector).items() if callable(v) and not n.startswith("_"))


@pytest.mark.parametrize("kind", CONNECTORS.names())
def test_a_connector_class_has_the_whole_protocol(kind: str) -> None:
    cls = connector_class(kind)
    for method in METHODS:
        implemented = getattr(cls, method, None)
        assert callable(implemented), f"{kind}: {cls.__name__} has no {method}()"
        wanted = list(inspect.signature(getattr(Connector, method)).parameters)
        assert list(inspect.signature(implemented).parameters)[: len(wanted)] == wanted


@pytest.mark.parametrize("kind", CONNECTORS.names())
def test_a_connector_is_built_from_a_system_name_and_a_url(kind: str) -> None:
    inspect.signature(connector_class(kind)).bind("shop", "scheme://host/db")  # TypeError if not


def test_an_unknown_kind_names_the_known_ones() -> None:
    assert "sql" in kinds()
    with pytest.raises(ConnectorError, match="no connector 'nope'; known: sql"):
        connector_class("nope")

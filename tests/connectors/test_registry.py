"""Every registered connector class, rightsdesk's own and any installed plugin's, has every
method of the ``Connector`` protocol, and all of ``Discoverable`` or none of what it adds (the
behaviour of the SQL one is in test_contract.py)."""

from __future__ import annotations

import inspect

import pytest

from rightsdesk.connectors.base import Connector, Discoverable
from rightsdesk.connectors.registry import CONNECTORS, connector_class, kinds
from rightsdesk.domain.errors import ConnectorError


def _methods(protocol: type) -> list[str]:
    return sorted(n for n, v in vars(protocol).items() if callable(v) and not n.startswith("_"))


def _has(cls: type, protocol: type, method: str) -> bool:
    implemented = getattr(cls, method, None)
    if not callable(implemented):
        return False
    wanted = list(inspect.signature(getattr(protocol, method)).parameters)
    assert list(inspect.signature(implemented).parameters)[: len(wanted)] == wanted, method
    return True


@pytest.mark.parametrize("kind", CONNECTORS.names())
def test_a_connector_class_has_the_whole_protocol(kind: str) -> None:
    cls = connector_class(kind)
    missing = [m for m in _methods(Connector) if not _has(cls, Connector, m)]
    assert not missing, f"{kind}: {cls.__name__} lacks {missing}"


@pytest.mark.parametrize("kind", CONNECTORS.names())
def test_a_connector_offers_all_of_discovery_or_none(kind: str) -> None:
    cls = connector_class(kind)
    offered = {m: _has(cls, Discoverable, m) for m in _methods(Discoverable)}
    assert all(offered.values()) or not any(offered.values()), f"{kind}: {offered}"
    assert issubclass(cls, Discoverable) is all(offered.values())


@pytest.mark.parametrize("kind", CONNECTORS.names())
def test_a_connector_is_built_from_a_system_name_and_a_url(kind: str) -> None:
    inspect.signature(connector_class(kind)).bind("shop", "scheme://host/db")  # TypeError if not


def test_an_unknown_kind_names_the_known_ones() -> None:
    assert "sql" in kinds()
    with pytest.raises(ConnectorError, match="no connector 'nope'; known: sql"):
        connector_class("nope")

"""The shop database (tests/engine/shop.py) on every backend, its data map and connectors."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rightsdesk.connectors.base import Connector
from rightsdesk.connectors.sql import SqlConnector
from rightsdesk.datamap import DataMap, loads
from tests.engine import shop


@pytest.fixture
def shop_url(db_url: str) -> str:
    shop.create(db_url)
    return db_url


@pytest.fixture
def datamap(shop_url: str) -> DataMap:
    return loads(shop.datamap_text(shop_url))


@pytest.fixture
def connectors(datamap: DataMap) -> Iterator[dict[str, Connector]]:
    opened: dict[str, Connector] = {s.name: SqlConnector(s.name, s.url) for s in datamap.systems}
    yield opened
    for connector in opened.values():
        connector.close()

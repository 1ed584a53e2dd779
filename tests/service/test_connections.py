"""The process's connector pool: one connector per system for every run, reopened after errors."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from rightsdesk.datamap import DataMap, loads
from rightsdesk.domain.errors import ConnectorError
from rightsdesk.domain.subjects import Identity, Subject
from rightsdesk.service.runtime import connections
from rightsdesk.service.runtime.context import Services

PERSON = Subject("p1", (Identity("email", "a@example.com"),))


def _datamap(tmp_path: Path) -> DataMap:
    with sqlite3.connect(tmp_path / "app.db") as conn:
        conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)")
        conn.execute("INSERT INTO users VALUES (1, 'a@example.com')")
    return loads(
        f"""\
systems:
  - name: app
    url: sqlite:///{tmp_path / "app.db"}
    collections:
      - name: users
        fields:
          - {{name: id, primary_key: true}}
          - {{name: email, identity: email, categories: user.contact.email}}
""",
        env={},
    )


def test_runs_share_the_pools_connectors(services: Services, tmp_path: Path) -> None:
    datamap = _datamap(tmp_path)
    with connections.engine(services, datamap) as first:
        found = first.find([PERSON])
    with connections.engine(services, datamap) as second:
        assert second.find([PERSON]) == found
    assert (
        services.connectors.for_map(datamap)["app"] is services.connectors.for_map(datamap)["app"]
    )
    assert found["app.users"], "the person's row is found through the shared connector"


def test_a_store_error_drops_the_maps_connectors(services: Services, tmp_path: Path) -> None:
    datamap = _datamap(tmp_path)
    before = services.connectors.for_map(datamap)["app"]
    (tmp_path / "app.db").unlink()
    with pytest.raises(ConnectorError), connections.engine(services, datamap) as engine:
        engine.find([PERSON])
    assert services.connectors.for_map(datamap)["app"] is not before

"""``datamap validate --live``: lookups need an index only where the walk really queries them."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from rightsdesk.connectors.sql import SqlConnector
from rightsdesk.datamap import loads
from rightsdesk.datamap.live import check_live

MAP = """
version: 1
systems:
  - name: app
    url: "{url}"
    collections:
      - name: users
        fields:
          - {{name: id, primary_key: true}}
          - {{name: email, identity: email}}
      - name: visits
        fields:
          - {{name: id, primary_key: true}}
          - {{name: user_id, references: {ref}}}
"""


def _schema(url: str, *, user_id_indexed: bool) -> None:
    meta = sa.MetaData()
    sa.Table(
        "users",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(100), index=True),
    )
    sa.Table(
        "visits",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, index=user_id_indexed),
    )
    engine = sa.create_engine(url)
    meta.create_all(engine)
    engine.dispose()


@pytest.mark.parametrize(
    ("ref", "indexed", "problem"),
    [
        # walked from users into visits: visits.user_id is queried, so it needs an index
        ("users.id", False, "app.visits.user_id: is used to find rows but has no index"),
        ("{field: users.id, direction: from}", False, "app.visits.user_id: is used to find"),
        ("users.id", True, None),
        # walked only from visits to users: users.id is queried (its primary key), never user_id
        ("{field: users.id, direction: to}", False, None),
    ],
)
def test_index_needed_only_on_the_side_the_walk_queries(
    db_url: str, ref: str, indexed: bool, problem: str | None
) -> None:
    _schema(db_url, user_id_indexed=indexed)
    datamap = loads(MAP.format(url=db_url, ref=ref))
    connector = SqlConnector("app", db_url)
    try:
        issues = [str(i) for i in check_live(datamap, {"app": connector.describe()})]
    finally:
        connector.close()
    if problem is None:
        assert issues == []
    else:
        assert len(issues) == 1 and problem in issues[0]


def test_a_primary_key_the_map_does_not_declare_is_told_with_the_line_to_add(
    db_url: str,
) -> None:
    _schema(db_url, user_id_indexed=True)
    text = MAP.format(url=db_url, ref="users.id").replace(
        "- {name: id, primary_key: true}\n          - {name: user_id", "- {name: user_id"
    )
    datamap = loads(text)
    connector = SqlConnector("app", db_url)
    try:
        issues = [str(i) for i in check_live(datamap, {"app": connector.describe()})]
    finally:
        connector.close()
    assert len(issues) == 1, issues
    assert "app.visits" in issues[0] and "primary key 'id' is not declared" in issues[0]
    assert "add {name: id, primary_key: true}" in issues[0]

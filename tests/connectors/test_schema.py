"""``schema:`` on a system: tables outside the default schema, named in the map, not the URL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tests.test_cli import invoke

MAP = """\
version: 1
systems:
  - name: shop
    url: {url}
    {schema}
    collections:
      - name: customers
        erase: delete_row
        fields:
          - {{name: id, primary_key: true}}
          - {{name: email, identity: email, categories: user.contact.email}}
"""


def _shop(admin_url: str, schema: str) -> None:
    """``schema.customers`` with two people, and an empty ``customers`` where the URL points."""
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
        else:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {schema}"))
            conn.execute(sa.text(f"CREATE DATABASE {schema} CHARACTER SET utf8mb4"))
        conn.execute(
            sa.text(f"CREATE TABLE {schema}.customers (id INT PRIMARY KEY, email VARCHAR(80))")
        )
        conn.execute(  # the default's table has drifted from the map: diff must not read it
            sa.text(
                "CREATE TABLE customers (id INT PRIMARY KEY, email VARCHAR(80), mobile VARCHAR(20))"
            )
        )
        conn.execute(sa.text("INSERT INTO customers VALUES (9, 'z@x.org', '13800138000')"))
        conn.execute(sa.text(f"CREATE INDEX customers_email ON {schema}.customers (email)"))
        conn.execute(
            sa.text(f"INSERT INTO {schema}.customers VALUES (1, 'a@example.com'), (2, 'b@x.org')")
        )
    engine.dispose()


@pytest.mark.parametrize(
    "url_fixture",
    [
        pytest.param("postgres_url", id="postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb_url", id="mariadb", marks=pytest.mark.mariadb),
    ],
)
def test_a_system_names_its_schema_and_the_walk_finds_rows_there(
    url_fixture: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url: str = request.getfixturevalue(url_fixture)
    schema = f"rd_shop_{make_url(url).database}"
    _shop(url, schema)
    for line, found in ((f"schema: {schema}", 1), ("", 0)):
        datamap = tmp_path / ("schema.yml" if found else "default.yml")
        datamap.write_text(MAP.format(url=url, schema=line), encoding="utf-8")
        out = tmp_path / f"export-{found}"
        code, output = invoke(
            "access", "--datamap", str(datamap), "-i", "email=a@example.com", "--out", str(out)
        )
        assert code == 0, output
        data = json.loads((out / "data.json").read_text(encoding="utf-8"))
        rows = data["collections"].get("shop.customers", [])
        assert len(rows) == found, data
        checked, said = invoke("datamap", "validate", str(datamap), "--live")
        assert (checked == 0) == bool(found), said  # the default's customers has no index
    drift, said = invoke("datamap", "diff", str(datamap))
    assert drift == 1 and "mobile" in said, said  # the default schema's table, drifted
    drift, said = invoke("datamap", "diff", str(datamap.with_name("schema.yml")))
    assert drift == 0, said
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        else:
            conn.execute(sa.text(f"DROP DATABASE {schema}"))
    engine.dispose()


def test_a_schema_that_is_not_a_name_is_a_data_map_error(tmp_path: Path) -> None:
    datamap = tmp_path / "datamap.yml"
    url = f"sqlite:///{tmp_path / 'x.db'}"
    datamap.write_text(MAP.format(url=url, schema="schema: 'a; DROP'"), encoding="utf-8")
    code, output = invoke("datamap", "validate", str(datamap))
    assert code == 2 and "datamap.yml:5" in output and "schema" in output, output

"""Fresh, empty database URLs per backend; a server that is down fails the test, never skips it."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import MetaData, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError


@dataclass(frozen=True)
class Server:
    title: str
    env: str  # overrides the admin URL
    admin_url: str
    start: str  # how to start it, for the failure message
    drop: str = "DROP DATABASE IF EXISTS {}"
    create: str = "CREATE DATABASE {}"


SERVERS = {
    "postgres": Server(
        "PostgreSQL",
        "RIGHTSDESK_TEST_POSTGRES_URL",
        "postgresql+psycopg://postgres@127.0.0.1:5432/test",
        "sudo service postgresql start",
        drop="DROP DATABASE IF EXISTS {} WITH (FORCE)",
    ),
    "mariadb": Server(
        "MariaDB",
        "RIGHTSDESK_TEST_MARIADB_URL",
        "mysql+pymysql://root@127.0.0.1:3306/",
        "sudo service mariadb start",
        create="CREATE DATABASE {} CHARACTER SET utf8mb4",
    ),
}


def _server_database(server: Server) -> Iterator[str]:
    """Create ``rd_test_<pid>`` for the whole session and drop it afterwards."""
    admin = make_url(os.environ.get(server.env, server.admin_url))
    engine = create_engine(admin, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    name, failure = f"rd_test_{os.getpid()}", ""
    try:
        with engine.connect() as conn:
            conn.execute(text(server.drop.format(name)))
            conn.execute(text(server.create.format(name)))
    except DBAPIError as exc:
        shown = admin.render_as_string(hide_password=True)
        failure = f"{server.title} at {shown} unreachable: {exc.orig}; start it: {server.start}"
    if failure:  # failed outside the except block, so the report is this one line
        engine.dispose()
        pytest.fail(failure, pytrace=False)
    yield admin.set(database=name).render_as_string(hide_password=False)
    with engine.connect() as conn:
        conn.execute(text(server.drop.format(name)))
    engine.dispose()


def _emptied(url: str) -> str:
    """Drop every table in ``url`` (children first) and return it."""
    engine = create_engine(url)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        metadata.drop_all(engine)
    finally:
        engine.dispose()
    return url


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    yield from _server_database(SERVERS["postgres"])


@pytest.fixture(scope="session")
def mariadb_database() -> Iterator[str]:
    yield from _server_database(SERVERS["mariadb"])


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """An empty SQLite database that exists (a connector never creates a missing file)."""
    sqlite3.connect(tmp_path / "test.db").close()
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def postgres_url(postgres_database: str) -> str:
    return _emptied(postgres_database)


@pytest.fixture
def mariadb_url(mariadb_database: str) -> str:
    return _emptied(mariadb_database)


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb", id="mariadb", marks=pytest.mark.mariadb),
    ]
)
def db_url(request: pytest.FixtureRequest) -> str:
    """An empty database on each backend in turn."""
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url

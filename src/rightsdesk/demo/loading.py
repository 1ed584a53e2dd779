"""Bulk loading of generated rows: COPY on PostgreSQL, executemany in one transaction elsewhere."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from typing import Any

from sqlalchemy import Connection, MetaData, create_engine
from sqlalchemy.schema import AddConstraint, DropConstraint

from rightsdesk.demo.people import COLUMNS, Row

Writer = Callable[[Mapping[str, list[Row]]], None]


@contextmanager
def bulk_writer(urls: Mapping[str, str], schemas: Mapping[str, MetaData]) -> Iterator[Writer]:
    """A function writing one batch (table -> rows), each system's part in one transaction.

    ``urls`` and ``schemas`` are keyed by system name; systems sharing a URL share a connection.
    """
    with ExitStack() as stack:
        sessions: dict[str, Connection] = {}  # one connection per distinct URL
        conns: dict[str, Connection] = {}
        for system, metadata in schemas.items():
            url = urls[system]
            if url not in sessions:
                sessions[url] = stack.enter_context(_session(url))
            conns[system] = sessions[url]
            stack.enter_context(_bulk_load(conns[system], metadata))

        def write(batch: Mapping[str, list[Row]]) -> None:
            for system, metadata in schemas.items():
                with conns[system].begin():
                    for table in metadata.sorted_tables:  # parents before children
                        if batch.get(table.name):
                            _insert(conns[system], table.name, batch[table.name])

        yield write


@contextmanager
def _session(url: str) -> Iterator[Connection]:
    """A connection tuned for bulk loading; tidied up (WAL off, statistics) only on success."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA journal_mode=WAL")
                conn.exec_driver_sql("PRAGMA synchronous=OFF")
                conn.commit()
            yield conn
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA journal_mode=DELETE")
            elif conn.dialect.name == "postgresql":
                conn.exec_driver_sql("ANALYZE")
            conn.commit()
    finally:
        engine.dispose()


@contextmanager
def _bulk_load(conn: Connection, metadata: MetaData) -> Iterator[None]:
    """On PostgreSQL, load without secondary indexes and foreign keys, then build them once.

    Building an index or validating a foreign key over loaded rows is several times faster
    than maintaining it row by row during COPY. Afterwards id sequences move past the ids.
    """
    if conn.dialect.name != "postgresql":
        yield
        return
    tables = metadata.sorted_tables
    indexes = [ix for table in tables for ix in table.indexes]
    fks = [fk for table in tables for fk in table.foreign_key_constraints]
    with conn.begin():
        for fk in fks:
            conn.execute(DropConstraint(fk, isolate_from_table=False))
        for index in indexes:
            index.drop(conn)
    yield
    with conn.begin():
        conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
        for index in indexes:
            index.create(conn)
        for fk in fks:
            conn.execute(AddConstraint(fk, isolate_from_table=False))
        for table in tables:
            conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE(MAX(id), 0) + 1, false) FROM {table.name}"
            )


def _insert(conn: Connection, table: str, rows: list[Row]) -> None:
    """Bulk-insert plain tuples: COPY on PostgreSQL, one executemany elsewhere."""
    names = ", ".join(COLUMNS[table])
    if conn.dialect.name == "postgresql":
        raw: Any = conn.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    marks = ", ".join([mark] * len(COLUMNS[table]))
    conn.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)

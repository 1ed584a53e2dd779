"""Keyed reads through a bare DB-API connection: the hot path of every access and erasure.

Statements are built once per (table, key, columns) with SQLAlchemy's quoting and run on one
long-lived connection per thread in autocommit mode, so a read holds no transaction and pays
no pool checkout. IN lists are padded to powers of two so the driver sees few distinct
statements (PostgreSQL gets one ``= ANY(array)`` statement instead). Non-unique keys stream:
psycopg in chunked mode, pymysql with an unbuffered cursor, sqlite3 with fetchmany.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

import sqlalchemy as sa

from rightsdesk.connectors.base import Row
from rightsdesk.connectors.sql_keys import chunks
from rightsdesk.domain.errors import ConnectorError

Processor = Callable[[Any], Any]


def containing_rows(table: sa.Table, wanted: Mapping[str, Sequence[str]]) -> sa.ColumnElement[bool]:
    """Rows where a column holds one of its values as a substring, ignoring ASCII case
    (``lower(column) LIKE '%value%'``, escaped; JSON and other columns compared as text)."""
    tests = []
    for name, values in wanted.items():
        column: sa.ColumnElement[Any] = table.c[name]
        if not isinstance(column.type, sa.String):
            column = sa.cast(column, sa.Text)
        tests += [sa.func.lower(column).contains(v.lower(), autoescape=True) for v in values]
    return sa.or_(sa.false(), *tests)


class ReadPlan(NamedTuple):
    head: str  # "SELECT ... FROM ... WHERE key"
    processors: tuple[tuple[int, Processor], ...]  # result conversions SQLAlchemy would apply
    stream: bool  # the key is not unique: rows may be many


class Reader:
    def __init__(self, name: str, shown_url: str, engine: sa.Engine, chunk_size: int) -> None:
        self.name, self.shown_url, self.engine, self.chunk_size = (
            name,
            shown_url,
            engine,
            chunk_size,
        )
        self.dialect = engine.dialect
        self.kind = "postgresql" if self.dialect.name == "postgresql" else self.dialect.name
        self.mark = "?" if self.dialect.paramstyle == "qmark" else "%s"
        self._local = threading.local()
        self._open: list[Any] = []
        self._lock = threading.Lock()

    def plan(
        self, table: sa.Table, key: sa.Column[Any], columns: list[sa.Column[Any]], stream: bool
    ) -> ReadPlan:
        quote = self.dialect.identifier_preparer
        names = ", ".join(quote.format_column(c) for c in columns)
        head = f"SELECT {names} FROM {quote.format_table(table)} WHERE {quote.format_column(key)}"
        return ReadPlan(head, self.processors(columns), stream)

    def processors(self, columns: Sequence[Any]) -> tuple[tuple[int, Processor], ...]:
        """The result conversions SQLAlchemy would apply to ``columns`` (by position)."""
        found = []
        # psycopg and pymysql return native dates and decimals; sqlite3 returns text and floats
        for index, column in enumerate(columns if self.kind == "sqlite" else []):
            processor = column.type.dialect_impl(self.dialect).result_processor(self.dialect, None)
            if processor is not None:
                found.append((index, processor))
        return tuple(found)

    def scan(self, statement: sa.Select[Any]) -> Iterator[list[Row]]:
        """Every row of ``statement`` in batches, streamed on a connection of its own: a
        whole-table read (the residue scan) without building SQLAlchemy rows."""
        sql = str(statement.compile(dialect=self.dialect))
        plan = ReadPlan(sql, self.processors(list(statement.selected_columns)), True)
        try:
            connection = self.engine.raw_connection()
        except sa.exc.DBAPIError as exc:
            raise self._error(exc.orig or exc) from exc
        try:
            driver: Any = connection.driver_connection
            if self.kind == "postgresql":
                batches = _batched(
                    driver.cursor().stream(sql, size=self.chunk_size), self.chunk_size
                )
            else:
                batches = self._fetched(self._cursor(driver, True), sql)
            for rows in batches:
                yield self._convert(plan, rows) if plan.processors else rows
        except self.dialect.loaded_dbapi.Error as exc:
            raise self._error(exc) from exc
        finally:
            connection.close()

    def _fetched(self, cursor: Any, sql: str) -> Iterator[list[Row]]:
        try:
            cursor.execute(sql)
            while rows := cursor.fetchmany(self.chunk_size):
                yield rows
        finally:
            cursor.close()

    def _error(self, exc: BaseException) -> ConnectorError:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return ConnectorError(self.name, f"cannot read from {self.shown_url}: {reason}")

    def read(self, plan: ReadPlan, keys: list[Any]) -> Iterator[list[Row]]:
        """Batches of about ``chunk_size`` rows whose key is in ``keys`` (already coerced)."""
        batch: list[Row] = []
        try:
            connection = self._connection()
            for chunk in chunks(keys, self.chunk_size):
                for rows in self._execute(connection, plan, chunk):
                    batch.extend(self._convert(plan, rows) if plan.processors else rows)
                    if len(batch) >= self.chunk_size:
                        yield batch
                        batch = []
        except self.dialect.loaded_dbapi.Error as exc:
            self._drop()
            raise self._error(exc) from exc
        if batch:
            yield batch

    def close(self) -> None:
        with self._lock:
            for connection in self._open:
                connection.close()
            self._open.clear()
        self._local = threading.local()

    def _execute(self, connection: Any, plan: ReadPlan, chunk: list[Any]) -> Iterator[list[Any]]:
        driver = connection.driver_connection
        if self.kind == "postgresql":
            cursor = driver.cursor()
            sql = f"{plan.head} = ANY(%s)"
            if plan.stream:
                rows: list[Any] = []
                for row in cursor.stream(sql, (chunk,), size=self.chunk_size):
                    rows.append(row)
                    if len(rows) >= self.chunk_size:
                        yield rows
                        rows = []
                yield rows
                return
            cursor.execute(sql, (chunk,))
            yield cursor.fetchall()
            return
        padded = _padded(chunk)
        sql = f"{plan.head} IN ({', '.join([self.mark] * len(padded))})"
        cursor = self._cursor(driver, plan.stream)
        try:
            cursor.execute(sql, padded)
            while rows := cursor.fetchmany(self.chunk_size):
                yield rows
        finally:
            cursor.close()

    def _cursor(self, driver: Any, stream: bool) -> Any:
        if stream and self.kind in ("mysql", "mariadb"):
            import pymysql.cursors

            return driver.cursor(pymysql.cursors.SSCursor)
        return driver.cursor()

    @staticmethod
    def _convert(plan: ReadPlan, rows: list[Any]) -> list[Row]:
        converted = []
        for row in rows:
            values = list(row)
            for index, processor in plan.processors:
                values[index] = processor(values[index])
            converted.append(tuple(values))
        return converted

    def _connection(self) -> Any:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self.engine.raw_connection()
            driver: Any = connection.driver_connection
            if self.kind == "postgresql":
                driver.autocommit = True
            elif self.kind in ("mysql", "mariadb"):
                driver.autocommit(True)
            self._local.connection = connection
            with self._lock:
                self._open.append(connection)
        return connection

    def _drop(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            self._local.connection = None
            with self._lock:
                if connection in self._open:
                    self._open.remove(connection)
            connection.invalidate()


def _batched(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _padded(chunk: list[Any]) -> list[Any]:
    """Repeat the last key up to the next power of two: IN (a, b, b, b) matches as IN (a, b)."""
    size = 1
    while size < len(chunk):
        size *= 2
    return chunk + [chunk[-1]] * (size - len(chunk))

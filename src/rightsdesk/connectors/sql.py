"""One SQL connector on SQLAlchemy Core for SQLite, PostgreSQL (psycopg 3) and MySQL/MariaDB."""

from __future__ import annotations

import copy
import os
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.exc import NoSuchTableError, SQLAlchemyError
from sqlalchemy.sql.expression import Executable

from rightsdesk.connectors import base, urls
from rightsdesk.connectors.base import (
    Change,
    DeleteOlder,
    DeleteWhere,
    Row,
    UpdateRows,
    UpdateWhere,
)
from rightsdesk.connectors.sql_keys import (
    COERCERS,
    SKIP,
    Coerce,
    as_is,
    chunks,
    key_of,
    python_type,
    to_str,
    to_str_in,
    unique_keys,
)
from rightsdesk.connectors.sql_read import Reader, ReadPlan
from rightsdesk.connectors.sql_schema import reflecting, table_info
from rightsdesk.domain.errors import ConnectorError

Column = sa.Column[Any]
#: a value quoted in a driver message ("Duplicate entry 'a@b.c' for key", 'type date: "x"')
_QUOTED_VALUE = re.compile(r"""(entry |: )(['"]).*?\2(?= for |["')]*$)""")


def _bind_type(column: Column) -> Any:
    """The key's type without length or precision, so a bound value is never cast and cut short."""
    t = column.type
    if isinstance(t, sa.Integer):
        return sa.BigInteger()
    if isinstance(t, sa.CHAR | sa.Numeric) and not isinstance(t, sa.Float):
        return sa.Text() if isinstance(t, sa.CHAR) else sa.Numeric()
    if isinstance(t, sa.String) and t.length is not None:
        unbounded = copy.copy(t)
        unbounded.length = None
        return unbounded
    return t


def _is_unique(table: sa.Table, column: Column) -> bool:
    """True when at most one row can hold a given key value (so no server-side cursor is needed)."""
    sets = [table.primary_key.columns, *(ix.columns for ix in table.indexes if ix.unique)]
    sets += [c.columns for c in table.constraints if isinstance(c, sa.UniqueConstraint)]
    return bool(column.unique) or any([c.name for c in s] == [column.name] for s in sets)


class _Prepared(NamedTuple):
    statement: Executable
    coerce: Coerce
    stream: bool
    read: ReadPlan | None = None


class SqlConnector:
    """A relational database behind one SQLAlchemy URL; see ``base.Connector`` for the contract."""

    def __init__(
        self, name: str, url: str, *, chunk_size: int = 500, schema: str | None = None
    ) -> None:
        if chunk_size < 1:
            raise ValueError(f"chunk_size must be positive, got {chunk_size}")
        self.name, self.chunk_size = name, chunk_size
        parsed = urls.parse(name, url, schema)
        self.url = parsed.render_as_string(hide_password=True)
        self._engine = urls.open_engine(name, url, schema=schema, hide_parameters=True)
        self._pg = self._engine.dialect.name == "postgresql"
        self._sqlite_file: str | None = None
        if self._engine.dialect.name == "sqlite":
            sa.event.listen(self._engine, "connect", _sqlite_foreign_keys_on)
            if parsed.database and parsed.database != ":memory:" and "mode=memory" not in url:
                self._sqlite_file = os.path.abspath(parsed.database)
        self._tables: dict[str, sa.Table] = {}
        self._described: dict[str, base.TableInfo] = {}
        self._plans: dict[tuple[str, str, str, tuple[str, ...]], _Prepared] = {}
        self._reader = Reader(name, self.url, self._engine, chunk_size)

    def check(self) -> None:
        """Raise ConnectorError unless a connection opens and answers ``SELECT 1``."""
        with self._errors("cannot connect to"), self._engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))

    def read(
        self, collection: str, key: str, values: Sequence[Any], columns: Sequence[str]
    ) -> Iterator[list[Row]]:
        """Stream matching rows; unknown table or column names fail here, not at the first batch."""
        with self._errors("cannot read from"):
            plan = self._plan(self._engine, "select", collection, key, tuple(columns))
        assert plan.read is not None
        return self._reader.read(plan.read, unique_keys(plan.coerce, values))

    def scan(self, collection: str, columns: Sequence[str]) -> Iterator[list[Row]]:
        """Stream every row of ``collection`` (``columns`` only) in batches of ``chunk_size``."""
        with self._errors("cannot read from"):
            table = self._table(self._engine, collection)
            missing = [c for c in columns if c not in table.c]
            if missing:
                raise ConnectorError(self.name, f"table {collection!r}: has no column(s) {missing}")
        return self._scan(table, list(columns))

    def _scan(self, table: sa.Table, columns: list[str]) -> Iterator[list[Row]]:
        statement = sa.select(*(table.c[c] for c in columns))
        with self._errors("cannot read from"), self._engine.connect() as conn:
            result = conn.execution_options(stream_results=True).execute(statement)
            for part in result.partitions(self.chunk_size):
                yield [tuple(r) for r in part]

    def begin(self) -> SqlTransaction:
        """Open a transaction; the caller commits or rolls back (see ``SqlTransaction``)."""
        return SqlTransaction(self, self._session(shared=True))

    def apply(self, changes: Sequence[Change]) -> list[int]:
        """Run every change in one transaction and return rowcounts; on error nothing is kept."""
        transaction = SqlTransaction(self, self._session(shared=False))
        counts = transaction.apply(changes)
        transaction.commit()
        return counts

    def describe(self, tables: Sequence[str] | None = None) -> base.SchemaInfo:
        """Reflect the tables (not views) of the default schema, or only ``tables``.

        Tables named in ``tables`` are described once per connector and kept: an erasure asks
        for the tables it masks on every run.
        """
        if tables is None:
            return base.SchemaInfo(self._reflect(None))
        wanted = sorted(set(tables))
        missing = [t for t in wanted if t not in self._described]
        if missing:
            self._described |= self._reflect(missing)
        return base.SchemaInfo({t: self._described[t] for t in wanted if t in self._described})

    def _reflect(self, names: list[str] | None) -> dict[str, base.TableInfo]:
        with self._errors("cannot describe"), reflecting(), self._engine.connect() as conn:
            insp = sa.inspect(conn)
            if names is not None:
                names = [n for n in names if insp.has_table(n)]
                if not names:
                    return {}
            parts: dict[str, dict[Any, Any]] = {
                "columns": insp.get_multi_columns(filter_names=names),
                "pk": insp.get_multi_pk_constraint(filter_names=names),
                "fks": insp.get_multi_foreign_keys(filter_names=names),
                "indexes": insp.get_multi_indexes(filter_names=names),
                "uniques": insp.get_multi_unique_constraints(filter_names=names),
            }
        found = sorted(name for _, name in parts["columns"])
        dialect = self._engine.dialect
        return {
            n: table_info(n, dialect, {k: v[(None, n)] for k, v in parts.items()}) for n in found
        }

    def close(self) -> None:
        """Close the read connections and every pooled connection."""
        self._reader.close()
        self._engine.dispose()

    def _session(self, *, shared: bool) -> _Session:
        file = self._sqlite_file if shared else None
        session = _SQLITE_SESSIONS.by_file.get(file) if file else None
        if session is None or session.ended:
            with self._errors("cannot connect to"):
                session = _Session(self._engine.connect(), file)
            if file:
                _SQLITE_SESSIONS.by_file[file] = session
        return session

    def _apply_one(self, conn: sa.Connection, change: Change) -> int:
        if isinstance(change, DeleteOlder):
            return self._delete_older(conn, change)
        key = change.key
        if isinstance(key, tuple):
            return self._apply_composite(conn, change)
        if isinstance(change, UpdateRows):
            return self._update_rows(conn, change, key)
        sets = change.values if isinstance(change, UpdateWhere) else {}
        kind = "update_where" if isinstance(change, UpdateWhere) else "delete"
        plan = self._plan(conn, kind, change.collection, key, tuple(sets))
        params = {f"rd_v{i}": v for i, v in enumerate(sets.values())}
        parts = chunks(unique_keys(plan.coerce, change.keys), self.chunk_size)
        return sum(conn.execute(plan.statement, {"rd_keys": c, **params}).rowcount for c in parts)

    def _apply_composite(
        self, conn: sa.Connection, change: UpdateWhere | UpdateRows | DeleteWhere
    ) -> int:
        """A change keyed by several columns: rows of a table without a primary key."""
        table = self._table(conn, change.collection)
        names = tuple(change.key)
        sets = change.columns if isinstance(change, UpdateRows) else ()
        sets = tuple(change.values) if isinstance(change, UpdateWhere) else sets
        missing = [c for c in (*names, *sets) if c not in table.c]
        if missing:
            raise ConnectorError(
                self.name, f"table {change.collection!r}: has no column(s) {missing}"
            )
        keys = [table.c[k] for k in names]
        coerce = [COERCERS.get(python_type(k.type) or object, as_is) for k in keys]
        values: dict[Column, Any] = {
            table.c[c]: sa.bindparam(f"rd_v{i}") for i, c in enumerate(sets)
        }
        rows = change.rows if isinstance(change, UpdateRows) else [(k,) for k in change.keys]
        # a None in a key means IS NULL there: rows are grouped by where their NULLs are
        groups: dict[tuple[bool, ...], dict[tuple[Any, ...], tuple[Any, ...]]] = {}
        for row in rows:
            parts = [
                None if v is None else key_of(f, v) for f, v in zip(coerce, row[0], strict=True)
            ]
            if not any(p is SKIP for p in parts):
                nulls = tuple(p is None for p in parts)
                present = tuple(p for p in parts if p is not None)
                groups.setdefault(nulls, {})[present] = tuple(row[1:])
        count = 0
        for nulls, found in groups.items():
            where = [k.is_(None) for k, null in zip(keys, nulls, strict=True) if null]
            used = [k for k, null in zip(keys, nulls, strict=True) if not null]
            count += self._composite_group(conn, table, change, used, where, values, found)
        return count

    def _composite_group(
        self,
        conn: sa.Connection,
        table: sa.Table,
        change: UpdateWhere | UpdateRows | DeleteWhere,
        keys: list[Column],
        where: list[Any],
        values: dict[Column, Any],
        found: dict[tuple[Any, ...], tuple[Any, ...]],
    ) -> int:
        """Rows whose ``keys`` hold one of ``found`` and that meet ``where`` (the IS NULLs)."""
        if isinstance(change, UpdateRows):
            one = [k == sa.bindparam(f"rd_k{i}", type_=_bind_type(k)) for i, k in enumerate(keys)]
            params = [
                {f"rd_k{i}": p for i, p in enumerate(key)}
                | {f"rd_v{i}": v for i, v in enumerate(new)}
                for key, new in found.items()
            ]
            update = sa.update(table).where(sa.and_(*one, *where)).values(values)
            return conn.execute(update, params).rowcount
        if keys:
            where.append(sa.tuple_(*keys).in_(sa.bindparam("rd_keys", expanding=True)))
        statement: Executable = sa.delete(table).where(*where)
        extra: dict[str, Any] = {}
        if isinstance(change, UpdateWhere):
            statement = sa.update(table).where(*where).values(values)
            extra = {f"rd_v{i}": v for i, v in enumerate(change.values.values())}
        if not keys:
            return conn.execute(statement, extra).rowcount
        return sum(
            conn.execute(statement, {"rd_keys": part, **extra}).rowcount
            for part in chunks(list(found), self.chunk_size)
        )

    def _delete_older(self, conn: sa.Connection, change: DeleteOlder) -> int:
        table = self._table(conn, change.collection)
        if change.column not in table.c:
            raise ConnectorError(
                self.name, f"table {change.collection!r} has no column {change.column!r}"
            )
        column = table.c[change.column]
        cutoff = date.fromisoformat(change.before)
        bound: Any = (
            cutoff
            if python_type(column.type) is date
            else datetime(cutoff.year, cutoff.month, cutoff.day)
        )
        return conn.execute(sa.delete(table).where(column < bound)).rowcount

    def _update_rows(self, conn: sa.Connection, change: UpdateRows, key: str) -> int:
        width = len(change.columns) + 1
        if any(len(row) != width for row in change.rows):
            raise ConnectorError(self.name, f"{change.collection!r}: rows must be (key, *columns)")
        plan = self._plan(conn, "update_rows", change.collection, key, change.columns)
        names = ["rd_key"] + [f"rd_v{i}" for i in range(len(change.columns))]
        keyed = ((key_of(plan.coerce, row[0]), *row[1:]) for row in change.rows)
        params = [dict(zip(names, row, strict=True)) for row in keyed if row[0] is not SKIP]
        return conn.execute(plan.statement, params).rowcount if params else 0

    def _plan(
        self, bind: sa.Engine | sa.Connection, kind: str, name: str, key: str, cols: tuple[str, ...]
    ) -> _Prepared:
        """The cached statement, key coercer and streaming need for one (kind, table, key, cols)."""
        plan = self._plans.get((kind, name, key, cols))
        if plan is None:
            table = self._table(bind, name)
            missing = [c for c in (key, *cols) if c not in table.c]
            if missing or (kind != "delete" and not cols):
                problem = f"has no column(s) {missing}" if missing else f"{kind} names no column"
                raise ConnectorError(self.name, f"table {name!r}: {problem}")
            k, columns = table.c[key], [table.c[c] for c in cols]
            statement = self._build(kind, table, k, columns)
            coerce = COERCERS.get(python_type(k.type) or object, as_is)
            if coerce is to_str and (charset := self._charset(table, k)):
                coerce = to_str_in(charset)
            stream = not _is_unique(table, k)
            read = self._reader.plan(table, k, columns, stream) if kind == "select" else None
            plan = _Prepared(statement, coerce, stream, read)
            self._plans[kind, name, key, cols] = plan
        return plan

    def _charset(self, table: sa.Table, column: Column) -> str | None:
        """A MySQL/MariaDB column's character set, or None on other databases."""
        if self._engine.dialect.name not in ("mysql", "mariadb"):
            return None
        found = getattr(column.type, "charset", None) or table.dialect_options["mysql"].get(
            "default charset"
        )
        return str(found).lower() if found else None

    def _build(self, kind: str, table: sa.Table, key: Column, columns: list[Column]) -> Executable:
        if self._pg:  # one array parameter: constant SQL text that psycopg prepares once
            in_keys = key == sa.any_(sa.bindparam("rd_keys", type_=sa.ARRAY(_bind_type(key))))
        else:
            in_keys = key.in_(sa.bindparam("rd_keys", expanding=True))
        sets: dict[Column, Any] = {c: sa.bindparam(f"rd_v{i}") for i, c in enumerate(columns)}
        if kind == "select":
            return sa.select(*columns).where(in_keys)
        if kind == "update_where":
            return sa.update(table).where(in_keys).values(sets)
        if kind == "update_rows":
            one_key = key == sa.bindparam("rd_key", type_=_bind_type(key))
            return sa.update(table).where(one_key).values(sets)
        return sa.delete(table).where(in_keys)

    def _table(self, bind: sa.Engine | sa.Connection, name: str) -> sa.Table:
        """The table reflected once per connector, without the tables its foreign keys name:
        statements need only its columns, key and indexes, and following every reference
        reflected the people table again for each table that points at it (django-oscar: 351
        reflections for 54 tables read, 12.8 of an erasure's 20 s on PostgreSQL)."""
        table = self._tables.get(name)
        if table is None:
            try:
                with reflecting():
                    table = sa.Table(name, sa.MetaData(), autoload_with=bind, resolve_fks=False)
            except NoSuchTableError:
                raise ConnectorError(self.name, f"unknown table {name!r} in {self.url}") from None
            self._tables[name] = table
        return table

    @contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        """Turn driver errors into ConnectorError naming the (password-masked) URL."""
        try:
            yield
        except SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            reason = _QUOTED_VALUE.sub(r"\1\2...\2", reason)
            raise ConnectorError(self.name, f"{doing} {self.url}: {reason}") from exc


class _Session:
    """One connection and its transaction; on SQLite, shared by every transaction on one file."""

    def __init__(self, conn: sa.Connection, sqlite_file: str | None) -> None:
        self.conn, self.sqlite_file, self.transaction = conn, sqlite_file, conn.begin()
        self.ended: str | None = None  # "committed" or "rolled back"

    def end(self, commit: bool) -> None:
        if self.ended is not None:
            return
        self.ended = "rolled back"
        if self.sqlite_file:
            _SQLITE_SESSIONS.by_file.pop(self.sqlite_file, None)
        try:
            if commit:
                self.transaction.commit()
                self.ended = "committed"
            else:
                self.transaction.rollback()
        finally:
            self.conn.close()


class _SqliteSessions(threading.local):
    """This thread's open session per SQLite file, shared by every transaction begun on it.

    SQLite allows one writer per file, so two systems of a data map on one file share a connection.
    """

    def __init__(self) -> None:
        self.by_file: dict[str, _Session] = {}


_SQLITE_SESSIONS = _SqliteSessions()


class SqlTransaction:
    """Changes applied on an open connection, kept only by ``commit()``; any failure rolls back.

    Transactions sharing a SQLite file end together: the first commit or rollback decides for all.
    """

    def __init__(self, connector: SqlConnector, session: _Session) -> None:
        self._connector, self._session, self._done = connector, session, False

    def apply(self, changes: Sequence[Change]) -> list[int]:
        """Apply ``changes`` in order; any error rolls everything back and raises ConnectorError."""
        conn = self._live("apply changes").conn
        try:
            with self._connector._errors("rolled back all changes on"):
                return [self._connector._apply_one(conn, change) for change in changes]
        except BaseException:
            self.rollback()
            raise

    def commit(self) -> None:
        session = self._live("commit", committed_ok=True)
        self._done = True
        with self._connector._errors("commit failed, all changes rolled back on"):
            session.end(commit=True)

    def rollback(self) -> None:
        """Undo every change; harmless when already rolled back."""
        if not self._done:
            self._live("roll back", committed_ok=False, rolled_back_ok=True)
            self._done = True
            with self._connector._errors("rollback failed on"):
                self._session.end(commit=False)

    def _live(
        self, doing: str, *, committed_ok: bool = False, rolled_back_ok: bool = False
    ) -> _Session:
        ended = self._session.ended
        ok = {None: True, "committed": committed_ok, "rolled back": rolled_back_ok}[ended]
        if self._done or not ok:
            state = "ended" if self._done else f"{ended} together with another system on this file"
            raise ConnectorError(
                self._connector.name, f"cannot {doing}: the transaction has {state}"
            )
        return self._session


def _sqlite_foreign_keys_on(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()

"""One SQL connector on SQLAlchemy Core for SQLite, PostgreSQL (psycopg 3) and MySQL/MariaDB."""

from __future__ import annotations

import codecs
import copy
import math
import os
import re
import threading
import uuid
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from itertools import takewhile
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.exc import ArgumentError, CompileError, NoSuchTableError, SQLAlchemyError
from sqlalchemy.sql.expression import Executable

from rightsdesk.connectors import base
from rightsdesk.connectors.base import Change, Row, UpdateRows, UpdateWhere
from rightsdesk.domain.errors import ConnectorError

Coerce = Callable[[Any], Any]
Column = sa.Column[Any]

_SKIP = object()
_NO_MATCH = (TypeError, ValueError, ArithmeticError, LookupError)  # a coercer's "cannot match"
_INT64 = 2**63
#: a value quoted in a driver message ("Duplicate entry 'a@b.c' for key", 'type date: "x"')
_QUOTED_VALUE = re.compile(r"""(entry |: )(['"]).*?\2(?= for |["')]*$)""")
_BOOLS = {"1": True, "true": True, "t": True, "yes": True, "0": False, "false": False, "f": False}
_TYPE_NAMES = {int: "int", str: "str", float: "float", bool: "bool", date: "date"}
_TYPE_NAMES |= {datetime: "datetime", Decimal: "decimal", bytes: "bytes"}


def _text(v: Any) -> str:
    if not isinstance(v, str):
        raise TypeError(type(v).__name__)
    return v.strip()


def _number(v: Any) -> int | float | Decimal | str:
    if isinstance(v, bool) or not isinstance(v, int | float | Decimal | str):
        raise TypeError(type(v).__name__)
    return v


def _finite(x: Any) -> Any:
    if not math.isfinite(x):
        raise ValueError("not finite")
    return x


def _to_int(v: Any) -> int:
    if isinstance(v, str) and (not v.isascii() or "_" in v):
        raise ValueError("not plain ASCII digits")  # int() would take "4_2" and "٤٢"
    n = int(_number(v))
    if (n != v and not isinstance(v, str)) or not -_INT64 <= n < _INT64:
        raise ValueError("not an integral 64-bit value")
    return n


def _to_str(v: Any) -> str:
    if type(v) is not str and (isinstance(v, bool) or not isinstance(v, int | uuid.UUID)):
        raise TypeError(type(v).__name__)
    s = str(v)
    if "\x00" in s:
        raise ValueError("NUL")  # PostgreSQL refuses NUL in text
    if not s.isascii():
        s.encode("utf-8")  # lone surrogates raise here instead of in the driver
    return s


def _to_date(v: Any) -> date:
    if isinstance(v, datetime):
        return v.date()
    return v if isinstance(v, date) else date.fromisoformat(_text(v))


def _as_is(v: Any) -> Any:
    hash(v)  # an unhashable value cannot be a key
    return v


#: key column's python type -> coercer, which raises one of _NO_MATCH for a value that can't match
_COERCERS: dict[type, Coerce] = {
    int: _to_int,
    str: _to_str,
    float: lambda v: _finite(float(_number(v))),
    Decimal: lambda v: _finite(Decimal(str(_number(v)).strip())),
    bool: lambda v: v if isinstance(v, bool) else _BOOLS[_text(str(v)).lower()],
    date: _to_date,
    datetime: lambda v: v if isinstance(v, datetime) else datetime.fromisoformat(_text(v)),
    bytes: lambda v: (
        bytes(v) if isinstance(v, bytes | bytearray | memoryview) else _text(v).encode()
    ),
    uuid.UUID: lambda v: v if isinstance(v, uuid.UUID) else uuid.UUID(_text(v)),
}


def _to_str_in(charset: str) -> Coerce:
    """``_to_str`` that also rejects text a MySQL charset cannot hold (comparing it would fail)."""
    bmp_only = charset in ("utf8", "utf8mb3", "ucs2")
    try:  # MySQL's "latin1" is Windows-1252; unknown names (utf8mb4, binary) hold anything
        codec: str | None = codecs.lookup({"latin1": "cp1252"}.get(charset, charset)).name
    except LookupError:
        codec = None

    def coerce(v: Any) -> str:
        s = _to_str(v)
        if not s.isascii():
            if bmp_only and any(ord(c) > 0xFFFF for c in s):
                raise ValueError("outside the Basic Multilingual Plane")
            if codec:
                s.encode(codec)  # UnicodeEncodeError is a ValueError: cannot match
        return s

    return coerce


def _python_type(column_type: Any) -> type | None:
    try:
        found: type = column_type.python_type
    except NotImplementedError:
        return None
    return found


def _key(coerce: Coerce, value: Any) -> Any:
    """``value`` in the key column's type, or ``_SKIP`` when it cannot match any row."""
    try:
        key = coerce(value)
    except _NO_MATCH:
        return _SKIP
    return _SKIP if key is None else key  # NULL never matches


def _unique_keys(coerce: Coerce, values: Sequence[Any]) -> list[Any]:
    keys = dict.fromkeys(_key(coerce, value) for value in values)
    keys.pop(_SKIP, None)
    return list(keys)


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    return (items[i : i + size] for i in range(0, len(items), size))


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


class Plan(NamedTuple):
    statement: Executable
    coerce: Coerce
    stream: bool


class SqlConnector:
    """A relational database behind one SQLAlchemy URL; see ``base.Connector`` for the contract."""

    def __init__(self, name: str, url: str, *, chunk_size: int = 500) -> None:
        if chunk_size < 1:
            raise ValueError(f"chunk_size must be positive, got {chunk_size}")
        self.name, self.chunk_size = name, chunk_size
        try:
            parsed = sa.make_url(url)
        except ArgumentError:
            raise ConnectorError(name, "cannot parse the database URL (not shown)") from None
        self.url = parsed.render_as_string(hide_password=True)
        try:
            self._engine = sa.create_engine(parsed, hide_parameters=True)
        except (ArgumentError, ImportError) as exc:
            raise ConnectorError(name, f"cannot open {self.url}: {exc}") from exc
        self._pg = self._engine.dialect.name == "postgresql"
        self._sqlite_file: str | None = None
        if self._engine.dialect.name == "sqlite":
            sa.event.listen(self._engine, "connect", _sqlite_foreign_keys_on)
            if parsed.database and parsed.database != ":memory:" and "mode=memory" not in url:
                self._sqlite_file = os.path.abspath(parsed.database)
        self._tables: dict[str, sa.Table] = {}
        self._plans: dict[tuple[str, str, str, tuple[str, ...]], Plan] = {}

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
        return self._stream(plan, _unique_keys(plan.coerce, values))

    def begin(self) -> SqlTransaction:
        """Open a transaction; the caller commits or rolls back (see ``SqlTransaction``)."""
        return SqlTransaction(self, self._session(shared=True))

    def apply(self, changes: Sequence[Change]) -> list[int]:
        """Run every change in one transaction and return rowcounts; on error nothing is kept."""
        transaction = SqlTransaction(self, self._session(shared=False))
        counts = transaction.apply(changes)
        transaction.commit()
        return counts

    def describe(self) -> base.SchemaInfo:
        """Reflect the tables (not views) of the default schema."""
        with self._errors("cannot describe"), _reflecting(), self._engine.connect() as conn:
            insp = sa.inspect(conn)
            parts: dict[str, dict[Any, Any]] = {
                "columns": insp.get_multi_columns(),
                "pk": insp.get_multi_pk_constraint(),
                "fks": insp.get_multi_foreign_keys(),
                "indexes": insp.get_multi_indexes(),
                "uniques": insp.get_multi_unique_constraints(),
            }
        names = sorted(name for _, name in parts["columns"])
        dialect = self._engine.dialect
        return base.SchemaInfo(
            {n: _table_info(n, dialect, {k: v[(None, n)] for k, v in parts.items()}) for n in names}
        )

    def close(self) -> None:
        """Close every pooled connection."""
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

    def _stream(self, plan: Plan, keys: list[Any]) -> Iterator[list[Row]]:
        size, batch = self.chunk_size, list[Row]()
        with self._errors("cannot read from"), self._engine.connect() as conn:
            # a key that is not unique may match millions of rows: fetch them in slices
            run = (
                conn.execution_options(stream_results=True, yield_per=size) if plan.stream else conn
            )
            for chunk in _chunks(keys, size):
                with run.execute(plan.statement, {"rd_keys": chunk}) as result:
                    for part in result.partitions(size):
                        batch.extend(map(tuple, part))
                        if len(batch) >= size:
                            yield batch
                            batch = []
            if batch:
                yield batch

    def _apply_one(self, conn: sa.Connection, change: Change) -> int:
        if isinstance(change, UpdateRows):
            return self._update_rows(conn, change)
        sets = change.values if isinstance(change, UpdateWhere) else {}
        kind = "update_where" if isinstance(change, UpdateWhere) else "delete"
        plan = self._plan(conn, kind, change.collection, change.key, tuple(sets))
        params = {f"rd_v{i}": v for i, v in enumerate(sets.values())}
        chunks = _chunks(_unique_keys(plan.coerce, change.keys), self.chunk_size)
        return sum(conn.execute(plan.statement, {"rd_keys": c, **params}).rowcount for c in chunks)

    def _update_rows(self, conn: sa.Connection, change: UpdateRows) -> int:
        width = len(change.columns) + 1
        if any(len(row) != width for row in change.rows):
            raise ConnectorError(self.name, f"{change.collection!r}: rows must be (key, *columns)")
        plan = self._plan(conn, "update_rows", change.collection, change.key, change.columns)
        names = ["rd_key"] + [f"rd_v{i}" for i in range(len(change.columns))]
        keyed = ((_key(plan.coerce, row[0]), *row[1:]) for row in change.rows)
        params = [dict(zip(names, row, strict=True)) for row in keyed if row[0] is not _SKIP]
        return conn.execute(plan.statement, params).rowcount if params else 0

    def _plan(
        self, bind: sa.Engine | sa.Connection, kind: str, name: str, key: str, cols: tuple[str, ...]
    ) -> Plan:
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
            coerce = _COERCERS.get(_python_type(k.type) or object, _as_is)
            if coerce is _to_str and (charset := self._charset(table, k)):
                coerce = _to_str_in(charset)
            plan = Plan(statement, coerce, not _is_unique(table, k))
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
        table = self._tables.get(name)
        if table is None:
            try:
                with _reflecting():
                    table = sa.Table(name, sa.MetaData(), autoload_with=bind)
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


@contextmanager
def _reflecting() -> Iterator[None]:
    """Silence reflection's warnings on what it skips (expression indexes, unknown types)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sa.exc.SAWarning)
        yield


def _sqlite_foreign_keys_on(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _table_info(name: str, dialect: sa.Dialect, parts: dict[str, Any]) -> base.TableInfo:
    """One table's inspector dicts as plain ``base.TableInfo``."""
    primary_key = tuple(parts["pk"]["constrained_columns"])
    unique_sets: list[list[str | None]] = [u["column_names"] for u in parts["uniques"]]
    unique_sets += [ix["column_names"] for ix in parts["indexes"] if ix["unique"]]
    singles = {s[0] for s in [*unique_sets, primary_key] if len(s) == 1}
    indexed = [ix["column_names"] for ix in parts["indexes"]] + unique_sets
    return base.TableInfo(
        name=name,
        columns={
            c["name"]: _column_info(c, dialect, c["name"] in singles) for c in parts["columns"]
        },
        primary_key=primary_key,
        foreign_keys=tuple(
            base.ForeignKeyInfo(
                tuple(fk["constrained_columns"]),
                fk["referred_table"],
                tuple(fk["referred_columns"]),
            )
            for fk in parts["fks"]
        ),
        indexes=tuple(dict.fromkeys(lead for cols in indexed if (lead := _leading(cols)))),
    )


def _column_info(column: Any, dialect: sa.Dialect, unique: bool) -> base.ColumnInfo:
    try:
        type_name = str(column["type"].compile(dialect=dialect)).lower()
    except CompileError:  # e.g. an untyped SQLite column
        type_name = "null"
    return base.ColumnInfo(
        name=column["name"],
        type=type_name,
        python_type=_TYPE_NAMES.get(_python_type(column["type"]) or object),
        nullable=bool(column["nullable"]),
        unique=unique,
    )


def _leading(columns: Sequence[str | None]) -> tuple[str, ...]:
    """An index's columns up to its first expression (which reflection reports as None)."""
    return tuple(c for c in takewhile(lambda c: c is not None, columns) if c is not None)

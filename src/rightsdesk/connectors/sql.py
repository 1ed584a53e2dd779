"""One SQL connector on SQLAlchemy Core for SQLite, PostgreSQL (psycopg 3) and MySQL/MariaDB."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.exc import NoSuchTableError, SQLAlchemyError
from sqlalchemy.sql.expression import Executable

from rightsdesk.connectors import base, sql_sample, urls
from rightsdesk.connectors.base import Change, Hop, Row
from rightsdesk.connectors.sql_keys import (
    COERCERS,
    Coerce,
    as_is,
    bind_type,
    python_type,
    to_str,
    to_str_in,
    unique_keys,
)
from rightsdesk.connectors.sql_read import Reader, ReadPlan, containing_rows
from rightsdesk.connectors.sql_schema import reflecting, table_info
from rightsdesk.connectors.sql_transaction import SqlTransaction
from rightsdesk.domain.errors import ConnectorError

Column = sa.Column[Any]
#: a value quoted in a driver message ("Duplicate entry 'a@b.c' for key", 'type date: "x"')
_QUOTED_VALUE = re.compile(r"""(entry |: )(['"]).*?\2(?= for |["')]*$)""")


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
        self._all_reflected = False
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

    def scan(
        self,
        collection: str,
        columns: Sequence[str],
        containing: Mapping[str, Sequence[str]] | None = None,
        *,
        text: bool = False,
    ) -> Iterator[list[Row]]:
        """Stream the rows of ``collection`` (``columns`` only) in batches of ``chunk_size``:
        every row, or with ``containing`` those the database finds holding a value; with
        ``text``, JSON columns are cast to text (see ``base.Discoverable``)."""
        with self._errors("cannot read from"):
            if text:
                self._reflect_all()
            table = self._table(self._engine, collection)
            missing = [c for c in [*columns, *(containing or ())] if c not in table.c]
            if missing:
                raise ConnectorError(self.name, f"table {collection!r}: has no column(s) {missing}")
        if text:
            statement = sql_sample.text_select(table, columns)
            if containing is None:  # a whole-store read: the raw driver cursor
                return self._reader.scan(statement)
        else:
            statement = sa.select(*(table.c[c] for c in columns))
        if containing is not None:
            statement = statement.where(containing_rows(table, containing))
        return self._scan(statement)

    def _scan(self, statement: sa.Select[Any]) -> Iterator[list[Row]]:
        with self._errors("cannot read from"), self._engine.connect() as conn:
            result = conn.execution_options(stream_results=True).execute(statement)
            for part in result.partitions(self.chunk_size):
                yield [tuple(r) for r in part]

    def sample(
        self, collection: str, column: str, limit: int, *, distinct: bool = False
    ) -> list[Any]:
        """Up to ``limit`` non-null values of ``column`` (see ``base.Discoverable``)."""
        with self._errors("cannot read from"), self._engine.connect() as conn:
            return sql_sample.sample(conn, collection, column, limit, distinct=distinct)

    def count_present(self, collection: str, column: str, values: Sequence[Any]) -> int:
        """How many of ``values`` occur in ``column``: one probe per 500 values."""
        with self._errors("cannot read from"), self._engine.connect() as conn:
            return sql_sample.count_present(conn, collection, column, values)

    def repeats(self, collection: str, column: str) -> bool:
        """Whether a non-null value of ``column`` occurs in more than one row."""
        with self._errors("cannot read from"), self._engine.connect() as conn:
            return sql_sample.repeats(conn, collection, column)

    def most_per_owner(self, collection: str, path: Sequence[Hop]) -> int:
        """The most rows of ``collection`` one owner has: one grouped query up the path."""
        with self._errors("cannot read from"), self._engine.connect() as conn:
            return sql_sample.most_per_owner(conn, collection, path)

    def begin(self) -> SqlTransaction:
        """Open a transaction; the caller commits or rolls back (see ``SqlTransaction``)."""
        with self._errors("cannot connect to"):
            return SqlTransaction(self, self._engine.connect())

    def writer(self) -> str | None:
        """The SQLite file's absolute path (one writer at a time); None on server databases."""
        return self._sqlite_file

    def apply(self, changes: Sequence[Change]) -> list[int]:
        """Run every change in one transaction and return rowcounts; on error nothing is kept."""
        transaction = self.begin()
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
            in_keys = key == sa.any_(sa.bindparam("rd_keys", type_=sa.ARRAY(bind_type(key))))
        else:
            in_keys = key.in_(sa.bindparam("rd_keys", expanding=True))
        sets: dict[Column, Any] = {c: sa.bindparam(f"rd_v{i}") for i, c in enumerate(columns)}
        if kind == "select":
            return sa.select(*columns).where(in_keys)
        if kind == "update_where":
            return sa.update(table).where(in_keys).values(sets)
        if kind == "update_rows":
            one_key = key == sa.bindparam("rd_key", type_=bind_type(key))
            return sa.update(table).where(one_key).values(sets)
        return sa.delete(table).where(in_keys)

    def _reflect_all(self) -> None:
        """Reflect every table at once, as a whole-store scan reads them all."""
        if self._all_reflected:
            return
        metadata = sa.MetaData()
        with reflecting(), self._engine.connect() as conn:
            metadata.reflect(conn, views=False, resolve_fks=False)
        for table in metadata.tables.values():
            self._tables.setdefault(table.name, table)
        self._all_reflected = True

    def _table(self, bind: sa.Engine | sa.Connection, name: str) -> sa.Table:
        """Reflected once, not the tables its foreign keys name (each re-reflected them)."""
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


def _sqlite_foreign_keys_on(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()

"""A live schema as plain data, as connectors describe it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ColumnInfo:
    name: str
    type: str  # the database's own type name, lower case (e.g. "varchar(255)", "integer")
    python_type: str | None  # "int", "str", "float", "bool", "date", "datetime", "decimal", "bytes"
    nullable: bool
    unique: bool = False
    text: bool = False  # text, a JSON document or an array of text: what a residue scan reads


@dataclass(frozen=True)
class ForeignKeyInfo:
    columns: tuple[str, ...]
    referred_table: str
    referred_columns: tuple[str, ...]


@dataclass(frozen=True)
class TableInfo:
    name: str
    columns: dict[str, ColumnInfo]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKeyInfo, ...] = ()
    indexes: tuple[tuple[str, ...], ...] = ()  # leading columns of every index, incl. unique ones

    def is_indexed(self, column: str) -> bool:
        """True when some index (or the primary key) starts with ``column``."""
        return (self.primary_key[:1] == (column,)) or any(
            ix[:1] == (column,) for ix in self.indexes
        )


@dataclass(frozen=True)
class SchemaInfo:
    tables: dict[str, TableInfo] = field(default_factory=dict)

"""Check a data map against the live schema its systems describe (``datamap validate --live``)."""

from __future__ import annotations

from rightsdesk.datamap.model import DataMap, FieldSpec, SystemSpec
from rightsdesk.domain.actions import ReferenceDirection
from rightsdesk.domain.errors import Issue
from rightsdesk.domain.schema import SchemaInfo, TableInfo

_TEXT = {"str"}
_INTO_CHILD = (ReferenceDirection.BOTH, ReferenceDirection.FROM)
_INTO_PARENT = (ReferenceDirection.BOTH, ReferenceDirection.TO)
_DATES = {"date", "datetime", "str"}


def check_live(datamap: DataMap, schemas: dict[str, SchemaInfo]) -> list[Issue]:
    """Missing tables or columns, wrong key, unindexed lookups, actions the column cannot take."""
    issues: list[Issue] = []
    for i, system in enumerate(datamap.systems):
        schema = schemas.get(system.name)
        if schema is None:
            continue
        for j, collection in enumerate(system.collections):
            path = ("systems", i, "collections", j)
            name = f"{system.name}.{collection.name}"
            table = schema.tables.get(collection.name)
            if table is None:
                issues.append(
                    Issue(datamap.locate(path, name), f"table {collection.name!r} does not exist")
                )
                continue
            if collection.primary_key and table.primary_key != (collection.primary_key,):
                issues.append(
                    Issue(
                        datamap.locate(path, name),
                        f"primary key is {', '.join(table.primary_key) or 'missing'} "
                        "in the database, "
                        f"{collection.primary_key} in the map",
                    )
                )
            if not collection.primary_key and len(table.primary_key) == 1:
                issues.append(
                    Issue(datamap.locate(path, name), _undeclared_key(table.primary_key[0]))
                )
            for k, field in enumerate(collection.fields):
                where = datamap.locate((*path, "fields", k), f"{name}.{field.name}")
                issues += [
                    Issue(where, m)
                    for m in _field_problems(datamap, system, table, field, collection.name)
                ]
    return issues


def _field_problems(
    datamap: DataMap, system: SystemSpec, table: TableInfo, field: FieldSpec, collection: str
) -> list[str]:
    column = table.columns.get(field.name)
    if column is None:
        return [f"column {field.name!r} does not exist in table {table.name!r}"]
    problems = []
    # a reference is queried on this field only when walked from the referenced one (``from``
    # or both ways); the referenced field only when walked towards it (``to`` or both ways)
    looked_up = (
        field.identity is not None
        or any(r.direction in _INTO_CHILD for r in field.references)
        or _is_referenced(datamap, system, collection, field.name)
    )
    if looked_up and not table.is_indexed(field.name):
        problems.append(
            "is used to find rows but has no index "
            f"(add one: CREATE INDEX ON {table.name}({field.name}))"
        )
    strategy = field.erase
    if strategy is None or strategy.deletes_row:
        return problems
    kind = column.python_type
    if strategy.name == "set_null" and not column.nullable:
        problems.append("erase: set_null on a NOT NULL column")
    if strategy.name == "fixed" and column.unique:
        problems.append(
            "erase: fixed value on a UNIQUE column would collide; use hash or pseudonym"
        )
    if strategy.name == "hash" and kind not in _TEXT:
        problems.append(f"erase: hash writes text but the column is {column.type}")
    if strategy.name == "generalize":
        level = strategy.params.get("to")
        allowed = _TEXT if level == "network" else _DATES
        if kind not in allowed:
            problems.append(f"erase: generalize to {level} cannot apply to a {column.type} column")
    return problems


def _is_referenced(datamap: DataMap, system: SystemSpec, collection: str, field: str) -> bool:
    full, short = f"{system.name}.{collection}.{field}", f"{collection}.{field}"
    for other_system, other in datamap.collections():
        for f in other.fields:
            for ref in f.references:
                if ref.direction not in _INTO_PARENT:
                    continue
                if ref.field == full or (ref.field == short and other_system.name == system.name):
                    return True
    return False


def _undeclared_key(column: str) -> str:
    """The database keys the table by one column the map does not mark; propose the line."""
    return (
        f"the database's primary key {column!r} is not declared in the map "
        f"(rows would be told apart by the columns they were found by): add "
        f"{{name: {column}, primary_key: true}}"
    )

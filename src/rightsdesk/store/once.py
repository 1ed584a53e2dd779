"""Insert a row unless its key is there already, in one statement on every store.

For rows that concurrent callers may each create first (a follow link's capability opened in
two tabs at once): the database settles the race on the key, so no caller fails on a duplicate
and none holds a lock in Python. SQLite and PostgreSQL: ``ON CONFLICT DO NOTHING``; MariaDB and
MySQL: ``ON DUPLICATE KEY UPDATE`` of the key to itself (a no-op that, unlike ``INSERT IGNORE``,
hides no other error).
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import insert
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Session


def insert_once(
    session: Session, model: type[DeclarativeBase], key: str, values: Mapping[str, object]
) -> None:
    """Insert ``values`` into ``model``'s table unless a row with the same ``key`` exists."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(
            postgresql.insert(model).values(**values).on_conflict_do_nothing(index_elements=[key])
        )
    elif dialect == "sqlite":
        session.execute(
            sqlite.insert(model).values(**values).on_conflict_do_nothing(index_elements=[key])
        )
    elif dialect in ("mysql", "mariadb"):
        statement = mysql.insert(model).values(**values)
        session.execute(statement.on_duplicate_key_update({key: statement.inserted[key]}))
    else:
        session.execute(insert(model).values(**values))

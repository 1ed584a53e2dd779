"""Opening a database URL: the one place a URL, a dialect, a driver or a file becomes an error.

A URL that cannot be parsed, names an unknown dialect or a driver that is not installed is bad
input (``DatabaseUrlError``, exit 2); a SQLite file that does not exist is a store that cannot be
reached (``ConnectorError``, exit 3): SQLite would otherwise create an empty database silently.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from rightsdesk.domain.errors import ConnectorError, DatabaseUrlError

#: Extras that install a dialect's driver (``pip install 'rightsdesk[postgres]'``).
EXTRAS = {"postgresql": "postgres", "mysql": "mysql", "mariadb": "mysql"}


def parse(system: str, url: str, schema: str | None = None) -> sa.URL:
    """The parsed URL; with ``schema``, PostgreSQL resolves unqualified names there (its
    ``search_path``) and MySQL/MariaDB use that database (a schema is a database there)."""
    try:
        parsed = sa.make_url(url)
    except ArgumentError:
        raise DatabaseUrlError(system, "cannot parse the database URL (not shown)") from None
    if schema and parsed.get_backend_name() == "postgresql":
        parsed = parsed.update_query_dict({"options": f"-csearch_path={schema}"})
    elif schema and parsed.get_backend_name() in ("mysql", "mariadb"):
        parsed = parsed.set(database=schema)
    return parsed


def sqlite_file(parsed: sa.URL) -> str | None:
    """The absolute path of a SQLite database file, or None (memory, URI form, other dialects)."""
    if parsed.get_backend_name() != "sqlite":
        return None
    name = parsed.database or ""
    if name in ("", ":memory:") or name.startswith("file:") or "uri" in parsed.query:
        return None
    return os.path.abspath(name)


def open_engine(system: str, url: str, *, schema: str | None = None, **options: Any) -> sa.Engine:
    """An engine for an existing database at ``url``; never creates one (see the module doc)."""
    parsed = parse(system, url, schema)
    shown = parsed.render_as_string(hide_password=True)
    with dialect_errors(system, parsed):
        engine = sa.create_engine(parsed, **options)
    path = sqlite_file(parsed)
    if path is not None and not os.path.isfile(path):
        engine.dispose()
        raise ConnectorError(system, f"no SQLite database file at {path} ({shown})")
    return engine


@contextmanager
def dialect_errors(system: str, parsed: sa.URL) -> Iterator[None]:
    """An unknown dialect or a driver not installed, as bad input naming the extra to install."""
    shown = parsed.render_as_string(hide_password=True)
    try:
        yield
    except NoSuchModuleError:
        raise DatabaseUrlError(
            system,
            f"unknown database dialect {parsed.drivername!r} in {shown} (use sqlite:///file.db, "
            "postgresql+psycopg://... or mysql+pymysql://...)",
        ) from None
    except ImportError as exc:
        extra = EXTRAS.get(parsed.get_backend_name(), "postgres")
        raise DatabaseUrlError(
            system,
            f"the driver for {shown} is not installed ({exc.name or exc}); "
            f"install it with: pip install 'rightsdesk[{extra}]'",
        ) from None


@contextmanager
def driver_errors(system: str, doing: str) -> Iterator[None]:
    """Turn driver errors into a ConnectorError: what was being done, and the first line why."""
    try:
        yield
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise ConnectorError(system, f"{doing}: {reason}") from exc

"""Each application's database is built once and cached; every run works on a fresh copy.

The cache key hashes the builder's sources and the installed versions of the application's
packages, so a new release or an edited builder rebuilds. SQLite: a file under the cache
folder (``RIGHTSDESK_ACCEPTANCE_CACHE``, default ``.cache/acceptance``), copied per run.
PostgreSQL: a template database ``rdacc_<app>_<key>``, cloned with ``CREATE DATABASE ... TEMPLATE``
(a template never changes once built, so every copy in a run is the same database).
"""

from __future__ import annotations

import fcntl
import hashlib
import itertools
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tests.acceptance.truth import Application
from tests.conftest import SERVERS

ROOT = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("RIGHTSDESK_ACCEPTANCE_CACHE", ROOT / ".cache" / "acceptance"))
_clones = itertools.count()


def cache_key(app: Application) -> str:
    """Hash of the builder's sources and the versions of the packages it migrates."""
    digest = hashlib.sha256()
    for source in app.sources:
        digest.update(source.read_bytes())
    for package in app.packages:
        digest.update(f"{package}=={metadata.version(package)}".encode())
    return digest.hexdigest()[:12]


@contextmanager
def _locked(name: str) -> Iterator[None]:
    CACHE.mkdir(parents=True, exist_ok=True)
    with (CACHE / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _sqlite_template(app: Application) -> Path:
    path = CACHE / f"{app.name}-{cache_key(app)}.sqlite3"
    with _locked(app.name):
        if not path.exists():
            building = path.with_suffix(f".{os.getpid()}.building")
            building.unlink(missing_ok=True)
            app.build(f"sqlite:///{building}")
            building.rename(path)
    return path


def _admin(backend: str) -> sa.Engine:
    server = SERVERS[backend]
    url = make_url(os.environ.get(server.env, server.admin_url))
    return sa.create_engine(url, isolation_level="AUTOCOMMIT")


def _postgres_template(app: Application, admin: sa.Engine) -> str:
    """The template database for ``app``'s current key, built under a server-wide lock.

    Templates of other keys are left alone: another checkout may be cloning them right now.
    """
    name = f"rdacc_{app.name}_{cache_key(app)}"
    lock = int.from_bytes(hashlib.sha256(name.encode()).digest()[:7], "big")
    with admin.connect() as conn:
        conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": lock})
        try:
            exists = conn.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            )
            if exists.first() is None:
                building = f"{name}_b{os.getpid()}"
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)'))
                conn.execute(sa.text(f'CREATE DATABASE "{building}"'))
                app.build(admin.url.set(database=building).render_as_string(hide_password=False))
                conn.execute(sa.text(f'ALTER DATABASE "{building}" RENAME TO "{name}"'))
        finally:
            conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": lock})
    return name


@contextmanager
def copy_of(app: Application, backend: str, folder: Path) -> Iterator[str]:
    """URL of a fresh copy of ``app``'s filled database on ``backend``, dropped afterwards."""
    if backend == "sqlite":
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{app.name}-{next(_clones)}.sqlite3"
        shutil.copyfile(_sqlite_template(app), path)
        yield f"sqlite:///{path}"
        return
    admin = _admin(backend)
    try:
        template = _postgres_template(app, admin)
        clone = f"rdacc_copy_{app.name}_{os.getpid()}_{next(_clones)}"
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{clone}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{clone}" TEMPLATE "{template}"'))
        try:
            yield admin.url.set(database=clone).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{clone}" WITH (FORCE)'))
    finally:
        admin.dispose()

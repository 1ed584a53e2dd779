"""Processes that migrate a fresh store at the same instant all succeed, and the schema is built
once: the start-up migration is serialised (store/migration_lock.py)."""

from __future__ import annotations

import subprocess
import sys

from sqlalchemy import inspect, text

from rightsdesk.store.db import Store
from rightsdesk.store.models import Base

#: Each process opens the store, says it is ready, and migrates when told to (one line on stdin),
#: so the migrations start together rather than staggered by interpreter start-up.
CHILD = """
import sys
from rightsdesk.store.db import Store
store = Store(sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()
store.migrate()
store.close()
"""
PROCESSES = 6


def migrate_together(url: str, count: int) -> list[tuple[int, str]]:
    """Run ``count`` processes' migrations at once; each one's exit code and output."""
    command = [sys.executable, "-c", CHILD, url]
    children = [
        subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        for _ in range(count)
    ]
    for child in children:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line == b"ready\n", line + child.stdout.read()
    for child in children:  # the go signal, as close together as one loop gets
        assert child.stdin is not None
        child.stdin.write(b"go\n")
        child.stdin.flush()
    results = []
    for child in children:
        output, _ = child.communicate(timeout=120)
        results.append((child.returncode, output.decode(errors="replace")))
    return results


def test_processes_migrating_a_fresh_store_at_once_all_succeed(store_url: str) -> None:
    results = migrate_together(store_url, PROCESSES)
    failed = [output for code, output in results if code != 0]
    assert failed == [], failed[0][-3000:] if failed else ""
    store = Store(store_url)
    try:
        tables = set(inspect(store.engine).get_table_names())
        assert set(Base.metadata.tables) | {"alembic_version"} == tables
        with store.engine.connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).all()
        assert len(versions) == 1
        store.migrate()  # and the store is current: nothing left to do, no error
    finally:
        store.close()

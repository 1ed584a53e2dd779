"""The CLI's contract with a newcomer: every bad input ends as one clear line and its exit code.

Each row runs the real ``rightsdesk`` command in a fresh folder and asserts the documented exit
code (README: 2 bad input, 3 a store cannot be reached), one ``error:`` line on stderr naming
what is wrong and where, no traceback, and nothing created or changed on disk.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import typer
from typer._click import core as click

from rightsdesk.cli import app

DOWN = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere"  # nothing listens on port 1
#: rightsdesk's own store: not reached, an unknown dialect, not a URL
STORE_DOWN = (("RIGHTSDESK_DATABASE_URL", DOWN),)
STORE_FOO = (("RIGHTSDESK_DATABASE_URL", "foo://host/db"),)
STORE_JUNK = (("RIGHTSDESK_DATABASE_URL", "not a url"),)
BAD_ID = ("-i", "email")  # not kind=value

MAP = """\
version: 1
systems:
  - name: app
    kind: sql
    url: "{url}"
    collections:
      - name: users
        erase: delete_row
        fields:
          - {{name: id, primary_key: true}}
          - {{name: email, identity: email}}
"""


@dataclass(frozen=True)
class Case:
    """One command, the exit code it must end with, and what its error line must name."""

    name: str
    args: tuple[str, ...]
    code: int
    names: str  # a piece of the one error line: the file, URL, option or thing at fault
    env: tuple[tuple[str, str], ...] = ()  # settings for this row (the store's URL, ...)


CASES = [
    Case("validate: missing file", ("datamap", "validate", "nope.yml"), 2, "nope.yml"),
    Case("validate: malformed YAML", ("datamap", "validate", "broken.yml"), 2, "broken.yml"),
    Case("validate: wrong system kind", ("datamap", "validate", "kind.yml"), 2, "kind.yml:4"),
    Case("validate --live: server down", ("datamap", "validate", "down.yml", "--live"), 3, ":1/"),
    Case(
        "validate --live: SQLite file missing",
        ("datamap", "validate", "gone.yml", "--live"),
        3,
        "gone.db",
    ),
    Case(
        "generate: SQLite file missing",
        ("datamap", "generate", "--url", "sqlite:///gone.db", "-o", "d.yml"),
        3,
        "gone.db",
    ),
    Case(
        "generate: unknown dialect",
        ("datamap", "generate", "--url", "foo://host/db", "-o", "d.yml"),
        2,
        "'foo'",
    ),
    Case(
        "generate: not a URL",
        ("datamap", "generate", "--url", "not a url", "-o", "d.yml"),
        2,
        "URL",
    ),
    Case(
        "generate: server down",
        ("datamap", "generate", "--url", DOWN, "-o", "d.yml"),
        3,
        "127.0.0.1:1",
    ),
    Case(
        "generate: no single-column primary key",
        ("datamap", "generate", "--url", "sqlite:///nopk.db", "-o", "d.yml"),
        2,
        "primary key",
    ),
    Case(
        "generate: output folder missing",
        ("datamap", "generate", "--url", "sqlite:///app.db", "-o", "nodir/d.yml"),
        2,
        "nodir",
    ),
    Case(
        "generate: output under a file",
        ("datamap", "generate", "--url", "sqlite:///app.db", "-o", "afile/d.yml"),
        2,
        "afile",
    ),
    Case(
        "import-fides: missing file",
        ("datamap", "import-fides", "nope.yml", "-o", "x.yml"),
        2,
        "nope.yml",
    ),
    Case(
        "import-fides: malformed YAML",
        ("datamap", "import-fides", "broken.yml", "-o", "x.yml"),
        2,
        "broken.yml",
    ),
    Case(
        "import-fides: output folder missing",
        ("datamap", "import-fides", "map.yml", "-o", "nodir/x.yml"),
        2,
        "nodir",
    ),
    Case("diff: missing file", ("datamap", "diff", "nope.yml"), 2, "nope.yml"),
    Case("diff: server down", ("datamap", "diff", "down.yml"), 3, "127.0.0.1:1"),
    Case("plan: missing map", ("plan", "-m", "nope.yml", "--kind", "email"), 2, "nope.yml"),
    Case("plan: unknown kind", ("plan", "-m", "map.yml", "--kind", "shoe_size"), 2, "shoe_size"),
    Case(
        "access: --out is a file",
        ("access", "-m", "map.yml", "--out", "afile", "-i", "email=a@example.com"),
        2,
        "afile",
    ),
    Case(
        "access: malformed identity",
        ("access", "-m", "map.yml", "--out", "export", "-i", "email"),
        2,
        "email",
    ),
    Case(
        "access: server down",
        ("access", "-m", "down.yml", "--out", "export", "-i", "email=a@example.com"),
        3,
        "127.0.0.1:1",
    ),
    Case(
        "access: malformed YAML",
        ("access", "-m", "broken.yml", "--out", "export", "-i", "email=a@example.com"),
        2,
        "broken.yml",
    ),
    Case(
        "erase: SQLite file missing",
        ("erase", "-m", "gone.yml", "-i", "email=a@example.com", "--dry-run"),
        3,
        "gone.db",
    ),
    Case(
        "erase: identities file missing",
        ("erase", "-m", "map.yml", "--identities-file", "people.csv"),
        2,
        "people.csv",
    ),
    Case(
        "request submit: no data map",
        ("request", "submit", "--type", "delete", "-i", "email=a@example.com"),
        2,
        "RIGHTSDESK_DATAMAP",
    ),
    Case(
        "request submit: unknown type",
        ("request", "submit", "--type", "forget", "-i", "email=a@example.com"),
        2,
        "--type",
    ),
    Case(
        "request submit: malformed identity",
        ("request", "submit", "-t", "access", *BAD_ID),
        2,
        "-i",
    ),
    Case("request import: missing file", ("request", "import", "nope.csv"), 2, "nope.csv"),
    Case("request list: unknown status", ("request", "list", "--status", "lost"), 2, "--status"),
    Case("request list: store down", ("request", "list"), 3, "127.0.0.1:1", STORE_DOWN),
    Case("request show: store dialect", ("request", "show", "r1"), 2, "'foo'", STORE_FOO),
    Case("request confirm: no evidence", ("request", "confirm", "r1"), 2, "--evidence"),
    Case("request approve: store down", ("request", "approve", "r1"), 3, ":1/", STORE_DOWN),
    Case("request refuse: no ground", ("request", "refuse", "r1"), 2, "--ground"),
    Case("request lift: no reason", ("request", "lift", "r1"), 2, "--reason"),
    Case("request flag-fraud: no reason", ("request", "flag-fraud", "r1"), 2, "--reason"),
    Case("request stopped: no evidence", ("request", "stopped", "r1"), 2, "--evidence"),
    Case(
        "request attach: missing file",
        ("request", "attach", "r1", "nope.pdf", "--kind", "permission"),
        2,
        "nope.pdf",
    ),
    Case(
        "request attach: not a PDF or an image",
        ("request", "attach", "r1", "broken.yml", "--kind", "written_request"),
        2,
        "PDF",
    ),
    Case(
        "request attach: unknown kind", ("request", "attach", "r1", "x", "--kind", "x"), 2, "--kind"
    ),
    Case("request documents: store down", ("request", "documents", "r1"), 3, ":1/", STORE_DOWN),
    Case("request verify: no evidence", ("request", "verify", "r1"), 2, "--evidence"),
    Case("request document: no --out", ("request", "document", "r1", "d1"), 2, "--out"),
    Case("request run: store not a URL", ("request", "run", "r1"), 2, "URL", STORE_JUNK),
    Case("request receipt: no --out", ("request", "receipt", "r1"), 2, "--out"),
    Case("request grounds: store down", ("request", "grounds"), 3, ":1/", STORE_DOWN),
    Case("request report: year not a number", ("request", "report", "--year", "x"), 2, "--year"),
    Case("request sweep: store dialect", ("request", "sweep"), 2, "'foo'", STORE_FOO),
    Case("binding list: malformed identity", ("binding", "list", *BAD_ID), 2, "--identity"),
    Case("binding remove: malformed identity", ("binding", "remove", "b1", *BAD_ID), 2, "-i"),
    Case("consent show: malformed identity", ("consent", "show", *BAD_ID), 2, "--identity"),
    Case("consent grant: malformed identity", ("consent", "grant", "ads", *BAD_ID), 2, "-i"),
    Case(
        "consent withdraw: store down",
        ("consent", "withdraw", "ads", "-i", "email=a@b.c"),
        3,
        ":1/",
        STORE_DOWN,
    ),
    Case("delivery list: unknown state", ("delivery", "list", "--state", "lost"), 2, "--state"),
    Case("delivery ack: store down", ("delivery", "ack", "d1"), 3, ":1/", STORE_DOWN),
    Case("delivery retry: store dialect", ("delivery", "retry"), 2, "'foo'", STORE_FOO),
    Case("delivery secret: no target", ("delivery", "secret"), 2, "'target'"),
    Case(
        "outbox list: not a file URL",
        ("outbox", "list"),
        2,
        "smtp://",
        (("RIGHTSDESK_MAIL_URL", "smtp://127.0.0.1:1"),),
    ),
    Case("outbox show: no such message", ("outbox", "show", "m1.eml"), 5, "m1.eml"),
    Case("apikey create: unknown scope", ("apikey", "create", "desk", "-s", "boss"), 2, "'boss'"),
    Case("apikey list: store down", ("apikey", "list"), 3, ":1/", STORE_DOWN),
    Case("apikey revoke: store not a URL", ("apikey", "revoke", "k1"), 2, "URL", STORE_JUNK),
    Case("audit verify: store down", ("audit", "verify"), 3, ":1/", STORE_DOWN),
    Case("db upgrade: store dialect", ("db", "upgrade"), 2, "'foo'", STORE_FOO),
    Case("vault show: no role", ("vault", "show", "s1"), 2, "--role"),
    Case(
        "vault tombstone: store down",
        ("vault", "tombstone", "t1", "--role", "legal"),
        3,
        ":1/",
        STORE_DOWN,
    ),
    Case("vault sweep: store down", ("vault", "sweep"), 3, ":1/", STORE_DOWN),
    Case("status: store down", ("status",), 3, "127.0.0.1:1", STORE_DOWN),
    Case("restriction list: store down", ("restriction", "list"), 3, ":1/", STORE_DOWN),
    Case("restriction lift: no reason", ("restriction", "lift", "x1"), 2, "--reason"),
    Case("restriction check: malformed identity", ("restriction", "check", *BAD_ID), 2, "-i"),
    Case("suppression check: no identity", ("suppression", "check"), 2, "--identity"),
    Case("replay: not a date", ("replay", "--since", "yesterday"), 2, "--since"),
    Case("serve: port out of range", ("serve", "--port", "99999"), 2, "--port"),
    Case("worker: no broker", ("worker",), 2, "RIGHTSDESK_BROKER_URL"),
    Case("demo: its folder is a file", ("demo",), 2, "rightsdesk-demo"),
    Case("receipt verify: missing file", ("receipt", "verify", "nope.json"), 2, "nope.json"),
    Case("unknown option", ("access", "--bogus"), 2, "--bogus"),
]


def _fixtures(folder: Path) -> None:
    """A small database and maps around it, good and bad, in ``folder``."""
    with sqlite3.connect(folder / "app.db") as db:
        db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)")
    with sqlite3.connect(folder / "nopk.db") as db:
        db.execute("CREATE TABLE events (name TEXT, email TEXT)")
    (folder / "map.yml").write_text(MAP.format(url="sqlite:///app.db"))
    (folder / "down.yml").write_text(MAP.format(url=DOWN))
    (folder / "gone.yml").write_text(MAP.format(url="sqlite:///gone.db"))
    (folder / "kind.yml").write_text(MAP.format(url="sqlite:///app.db").replace("sql", "nosql"))
    (folder / "broken.yml").write_text("systems: [\n  - name: app\n    kind: {sql\n")
    (folder / "afile").write_text("a file, not a folder\n")
    (folder / "rightsdesk-demo").write_text("a file where the demo's folder would go\n")


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def run(
    folder: Path, *args: str, settings: tuple[tuple[str, str], ...] = ()
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RIGHTSDESK_")}
    env["RIGHTSDESK_STATE_DIR"] = str(folder / ".rightsdesk")
    env.update(settings)
    return subprocess.run(
        [sys.executable, "-m", "rightsdesk", *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_is_one_line_and_its_exit_code(tmp_path: Path, case: Case) -> None:
    _fixtures(tmp_path)
    before = _snapshot(tmp_path)
    done = run(tmp_path, *case.args, settings=case.env)
    assert "Traceback" not in done.stderr + done.stdout
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert case.names in lines[0]
    assert done.returncode == case.code, done.stderr
    assert _snapshot(tmp_path) == before, "the command created or changed files"


def _commands(command: click.Command, path: tuple[str, ...] = ()) -> Iterator[str]:
    subcommands: dict[str, click.Command] = getattr(command, "commands", {})
    if subcommands:
        for name, sub in subcommands.items():
            yield from _commands(sub, (*path, name))
    else:
        yield " ".join(path)


def test_every_command_has_a_row() -> None:
    tried = {" ".join(a for a in c.args[:2] if not a.startswith("-")) for c in CASES}
    tried |= {c.args[0] for c in CASES}
    missing = [name for name in _commands(typer.main.get_command(app)) if name not in tried]
    assert not missing, f"add a bad input for: {', '.join(missing)}"


def test_audit_verify_in_an_empty_folder_creates_nothing(tmp_path: Path) -> None:
    done = run(tmp_path, "audit", "verify")
    assert done.returncode == 0, done.stderr
    assert "nothing to verify" in done.stdout
    assert list(tmp_path.iterdir()) == []


def test_version(tmp_path: Path) -> None:
    done = run(tmp_path, "--version")
    assert done.returncode == 0 and done.stdout.startswith("rightsdesk ")


def test_a_draft_written_to_another_folder_still_opens_its_sqlite_file(tmp_path: Path) -> None:
    _fixtures(tmp_path)
    with sqlite3.connect(tmp_path / "app.db") as db:
        db.execute("CREATE UNIQUE INDEX users_email ON users (email)")
        db.executemany(
            "INSERT INTO users (email) VALUES (?)", [(f"p{n}@example.com",) for n in range(20)]
        )
    (tmp_path / "maps").mkdir()
    made = run(tmp_path, "datamap", "generate", "--url", "sqlite:///app.db", "-o", "maps/d.yml")
    assert made.returncode == 0, made.stderr
    assert "sqlite:///../app.db" in (tmp_path / "maps" / "d.yml").read_text()
    checked = run(tmp_path / "maps", "datamap", "validate", "d.yml", "--live")
    assert checked.returncode == 0, checked.stderr

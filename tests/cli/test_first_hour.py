"""A newcomer's first hour (issue 14): help on everything, scriptable output, a calm demo.

Each command is run as a user runs it (a subprocess, stdout a pipe, a fresh folder), except
the help texts, read from the command tree itself.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import typer
from rich.table import Table
from typer._click import core as click
from typer.core import TyperOption

from rightsdesk.cli import app
from rightsdesk.cli.console import CliConsole
from rightsdesk.demo import direct as demo
from tests.cli.test_contract import _commands, run

TREE = typer.main.get_command(app)


def _command(path: str) -> click.Command:
    found: click.Command = TREE
    for name in path.split():
        found = found.commands[name]  # type: ignore[attr-defined]
    return found


@pytest.mark.parametrize("path", list(_commands(TREE)))
def test_every_command_and_option_says_what_it_is(path: str) -> None:
    command = _command(path)
    assert (command.help or "").strip(), f"`{path}` has no description"
    for param in command.params:
        if isinstance(param, TyperOption) and not param.hidden:
            assert (param.help or "").strip(), f"`{path} {param.opts[0]}` has no help"


def test_the_help_names_every_scope_and_both_sides_of_live() -> None:
    scope = next(p for p in _command("apikey create").params if p.name == "scope")
    assert all(
        name in (scope.help or "") for name in ("read", "decide", "admin", "legal", "finance")
    )
    live = next(p for p in _command("datamap diff").params if p.name == "live")
    assert "--no-live" in live.opts + live.secondary_opts  # type: ignore[attr-defined]


def test_on_a_pipe_nothing_is_wrapped_or_turned_into_an_emoji() -> None:
    console = CliConsole()
    console.file = io.StringIO()
    long = "completed " + "x" * 150 + " 2026-12-03T17:00:00+00:00"
    console.print(long)
    console.print("see file:100: and :smile:")
    table = Table(title="requests")
    table.add_column("id")
    table.add_column("status")
    table.add_row("r1", "[done]")
    console.print(table)
    lines = console.file.getvalue().splitlines()
    assert lines[0] == long  # one line, not cut at 80 columns
    assert lines[1] == "see file:100: and :smile:"
    assert lines[2:] == ["requests", "id\tstatus", "r1\t[done]"]


def test_bracketed_text_from_a_file_is_printed_not_swallowed(tmp_path: Path) -> None:
    fides = Path(__file__).resolve().parents[1] / "datamap" / "fides" / "masking.yml"
    done = run(tmp_path, "datamap", "import-fides", str(fides), "-o", "map.yml")
    assert done.returncode == 0, done.stderr
    assert "after [masking_example.customer] dropped" in done.stderr


def test_a_new_key_is_alone_on_its_last_line_and_json_on_request(tmp_path: Path) -> None:
    made = run(tmp_path, "apikey", "create", "a rather long name for a desk", "-s", "decide")
    assert made.returncode == 0, made.stderr
    key = made.stdout.splitlines()[-1]
    assert key.startswith("rdk_") and " " not in key and len(key) > 40
    as_json = run(tmp_path, "apikey", "create", "desk", "-s", "legal", "-s", "finance", "--json")
    shown = json.loads(as_json.stdout)
    assert shown["key"].startswith("rdk_") and shown["scopes"] == ["legal", "finance"]


#: Every command that lists or creates, with what it needs; each must print one JSON document.
JSON_COMMANDS = [
    ("request", "list"),
    ("request", "grounds"),
    ("request", "report", "--year", "2026"),
    ("request", "submit", "-t", "access", "-i", "email=a@example.com", "--evidence", "ticket 1"),
    ("request", "import", "tickets.csv"),
    ("apikey", "list"),
    ("binding", "list", "-i", "email=a@example.com"),
    ("consent", "show", "-i", "email=a@example.com"),
    ("delivery", "list"),
    ("outbox", "list"),
    ("restriction", "list"),
    ("status",),
]


@pytest.fixture(scope="module")
def demo_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo.build(tmp_path_factory.mktemp("demo") / "d", 20)


@pytest.mark.parametrize("args", JSON_COMMANDS, ids=[" ".join(a[:2]) for a in JSON_COMMANDS])
def test_every_listing_or_creating_command_speaks_json(
    tmp_path: Path, demo_map: Path, args: tuple[str]
) -> None:
    (tmp_path / "tickets.csv").write_text("type,email,evidence\naccess,b@example.com,ticket 2\n")
    done = run(tmp_path, *args, "--json", settings=(("RIGHTSDESK_DATAMAP", str(demo_map)),))
    assert done.returncode == 0, done.stderr
    json.loads(done.stdout)  # one document, nothing around it


def test_the_demo_ends_on_its_refusal_as_an_outcome_not_a_warning(tmp_path: Path) -> None:
    done = run(tmp_path, "demo", "--dir", "d", "--people", "20")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert "a marketing role asking for it: refused, as it should be" in lines[-2]
    assert lines[-1].strip().startswith("Next: `rightsdesk serve`")
    assert "denied" not in done.stderr.lower() and "warning" not in done.stderr.lower()

"""`rightsdesk datamap ...`: validate, draft, diff and import data maps."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from rightsdesk.cli import files
from rightsdesk.cli.app import datamap_app, err, out
from rightsdesk.cli.console import plain
from rightsdesk.service.runtime import runs


@datamap_app.command("validate")
def datamap_validate(
    file: Path,
    live: Annotated[bool, typer.Option(help="Also compare with the live databases.")] = False,
) -> None:
    """Check a data map; errors name file, line and field (exit code 2)."""
    datamap = runs.validate(file, live=live)
    collections = sum(len(s.collections) for s in datamap.systems)
    out.print(
        f"{file}: ok ({len(datamap.systems)} systems, {collections} collections"
        f"{', checked against the live schema' if live else ''})"
    )


@datamap_app.command("generate")
def datamap_generate(
    url: Annotated[str, typer.Option(help="SQLAlchemy URL of the database to describe.")],
    output: Annotated[Path, typer.Option("--out", "-o", help="Where to write the draft map.")],
    system: Annotated[str, typer.Option(help="Name of the system in the map.")] = "app",
    schema: Annotated[
        str | None, typer.Option(help="Database schema (default: the default).")
    ] = None,
    sample: Annotated[int, typer.Option(min=10, help="Values sampled per column.")] = 1000,
) -> None:
    """Draft a data map from the live database: tables, keys, references, personal data."""
    from rightsdesk.discovery.drafting.generate import generate

    files.check_out_file(output, "--out")
    draft = generate(url, system=system, schema=schema, sample=sample)
    files.write_atomic(output, _relative_sqlite(draft.yaml_text, url, schema, output))
    review = [p for p in draft.proposals if p.inferred or p.confidence < 0.9]
    out.print(
        f"{output}: written with {len(draft.proposals)} proposals; "
        f"{len(review)} to review (marked '# proposed:' in the file)"
    )


def _relative_sqlite(text: str, url: str, schema: str | None, output: Path) -> str:
    """A relative SQLite path rewritten against the draft's folder (the loader resolves it
    there), so a draft written to another folder still opens the same file."""
    from rightsdesk.connectors.urls import parse, sqlite_file
    from rightsdesk.discovery.drafting.generate import map_url

    path = sqlite_file(parse("the database", url))
    written = map_url(url, schema)
    if path is None or Path(parse("the database", url).database or "").is_absolute():
        return text
    moved = os.path.relpath(path, output.parent.resolve())
    return text.replace(written, f"sqlite:///{Path(moved).as_posix()}", 1)


@datamap_app.command("diff")
def datamap_diff(
    file: Path,
    live: Annotated[
        bool, typer.Option("--live/--no-live", help="Compare with the live databases.")
    ] = True,
    sample: Annotated[int, typer.Option(min=10, help="Values sampled per column.")] = 500,
) -> None:
    """Drift between a map and the live schema; exits 1 on any drift (a deployment guard)."""
    from rightsdesk.discovery.drift import diff

    loaded = runs.validate(file, live=False)
    drifts = diff(loaded, sample=sample) if live else []
    for drift in drifts:
        out.print(f"{drift.severity}: {drift.system}.{drift.where}: {drift.message}", markup=False)
    if drifts:
        raise typer.Exit(1)
    out.print(f"{file}: no drift from the live schema")


@datamap_app.command("import-fides")
def datamap_import_fides(
    file: Path,
    output: Annotated[Path, typer.Option("--out", "-o", help="Where to write the data map.")],
    url: Annotated[
        list[str] | None,
        typer.Option(
            help="dataset=URL for a dataset's database (repeatable); else ${DATASET_URL}."
        ),
    ] = None,
    policy: Annotated[
        Path | None,
        typer.Option(help="Fides erasure policy (YAML/JSON): erase only what its rules target."),
    ] = None,
    policy_key: Annotated[
        str | None, typer.Option(help="Which policy of the --policy file, when it has several.")
    ] = None,
) -> None:
    """Convert Fides dataset YAML into a rightsdesk data map; what cannot carry over is listed."""
    from rightsdesk.datamap.fides import convert
    from rightsdesk.datamap.fides_policy import load_policy

    files.check_out_file(output, "--out")
    systems = dict(item.partition("=")[::2] for item in url or [])
    chosen = (
        load_policy(policy.read_text(encoding="utf-8"), source=str(policy), key=policy_key)
        if policy
        else None
    )
    result = convert(
        file.read_text(encoding="utf-8"), source=str(file), systems=systems, policy=chosen
    )
    files.write_atomic(output, result.yaml_text)
    for warning in result.warnings:
        err.print(f"[yellow]warning:[/yellow] {plain(warning)}", highlight=False)
    out.print(f"{output}: written ({len(result.warnings)} warning(s); review them before use)")

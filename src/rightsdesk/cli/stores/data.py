"""Commands on data stores directly, through a data map: plan, access, erase."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from rightsdesk.cli import files
from rightsdesk.cli.app import app, err, out
from rightsdesk.engine.closure import ClosureReport
from rightsdesk.engine.runner import ErasureResult
from rightsdesk.engine.traversal import Progress as ProgressCallback
from rightsdesk.service.runtime import runs
from rightsdesk.settings import Settings

DataMapOption = Annotated[Path, typer.Option("--datamap", "-m", help="The data map YAML file.")]
IdentityOption = Annotated[
    list[str] | None,
    typer.Option(
        "--identity",
        "-i",
        help="kind=value naming the person, e.g. email=a@b.c (repeatable: all are one person).",
    ),
]
FileOption = Annotated[
    Path | None,
    typer.Option(
        "--identities-file", help="CSV (header of identity kinds) or JSONL: one person per line."
    ),
]


@app.command()
def plan(
    datamap: DataMapOption,
    kind: Annotated[
        list[str], typer.Option("--kind", "-k", help="Identity kind to start from (repeatable).")
    ],
) -> None:
    """Print the traversal plan for the given identity kinds."""
    from rightsdesk.engine.plan import compile_plan

    loaded = runs.validate(datamap, live=False)
    out.print(compile_plan(loaded, frozenset(kind)).describe(), highlight=False)


@app.command()
def access(
    datamap: DataMapOption,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Directory for the export.")],
    identity: IdentityOption = None,
    identities_file: FileOption = None,
) -> None:
    """Export everything held about a person: data.json, one CSV per collection, report.html."""
    subjects = runs.subjects_from(identity or [], identities_file)
    files.check_out_folder(out_dir, "--out")
    loaded = runs.validate(datamap, live=False)
    with (
        progress_bar("reading") as progress,
        runs.open_engine(loaded, Settings(), progress) as engine,
    ):
        exports, stats = runs.export(engine, subjects, out_dir)
    for item in exports[:20]:
        total = sum(item.rows.values())
        out.print(
            f"{item.subject.id}: {total} records from "
            f"{sum(1 for n in item.rows.values() if n)} collections "
            f"-> {item.directory / 'data.json'}",
            highlight=False,
        )
    if len(exports) > 20:
        out.print(f"... and {len(exports) - 20} more under {out_dir}")
    err.print(f"{stats.queries} lookups", style="dim")


@app.command()
def erase(
    datamap: DataMapOption,
    identity: IdentityOption = None,
    identities_file: FileOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; change nothing.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    verify: Annotated[
        bool | None,
        typer.Option(
            "--verify/--no-verify",
            help="Afterwards, scan every text and JSON column of every system for what was "
            "erased (default: RIGHTSDESK_VERIFY_ERASURE).",
        ),
    ] = None,
) -> None:
    """Erase a person's data as the data map says, keeping what the law requires."""
    subjects = runs.subjects_from(identity or [], identities_file)
    loaded = runs.validate(datamap, live=False)
    settings = Settings()
    with (
        progress_bar("finding") as progress,
        runs.open_engine(loaded, settings, progress) as engine,
    ):
        result = engine.erase(subjects, dry_run=dry_run)
    checked = (settings.verify_erasure if verify is None else verify) and not dry_run
    residues = None
    if checked:
        key = runs.masking_key(settings).secret
        residues = runs.verify_erasure(loaded, result, subjects, key)
    if as_json:
        shown = _result_json(result, [s.id for s in subjects])
        if residues is not None:
            shown["residue"] = {r.system: r.report.to_json() for r in residues}
        out.print_json(json.dumps(shown, default=str))
        return
    print_erasure(result, [s.id for s in subjects])
    if residues is not None:
        print_residues(residues)


def print_residues(residues: list[runs.Residues]) -> None:
    """Proof of absence: what the scan read, and every value still found, for review."""
    for item in residues:
        report, flagged = item.report, item.flagged()
        kept = len(report.findings) - len(flagged)
        out.print(
            f"verify {item.system}: {report.tables_scanned} tables, {report.columns_scanned} "
            f"text columns, {report.rows_scanned:,} rows scanned: "
            + (f"[red]{len(flagged)} residue(s) to review[/red]" if flagged else "no residue")
            + (f" ({kept} in collections kept by law)" if kept else ""),
            highlight=False,
        )
        for finding in flagged[:50]:
            where = finding.to_json()["key"]
            out.print(
                f"  {finding.table}.{finding.column} {where}: {finding.needle_kind} of "
                f"{finding.subject} ({finding.form}, {finding.needle_hash})",
                highlight=False,
                markup=False,
            )
        for warning in report.warnings:
            err.print(f"  note: {warning}", highlight=False)


def print_erasure(result: ErasureResult, ids: list[str]) -> None:
    verb = "would run" if result.dry_run else "ran"
    for subject_id, report in list(zip(ids, result.report, strict=True))[:20]:
        mode = "dry run: nothing changed" if result.dry_run else "applied"
        table = Table(title=f"erasure for {subject_id} ({mode})", title_justify="left")
        for column in ("collection", "found", "deleted", "masked (fields)", "kept by law"):
            table.add_column(column, overflow="fold", no_wrap=column == "collection")
        bases: dict[str, str] = {}
        for name, o in report.items():
            masked = f"{o['masked']} ({', '.join(o['masked_fields'])})" if o["masked"] else "0"
            kept = []
            for r in o["retained"]:
                mark = bases.setdefault(r["basis"], f"[{len(bases) + 1}]")
                kept.append(f"{r['rows']} until {r['until'] or 'unknown'} {mark}")
            table.add_row(name, str(o["found"]), str(o["deleted"]), masked, "; ".join(kept) or "-")
        out.print(table)
        for basis, mark in bases.items():
            out.print(f"  {mark} {basis}", highlight=False)
        number = ids.index(subject_id)
        if number < len(result.closure):
            out.print(f"  identity closure: {_closure_text(result.closure[number])}")
    if len(ids) > 20:
        out.print(f"... and {len(ids) - 20} more people")
    resumed = ", resumed from its checkpoint" if result.resumed else ""
    out.print(
        f"{verb} {len(result.statements)} statements (run {result.run_id}{resumed})",
        highlight=False,
    )
    if result.dry_run:
        for line in result.statements:
            out.print(f"  {line}", highlight=False)


def _result_json(result: ErasureResult, ids: list[str]) -> dict[str, Any]:
    return {
        "run_id": result.run_id,
        "dry_run": result.dry_run,
        "resumed": result.resumed,
        "subjects": dict(zip(ids, result.report, strict=True)),
        "statements": result.statements,
    } | ({"closure": dict(zip(ids, result.closure, strict=True))} if result.closure else {})


def _closure_text(record: ClosureReport) -> str:
    """What the identity closure added and refused for one person (counts, never values)."""
    added = ", ".join(f"{n} {k}" for k, n in record["added"].items()) or "nothing"
    shared = ", ".join(f"{n} {k}" for k, n in record["shared"].items())
    text = f"{record['rounds']} more pass(es), added {added}"
    text += f"; refused as shared: {shared}" if shared else ""
    return text + ("; stopped at max_values" if record["capped"] else "")


@contextmanager
def progress_bar(verb: str) -> Iterator[ProgressCallback]:
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task(verb)

        def update(step: str, rows: int) -> None:
            bar.update(task, description=f"{verb} {step}: {rows:,} rows")

        yield update

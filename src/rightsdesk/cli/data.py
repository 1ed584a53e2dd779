"""Commands on data maps and data stores directly: validate, plan, access, erase, demo."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from rightsdesk.cli import files
from rightsdesk.cli.app import app, datamap_app, err, out
from rightsdesk.cli.console import plain
from rightsdesk.engine.runner import ErasureResult
from rightsdesk.engine.traversal import Progress as ProgressCallback
from rightsdesk.service import runs
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
    from rightsdesk.discovery.generate import generate

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
    from rightsdesk.discovery.generate import map_url

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
    with _progress("reading") as progress, runs.open_engine(loaded, Settings(), progress) as engine:
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
    with _progress("finding") as progress, runs.open_engine(loaded, settings, progress) as engine:
        result = engine.erase(subjects, dry_run=dry_run)
    checked = (settings.verify_erasure if verify is None else verify) and not dry_run
    residues = runs.verify_erasure(loaded, result, subjects, settings) if checked else None
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


def _closure_text(record: dict[str, Any]) -> str:
    """What the identity closure added and refused for one person (counts, never values)."""
    added = ", ".join(f"{n} {k}" for k, n in record["added"].items()) or "nothing"
    shared = ", ".join(f"{n} {k}" for k, n in record["shared"].items())
    text = f"{record['rounds']} more pass(es), added {added}"
    text += f"; refused as shared: {shared}" if shared else ""
    return text + ("; stopped at max_values" if record["capped"] else "")


@app.command()
def demo(
    directory: Annotated[
        Path, typer.Option("--dir", help="Where to build the demo platform.")
    ] = Path("rightsdesk-demo"),
    people: Annotated[
        int, typer.Option("--people", min=1, help="How many people the platform holds.")
    ] = 1000,
) -> None:
    """Build an embedded cloud platform (SQLite) and run access and erasure for one person."""
    from rightsdesk.service import demo as demo_service

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("building the demo platform", total=people)
        datamap = demo_service.build(
            directory, people, lambda done, total: bar.update(task, completed=done, total=total)
        )
    out.print(
        f"Built a cloud platform with {people:,} people in {directory}/ "
        "(SQLite: platform.db, billing.db)"
    )
    out.print(f"Data map: {datamap}\n")
    with _progress("working on") as progress:
        result = demo_service.run(datamap, progress)
    person = demo_service.PERSON.id
    out.print(f"[bold]1. Access[/bold]: everything held about {person}", highlight=False)
    _print_counts(result.before.rows)
    out.print(
        f"   export: {result.before.directory}/data.json, report.html and one CSV per table\n",
        highlight=False,
    )
    out.print("[bold]2. Erasure[/bold]")
    print_erasure(result.erasure, [person])
    left = sum(result.after.rows.values())
    out.print(f"\n[bold]3. Check[/bold]: access again by email and account id finds {left} records")
    _print_counts(result.after.rows)
    out.print("   Rows kept by law stay in place, unlinked from the person and listed above.")
    _request_demo(datamap)


def _request_demo(datamap: Path) -> None:
    from rightsdesk.service import demo_requests

    shown = demo_requests.run(datamap)
    out.print(
        f"\n[bold]4. A deletion request through the request service[/bold] for {shown.email}",
        highlight=False,
    )
    out.print(
        f"   submitted -> {shown.statuses[0]}: a one-time code was mailed to "
        f"{shown.outbox}/ (set RIGHTSDESK_MAIL_URL=smtp://... for a real server)",
        highlight=False,
    )
    out.print(f"   code entered -> {shown.statuses[1]}; operator approved -> {shown.statuses[2]}")
    verdict = "valid and signed by this server" if shown.check.valid else "NOT valid"
    out.print(f"   signed receipt: {shown.receipt} ({verdict})", highlight=False)
    out.print(
        f"   audit log: {shown.audit_entries} hash-chained entries, "
        f"{'intact' if shown.audit_intact else 'BROKEN'}"
    )
    _rights_demo(datamap)
    out.print("   Next: `rightsdesk serve` for the REST API (README, docs/service.md).")


def _rights_demo(datamap: Path) -> None:
    from rightsdesk.service import demo_rights

    shown = demo_rights.run(datamap)
    say = partial(out.print, highlight=False)
    say(f"\n[bold]5. The other rights[/bold] for {shown.email}")
    say(
        f"   correction of the phone: {shown.phone_before} -> {shown.phone_after} "
        f"({shown.correction})"
    )
    say(
        f"   unbinding: removed {shown.unbound}; {shown.bindings_left} binding(s) left; "
        "the platform is asked to revoke the third party's token"
    )
    say(f"   consent for marketing: {'; '.join(shown.consent_history)} (both receipts kept)")
    say("   account cancellation:")
    for step in shown.cancellation:
        say(f"     {step}")
    say(f"     backup offered before confirming: {shown.backup}")
    say(f"     rows of theirs left in the live tables: {shown.live_rows_left}")
    say(f"   the vault under tombstone {shown.tombstone} (encrypted; legal role, audited):")
    for line in shown.vault:
        say(f"     {line}")
    say(f"   a marketing role asking for it: refused, as it should be ({shown.denied})")


def _print_counts(rows: dict[str, int]) -> None:
    for name, count in rows.items():
        if count:
            out.print(f"   {name:<34} {count:>6} records", highlight=False)


@contextmanager
def _progress(verb: str) -> Iterator[ProgressCallback]:
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

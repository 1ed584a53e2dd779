"""`rightsdesk demo`: an embedded platform, and every right exercised on one person of it."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

from rightsdesk.cli.app import app, err, out
from rightsdesk.cli.stores.data import print_erasure, progress_bar


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
    from rightsdesk.demo import direct as demo_service

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
    with progress_bar("working on") as progress:
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
    from rightsdesk.demo import requests as demo_requests

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
    out.print(
        f"   code entered -> {shown.statuses[1]}; a part refused (an open tax audit), "
        f"operator approved -> {shown.statuses[2]}"
    )
    out.print(f"   {shown.held}", highlight=False)
    out.print(f"   {shown.lifted}", highlight=False)
    verdict = "valid and signed by this server" if shown.check.valid else "NOT valid"
    out.print(f"   signed receipt: {shown.receipt} ({verdict})", highlight=False)
    out.print(
        f"   audit log: {shown.audit_entries} hash-chained entries, "
        f"{'intact' if shown.audit_intact else 'BROKEN'}"
    )
    _rights_demo(datamap)
    out.print("   Next: `rightsdesk serve` for the REST API (README, docs/service.md).")


def _rights_demo(datamap: Path) -> None:
    from rightsdesk.demo import rights as demo_rights

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
    say("   their access answer also says how the data is processed (data.json, report.html):")
    for line in shown.processing:
        say(f"     {line}")
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

"""`rightsdesk request attach|documents|document`: a case's signed documents (a written
request, an agent's permission or power of attorney), kept encrypted with the case."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from rightsdesk.cli.app import out
from rightsdesk.cli.desk.requests import request_app
from rightsdesk.cli.files import check_out_file, write_private
from rightsdesk.cli.local import JsonFlag, local_operator, open_services, print_json
from rightsdesk.domain.agents import DocumentKind
from rightsdesk.domain.errors import InputError

Kind = Annotated[
    DocumentKind,
    typer.Option(help="written_request, permission (an agent's) or power_of_attorney."),
]


@request_app.command("attach")
def attach(
    request_id: str,
    file: Annotated[Path, typer.Argument(help="The signed document: a PDF, PNG, JPEG or TIFF.")],
    kind: Kind,
) -> None:
    """File a signed document with a request (received by post, or by e-mail): encrypted with
    the case, erased with it; a request it completes may then be approved."""
    from rightsdesk.service.casefiles import documents, filing

    try:
        with file.open("rb") as handle:
            data = handle.read(documents.MAX_BYTES + 1)
    except OSError as exc:
        raise InputError(f"{file}: {exc.strerror or exc}") from None
    documents.sniff(data)  # 415/413 as exit 2, before anything is opened
    with open_services() as services:
        shown = filing.attach_for(services, local_operator(), request_id, kind, data)
        services.jobs.drain()
    out.print(
        f"document {shown.id}: {shown.kind.value}, {shown.media_type}, {shown.size} bytes, "
        f"sha256 {shown.sha256}"
    )


@request_app.command("documents")
def listing(request_id: str, as_json: JsonFlag = False) -> None:
    """The signed documents kept with a request, and the kinds an approval still waits for."""
    from rightsdesk.service.casefiles import filing
    from rightsdesk.service.requests import views

    with open_services() as services:
        found = filing.listing(services, local_operator(), request_id)
        missing = views.detail(services, request_id).documents_missing
    if as_json:
        print_json({"documents": [asdict(d) for d in found], "missing": missing})
        return
    table = Table("id", "kind", "type", "bytes", "uploaded by", "at")
    for d in found:
        at = d.uploaded_at.isoformat(timespec="seconds")
        table.add_row(d.id, d.kind.value, d.media_type, str(d.size), d.uploaded_by, at)
    out.print(table)
    out.print(f"still needed: {', '.join(missing) or 'nothing'}")


@request_app.command("document")
def download(
    request_id: str,
    document_id: str,
    to: Annotated[Path, typer.Option("--out", help="Write the decrypted document here (0600).")],
) -> None:
    """Decrypt one document to a file only you can read (audited as document_read)."""
    from rightsdesk.service.casefiles import filing

    check_out_file(to, "--out")
    with open_services() as services:
        opened = filing.read(services, local_operator(), request_id, document_id)
    write_private(to, opened.content)
    out.print(f"{to}: {opened.document.kind.value}, {opened.document.size} bytes")

"""The export read as a page: the same signed, expiring link as the ZIP download, as tables.

The archive is the one ``GET /v1/requests/{id}/export`` serves, found by the same service call
(``execution.export_file``: signature and expiry checked there); its ``data.json`` becomes one
table per place the data was found, with the categories of each field. A long table shows its
first ``ROWS`` rows and says how many more the file holds.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from rightsdesk.domain.errors import NotFoundError
from rightsdesk.export import wording
from rightsdesk.service.requests import execution
from rightsdesk.web.visit import PageRoute, VisitDep

router = APIRouter(route_class=PageRoute, include_in_schema=False)
ROWS = 200
API_PREFIX = "/v1/requests/"


@dataclass(frozen=True)
class Table:
    name: str
    columns: list[str]
    rows: list[list[Any]]
    total: int
    categories: dict[str, list[str]]


def page_url(download_url: str) -> str | None:
    """The reading page of an export's download link (same id, expiry and signature)."""
    parts = urlsplit(download_url)
    if not parts.path.startswith(API_PREFIX):
        return None
    return f"/requests/{parts.path.removeprefix(API_PREFIX)}?{parts.query}"


@router.get("/requests/{request_id}/export")
def export_page(
    page: VisitDep,
    request_id: Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")],
    expires: Annotated[str, Query(pattern=r"^[0-9]{1,12}$")],
    signature: Annotated[str, Query(pattern=r"^[0-9a-f]{64}$")],
) -> Response:
    path = execution.export_file(page.services, request_id, expires, signature)
    with zipfile.ZipFile(path) as archive:
        if "data.json" not in archive.namelist():
            raise NotFoundError("this export has no data.json")
        data = json.loads(archive.read("data.json"))
    tables = [_table(name, rows, data["about"].get(name, {})) for name, rows in _found(data)]
    download = f"{API_PREFIX}{request_id}/export?expires={expires}&signature={signature}"
    return page.render(
        "export.html",
        subject=data["subject"],
        generated_at=datetime.fromisoformat(data["generated_at"]),
        tables=tables,
        download=download,
        # how the data is processed, as the export says it (in the request's language), under
        # the headings of the export's own report in the page's
        processing=data.get("processing"),
        say=wording.words(page.language.code),
    )


def _found(data: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    return [(name, rows) for name, rows in data["collections"].items() if rows]


def _table(name: str, rows: list[dict[str, Any]], about: dict[str, Any]) -> Table:
    columns = list(rows[0])
    shown = [[row.get(c) for c in columns] for row in rows[:ROWS]]
    return Table(name, columns, shown, len(rows), dict(about.get("fields", {})))

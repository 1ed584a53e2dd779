"""report.html: the same export, readable by the person it is about."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from html import escape
from itertools import islice
from pathlib import Path
from typing import Any, Protocol

from rightsdesk.domain.subjects import Subject
from rightsdesk.engine.plan import Plan
from rightsdesk.export import processing_report, wording

SHOWN_ROWS = 200


class _Projection(Protocol):
    @property
    def names(self) -> tuple[str, ...]: ...

    @property
    def categories(self) -> dict[str, list[str]]: ...


_STYLE = """body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;margin:.5rem 0 1.5rem;font-size:.9rem}
td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}.muted{color:#666;font-size:.85rem}h2{margin-top:2rem}"""


def write_report(
    path: Path,
    subject: Subject,
    generated: str,
    plan: Plan,
    projections: Mapping[str, _Projection],
    counts: Mapping[str, int],
    rows_of: Callable[[str], Iterator[list[Any]]],
    *,
    processing: Mapping[str, Any] | None = None,
    locale: str = "en",
) -> None:
    say = wording.words(locale)
    with path.open("w", encoding="utf-8") as out:
        out.write(
            f"<!doctype html><html lang='{escape(locale)}'><meta charset='utf-8'>"
            f"<title>{say['title']}</title><style>{_STYLE}</style><body><h1>{say['title']}</h1>"
        )
        ids = ", ".join(f"{escape(i.kind)}: {escape(i.value)}" for i in subject.identities)
        out.write("<p>" + say["prepared"].format(ids=ids, generated=escape(generated)) + "</p>")
        out.write(f"<table><tr><th>{say['where']}</th><th>{say['records']}</th></tr>")
        for step in plan.steps:
            out.write(
                f"<tr><td><a href='#{escape(step.name)}'>{escape(step.name)}</a></td>"
                f"<td>{counts.get(step.name, 0)}</td></tr>"
            )
        out.write("</table>")
        if processing is not None:
            processing_report.write(out, processing, say)
        for step in plan.steps:
            count = counts.get(step.name, 0)
            _section(out, step.name, projections[step.name], count, rows_of, say)
        out.write("</body></html>\n")


def _section(
    out: Any,
    name: str,
    projection: _Projection,
    count: int,
    rows_of: Callable[[str], Iterator[list[Any]]],
    say: Mapping[str, str],
) -> None:
    out.write(f"<h2 id='{escape(name)}'>{escape(name)}</h2>")
    if count == 0:
        out.write(f"<p class='muted'>{say['none']}</p>")
        return
    out.write("<table><tr>")
    for column in projection.names:
        kinds = ", ".join(projection.categories.get(column, []))
        out.write(f"<th title='{escape(kinds)}'>{escape(column)}</th>")
    out.write("</tr>")
    for values in islice(rows_of(name), SHOWN_ROWS):
        cells = "".join(f"<td>{'' if v is None else escape(str(v))}</td>" for v in values)
        out.write(f"<tr>{cells}</tr>")
    out.write("</table>")
    if count > SHOWN_ROWS:
        shown = say["showing"].format(shown=SHOWN_ROWS, count=count)
        out.write(f"<p class='muted'>{shown}</p>")

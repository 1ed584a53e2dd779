"""The ``processing`` section (export/processing.py) as HTML, in report.html."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any, TextIO


def write(out: TextIO, processing: Mapping[str, Any], say: Mapping[str, str]) -> None:
    out.write(f"<h2 id='processing'>{say['processing']}</h2>")
    controller = processing.get("controller")
    if controller:
        contact = f" ({escape(controller['contact'])})" if controller.get("contact") else ""
        out.write(f"<p>{say['responsible']}: {escape(controller['name'])}{contact}</p>")
    heads = ("category", "held_in", "purposes", "recipients", "retention", "source")
    out.write("<table><tr>" + "".join(f"<th>{say[h]}</th>" for h in heads) + "</tr>")
    for item in processing["categories"]:
        purposes = [f"{p['description']} ({p['basis_text']})" for p in item["purposes"]]
        recipients = [_recipient(r) for r in item["recipients"]]
        cells = (
            [item["category"]],
            item["held_in"],
            purposes or [item.get("purposes_note", "")],
            recipients or [say["nobody"]],
            [f"{r['collection']}: {r['text']}" for r in item["retention"]],
            [f"{s['collection']}: {s['text']}" for s in item["sources"]],
        )
        row = "".join("<td>" + "<br>".join(escape(str(v)) for v in c) + "</td>" for c in cells)
        out.write(f"<tr>{row}</tr>")
    out.write(f"</table><h3>{say['rights']}</h3><ul>")
    for right in processing["rights"]:
        out.write(f"<li>{escape(right['text'])} <span class='muted'>{escape(right['how'])}</span>")
    out.write(f"</ul><h3>{say['complaints']}</h3><ul>")
    for remedy in processing["complaints"]:
        basis = escape(remedy.get("basis", ""))
        out.write(f"<li>{escape(remedy['text'])} <span class='muted'>{basis}</span>")
    out.write(f"</ul><h3>{say['decisions']}</h3><p>{escape(processing['automated_decisions'])}</p>")
    if processing.get("held_apart"):
        out.write(f"<h3 id='held-apart'>{say['held_apart']}</h3><ul>")
        for item in processing["held_apart"]:
            places = ", ".join(item["places"])
            out.write(f"<li>{escape(places)}: {escape(item['text'])}")
        out.write("</ul>")


def _recipient(recipient: Mapping[str, Any]) -> str:
    where = f", {recipient['country']}" if recipient.get("country") else ""
    safeguard = f"; {recipient['safeguard']}" if recipient.get("safeguard") else ""
    name = recipient.get("title") or recipient["name"]
    return f"{name} ({recipient['kind_text']}{where}{safeguard})"

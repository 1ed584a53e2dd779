"""Portability (GDPR Art. 20, PIPL Art. 45(3), ACC-07, ACC-08): what the person provided, as
JSON of a documented schema, offered by link and, when asked, sent to another handler.

The run walks the data map from the person's identities, keeps the portable share
(``export.portability``: consent or contract, provided by the person, no credentials), writes
``portability.json`` and its schema into the archive the person downloads, and, with
``params.transfer_to``, POSTs the same document over HTTPS, signed
(``deliveries.transfer``). A transfer that cannot be made (certificate not trusted, handler
unreachable or refusing) is a part refused with that reason: the person keeps the link.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from rightsdesk.audit import events
from rightsdesk.domain.errors import Code, DeliveryError, PolicyError
from rightsdesk.domain.outcome import Refusal
from rightsdesk.domain.requests import RequestType
from rightsdesk.domain.subjects import Subject
from rightsdesk.engine.erasure import ErasureCollector
from rightsdesk.export import portability
from rightsdesk.service.deliveries import transfer
from rightsdesk.service.requests import lifecycle
from rightsdesk.service.runtime import connections, timing
from rightsdesk.service.runtime.context import Services, Unit, unit
from rightsdesk.service.workflows import access
from rightsdesk.service.workflows.base import Asked, Snapshot, Summary, Workflow
from rightsdesk.store.models import Request

DOCUMENT, SCHEMA = "portability.json", "portability.schema.json"


class Portability(Workflow):
    type = RequestType.PORTABILITY

    def check(self, services: Services, asked: Asked) -> Mapping[str, Any]:
        return check(services, asked.params)

    def run(self, services: Services, snapshot: Snapshot) -> Summary:
        return carry(services, snapshot)

    def finish(
        self, services: Services, work: Unit, request: Request, summary: Summary
    ) -> dict[str, Any]:
        told = access.offer(services, work, request, summary["file"])
        if "transfer" in summary:
            told["transferred_to"] = summary["transfer"]["to"]
        return told


def check(services: Services, params: Mapping[str, Any]) -> dict[str, Any]:
    """``transfer_to`` (optional): the receiving handler's https:// endpoint."""
    if not portability.portable(services.require_datamap()):
        raise PolicyError(
            "nothing here is portable: no purpose with basis consent or contract covers data "
            "the person provided",
            code=Code.NOTHING_PORTABLE,
        )
    unknown = sorted(set(params) - {"transfer_to"})
    if unknown:
        raise PolicyError(
            f"unknown params {', '.join(unknown)}; a portability request takes transfer_to"
        )
    if "transfer_to" in params:
        return {"transfer_to": transfer.check_url(params["transfer_to"])}
    return {}


def carry(services: Services, snapshot: Snapshot) -> Summary:
    """Build the document, archive it for the person, and send it on when asked."""
    shares = portability.portable(services.require_datamap())
    document = portability.document(
        snapshot.request_id,
        services.clock(),
        {"name": services.slices.links.public_url, "url": services.slices.links.public_url},
        snapshot.identities,
        shares,
        _rows(services, snapshot, set(shares)),
    )
    content = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    summary: Summary = {
        "collections": {c["name"]: {"found": len(c["records"])} for c in document["collections"]},
        "file": _archive(services, snapshot.request_id, content),
    }
    url = snapshot.params.get("transfer_to")
    if url:
        summary |= _send(services, snapshot.request_id, url, content)
    return summary


def _send(services: Services, request_id: str, url: str, content: bytes) -> Summary:
    """Transfer the document; what the summary records of it (audited either way)."""
    host = urlsplit(url).hostname or ""
    try:
        sent = transfer.send(services, url, content, request_id=request_id)
    except DeliveryError as exc:
        out: Summary = {"refused_parts": [_not_sent(str(exc))]}
        data: dict[str, Any] = {"host": host, "refused": str(exc)}
    else:
        out = {"transfer": {"to": sent.host, "status": sent.status, "key_id": sent.key_id}}
        out["transfer"]["sha256"] = sent.sha256
        data = {"host": host, "status": sent.status, "key_id": sent.key_id, "sha256": sent.sha256}
    with unit(services) as work:
        request = lifecycle.load(work, request_id)
        lifecycle.record(work, request, events.TRANSFER, actor="system", data=data)
    return out


def _rows(
    services: Services, snapshot: Snapshot, names: set[str]
) -> dict[str, tuple[tuple[str, ...], list[Any]]]:
    subject = Subject(snapshot.request_id, snapshot.identities)
    collector = ErasureCollector()
    with connections.engine(services, timer=timing.timer(services, "portability")) as engine:
        steps = {s.name: s for s in engine.plan_for([subject]).steps}
        engine.walk_all([subject], collector)
    return {
        name: (steps[name].columns, [row for row, _ in rows.values()])
        for name, rows in collector.found.items()
        if name in names and name in steps
    }


def _archive(services: Services, request_id: str, content: bytes) -> str:
    folder = services.exports_dir
    folder.mkdir(parents=True, exist_ok=True)
    archive = folder / f"{request_id}.zip"
    partial = archive.with_suffix(".zip.partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr(DOCUMENT, content)
        zipped.writestr(SCHEMA, json.dumps(portability.schema(), indent=2))
    partial.chmod(0o600)
    shutil.move(partial, archive)
    return archive.name


def _not_sent(reason: str) -> Refusal:
    return Refusal(
        part="direct transfer to another handler",
        ground="transfer_not_feasible",
        title="The direct transfer is not technically feasible",
        justification=reason,
        alternative="download the export with the link in this message and hand it over",
    )

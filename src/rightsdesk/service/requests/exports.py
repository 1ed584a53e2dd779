"""An export stops being downloadable once the person's data is erased.

An access request's archive is a copy of what a later deletion (or account cancellation)
erases; a link still valid for days would keep handing the erased data out. When an erasure
completes, every other request naming one of the same identities loses its archive: the file is
deleted after the commit, the outcome records ``revoked_at``, and an ``export_revoked`` event is
audited. A cancellation's own backup export is the person's copy and stays.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from sqlalchemy import and_, or_, select

from rightsdesk.audit import events
from rightsdesk.domain.requests import RequestType
from rightsdesk.service.requests import lifecycle
from rightsdesk.service.runtime.context import Services, Unit
from rightsdesk.store.models import Request, RequestIdentity

ERASING = frozenset({RequestType.DELETE.value, RequestType.CANCEL_ACCOUNT.value})


def revoke_for(services: Services, work: Unit, erased: Request) -> None:
    """Revoke the exports of the person ``erased`` names (call when it completes)."""
    if erased.type not in ERASING or not erased.identities:
        return
    same = or_(
        *(
            and_(RequestIdentity.kind == i.kind, RequestIdentity.value == i.value)
            for i in erased.identities
        )
    )
    ids = select(RequestIdentity.request_id).where(same, RequestIdentity.request_id != erased.id)
    for other in work.session.scalars(select(Request).where(Request.id.in_(ids))):
        export = other.outcome.export
        if export is None or export.revoked_at:
            continue
        revoked = replace(export, revoked_at=work.now.isoformat())
        other.outcome = replace(other.outcome, export=revoked)
        lifecycle.record(work, other, events.EXPORT_REVOKED, actor="system", data={"by": erased.id})
        path = services.exports_dir / f"{other.id}.zip"
        work.after_commit.append(partial(path.unlink, missing_ok=True))


def download_url(services: Services, request_id: str, expires: float) -> str:
    stamp = str(int(expires))
    signature = services.secrets.mac("download", request_id, stamp)
    base = services.settings.public_url.rstrip("/")
    return f"{base}/v1/requests/{request_id}/export?expires={stamp}&signature={signature}"

"""An export stops being downloadable once the person's data is erased.

An access request's archive is a copy of what a later deletion (or account cancellation)
erases; a link still valid for days would keep handing the erased data out. When an erasure
completes, every other request naming one of the same identities loses its archive: the file is
deleted after the commit, the outcome records ``revoked_at``, and an ``export_revoked`` event is
audited. A cancellation's own backup export is the person's copy and stays.
"""

from __future__ import annotations

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
        export = other.outcome.get("export")
        if not export or export.get("revoked_at"):
            continue
        other.outcome = {**other.outcome, "export": {**export, "revoked_at": work.now.isoformat()}}
        lifecycle.record(work, other, events.EXPORT_REVOKED, actor="system", data={"by": erased.id})
        path = services.exports_dir / f"{other.id}.zip"
        work.after_commit.append(partial(path.unlink, missing_ok=True))

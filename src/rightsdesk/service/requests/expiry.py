"""Deletion on the company's own initiative (PIPL Art. 47(1)): no request, no person named.

Collections declare how long their rows are needed (``keep_for`` in the data map); the sweep
deletes what is past it in every store and records the counts in the audit log.
"""

from __future__ import annotations

from rightsdesk.audit import events
from rightsdesk.audit import log as audit
from rightsdesk.service.runtime import connections
from rightsdesk.service.runtime.context import Services, unit


def sweep(services: Services) -> int:
    """Delete expired rows everywhere; the number deleted (audited per collection)."""
    datamap = services.datamap
    if datamap is None or not any(c.keep_for for _, c in datamap.collections()):
        return 0
    today = services.clock().date()
    with connections.engine(services, datamap, today=lambda: today) as engine:
        deleted = engine.expire()
    with unit(services) as work:
        for name, count in sorted(deleted.items()):
            found = datamap.resolve(name)
            assert found is not None and found[1].keep_for is not None
            keep = found[1].keep_for
            audit.append(
                work.session,
                at=work.now,
                actor="system",
                event=events.OWN_INITIATIVE_DELETION,
                reason=str(keep.purpose),
                data={"collection": name, "rows": count, "kept_for": str(keep.period)},
            )
    return sum(deleted.values())

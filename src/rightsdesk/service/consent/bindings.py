"""Third-party account bindings (WDR-01): listed one by one, removed one by one.

Binding collections are marked in the data map (``binding: {provider, external_id}``). Removing
one deletes its row and asks the host platform (signed webhook or event) to revoke the third
party's token, which stops data exchange with that party.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rightsdesk.audit import events
from rightsdesk.audit import log as audit
from rightsdesk.datamap.model import DataMap
from rightsdesk.domain.errors import Code, NotFoundError, PolicyError
from rightsdesk.domain.subjects import Identity, Subject
from rightsdesk.engine.runner import Engine
from rightsdesk.service.deliveries import outbox as deliveries
from rightsdesk.service.runtime import connections
from rightsdesk.service.runtime.context import Services, unit


@dataclass(frozen=True)
class Binding:
    id: str  # system.collection:primary key
    provider: str
    external_id: str
    details: dict[str, Any]
    key: Any = field(default=None, repr=False, compare=False)  # the row's primary key value


def listing(services: Services, identities: Sequence[Identity]) -> list[Binding]:
    """Every binding of the person, in every binding collection of the map."""
    datamap = _datamap(services)
    with connections.engine(services, datamap) as engine:
        return _find(engine, identities)


def remove(
    services: Services,
    identities: Sequence[Identity],
    binding_id: str,
    *,
    actor: str,
    request_id: str | None = None,
) -> Binding:
    """Delete one binding of the person's and have the host revoke the third party's token."""
    with connections.engine(services, _datamap(services)) as engine:
        binding = next((b for b in _find(engine, identities) if b.id == binding_id), None)
        if binding is None:
            raise NotFoundError(
                f"no binding {binding_id!r} of this person", code=Code.BINDING_UNKNOWN
            )
        _delete(engine, binding)
    _announce(services, identities, binding, actor=actor, request_id=request_id)
    return binding


def remove_all(
    services: Services, identities: Sequence[Identity], *, actor: str, request_id: str
) -> list[Binding]:
    """Remove every binding (account cancellation, CAN-08): one walk, one delete each."""
    with connections.engine(services, _datamap(services)) as engine:
        found = _find(engine, identities)
        for binding in found:
            _delete(engine, binding)
            _announce(services, identities, binding, actor=actor, request_id=request_id)
    return found


def _delete(engine: Engine, binding: Binding) -> None:
    where = binding.id.partition(":")[0]
    system, collection = where.split(".")
    spec = engine.datamap.resolve(where)
    assert spec is not None and spec[1].primary_key is not None
    engine.remove(system, collection, spec[1].primary_key, [binding.key])


def _announce(
    services: Services,
    identities: Sequence[Identity],
    binding: Binding,
    *,
    actor: str,
    request_id: str | None,
) -> None:
    payload = {
        "identities": {i.kind: i.value for i in identities},
        "provider": binding.provider,
        "external_id": binding.external_id,
    }
    with unit(services) as work:
        deliveries.to_host(services, work, "binding.revoked", payload, request_id=request_id)
        where = binding.id.partition(":")[0]
        deliveries.to_recipients(
            services, work, {where}, "binding.revoked", payload, request_id=request_id
        )
        audit.append(
            work.session,
            at=work.now,
            actor=actor,
            event=events.BINDING_REMOVED,
            request_id=request_id,
            data={"binding": binding.id, "provider": binding.provider},
        )


def _find(engine: Engine, identities: Sequence[Identity]) -> list[Binding]:
    subject = Subject("bindings", tuple(identities))
    steps = {s.name: s for s in engine.plan_for([subject]).steps}
    found: list[Binding] = []
    for name, rows in engine.find([subject]).items():
        spec = engine.datamap.resolve(name)
        assert spec is not None
        binding, step = spec[1].binding, steps[name]
        if binding is None or step.primary_key is None:
            continue
        at = {c: i for i, c in enumerate(step.columns)}
        for row, _owners in rows:
            details = {c: _plain(row[i]) for c, i in at.items()}
            found.append(
                Binding(
                    id=f"{name}:{row[at[step.primary_key]]}",
                    provider=str(row[at[binding.provider]]),
                    external_id=str(row[at[binding.external_id]]),
                    details=details,
                    key=row[at[step.primary_key]],
                )
            )
    return sorted(found, key=lambda b: b.id)


def _plain(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool | None) else str(value)


def available(services: Services) -> bool:
    """Whether the data map marks any collection as third-party bindings."""
    datamap = services.datamap
    return datamap is not None and any(c.binding for _, c in datamap.collections())


def _datamap(services: Services) -> DataMap:
    datamap = services.require_datamap()
    if not available(services):
        raise PolicyError("the data map marks no collection as third-party bindings")
    return datamap

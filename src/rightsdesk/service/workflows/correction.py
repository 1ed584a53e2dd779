"""Correction (COR-01..03): new values reach every copy of a field; statements sit beside them.

A request names fields (by name, identity kind, category or ``system.collection.field``) and
new values. Intake checks each value's format and that the map holds the field; the run sets
the value in every store at once through the engine. Identity-verification data is never
changed here: that part is refused and the answer names the registration site. A correction
is not verified through the identity it corrects (see ``requests.notices.contact``).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select

from rightsdesk.datamap.identities import identity_kind, kind_of_category
from rightsdesk.datamap.model import DataMap, FieldSpec
from rightsdesk.domain.errors import Code, PolicyError
from rightsdesk.domain.identities import IdentityKind
from rightsdesk.domain.outcome import Refusal
from rightsdesk.domain.requests import RequestType
from rightsdesk.domain.subjects import Identity, Subject
from rightsdesk.domain.texts import LocalText
from rightsdesk.engine.correction import Copy, copies
from rightsdesk.service.deliveries import outbox as deliveries
from rightsdesk.service.requests import subjects
from rightsdesk.service.restrictions import lifting
from rightsdesk.service.runtime import connections, timing
from rightsdesk.service.runtime.checkpoints import DbCheckpoints
from rightsdesk.service.runtime.context import Services, Unit, unit
from rightsdesk.service.workflows.base import Asked, Snapshot, Summary, Workflow
from rightsdesk.store.models import Request, Statement

STATEMENT_LIMIT = 4000
VALUE_LIMIT = 500


class Correction(Workflow):
    type = RequestType.CORRECT

    def check(self, services: Services, asked: Asked) -> Mapping[str, Any]:
        """Normalised changes; a code to an identity being corrected proves nothing."""
        checked = prepare(services.datamap, asked.params)
        if asked.by_code and {i.kind for i in asked.identities} <= set(checked["corrects"]):
            raise PolicyError(
                "a correction is not verified through the identity it corrects: give another "
                "email or phone of the account, or sign in on the platform",
                code=Code.CORRECTION_SAME_CONTACT,
            )
        return checked

    def after_verification(self, services: Services, work: Unit, request: Request) -> bool:
        """A correction an operator must decide contests accuracy meanwhile: the fields'
        collections are restricted until it is decided (GDPR Art. 18(1)(a), COR-04)."""
        changes = request.params.get("changes", [])
        if changes and services.policy.approval(RequestType.CORRECT).manual:
            where = sorted({c.rpartition(".")[0] for ch in changes for c in ch["copies"]})
            params = {"ground": "accuracy_contested", "collections": where}
            services.open_followup(
                services,
                work,
                RequestType.RESTRICT,
                [Identity(i.kind, i.value) for i in request.identities],
                params={**params, "until_request": request.id},
            )
        return False

    def run(self, services: Services, snapshot: Snapshot) -> Summary:
        params = snapshot.params
        summary = run(services, snapshot.request_id, snapshot.identities, params, snapshot.held)
        lifting.lift_for(services, snapshot.request_id)
        return summary

    def finish(
        self, services: Services, work: Unit, request: Request, summary: Summary
    ) -> dict[str, Any]:
        """The parts sent to the registration site, told in the person's language."""
        parts = tuple(
            elsewhere(services, p.part or "", p.fields, request.locale)
            if p.ground == "registration_site" and p.fields is not None
            else p
            for p in request.outcome.refused_parts
        )
        request.outcome = replace(request.outcome, refused_parts=parts)
        return {}

    def lifted(
        self, services: Services, work: Unit, request: Request, places: Sequence[str]
    ) -> Request | None:
        """The follow-up correction of the copies in ``places`` the run left as they were."""
        changes = [
            {"field": copy, "value": change["value"]}
            for change in request.params.get("changes", [])
            for copy in change["copies"]
            if _within(copy, places) and copy not in change["verification"]
        ]
        if not changes:
            return None
        params = prepare(services.datamap, {"changes": changes})
        identities = [Identity(i.kind, i.value) for i in request.identities]
        return services.open_followup(
            services, work, RequestType.CORRECT, identities, params=params
        )


#: The answer about identity-verification data, which only the registration site corrects.
ELSEWHERE = {
    "en": (
        "Identity-verification data is corrected where it was verified",
        "identity-verification data ({fields}) is corrected only at {site}",
        "ask for the correction at {site}{link}",
        ": {url}",
    ),
    "zh-CN": (
        "实名认证信息须在原注册网站更正",
        "实名认证信息（{fields}）只能在{site}更正",  # noqa: RUF001
        "请前往{site}申请更正{link}",
        "：{url}",  # noqa: RUF001
    ),
}


def elsewhere(services: Services, field: str, fields: Sequence[str], locale: str) -> Refusal:
    """The refused part of a correction of identity-verification data: where to go instead
    (the registration site, by name and link; COR-02)."""
    title, why, instead, linked = ELSEWHERE.get(locale, ELSEWHERE["en"])
    site, url = services.slices.registration_site.name, services.slices.registration_site.url
    link = linked.format(url=url) if url else ""
    return Refusal(
        part=field,
        ground="registration_site",
        title=title,
        justification=why.format(fields=", ".join(fields), site=site),
        alternative=instead.format(site=site, link=link),
        fields=tuple(fields),
    )


def _within(copy: str, places: Sequence[str]) -> bool:
    """Whether ``system.collection.field`` is in one of the places (a collection or a field)."""
    return copy in places or copy.rpartition(".")[0] in places


def prepare(datamap: DataMap | None, params: Mapping[str, Any]) -> dict[str, Any]:
    """Check a correction's params at intake and return them normalised (PolicyError if bad).

    Normalised: ``changes`` [{field, value, copies, verification}], ``statement``, and
    ``corrects`` (identity kinds being changed: never used to verify or answer the request).
    """
    if datamap is None:
        raise PolicyError("corrections need a data map (set RIGHTSDESK_DATAMAP)")
    raw_changes = params.get("changes", [])
    statement = params.get("statement")
    if not isinstance(raw_changes, list) or not all(isinstance(c, dict) for c in raw_changes):
        raise PolicyError('params.changes must be a list of {"field": ..., "value": ...}')
    if statement is not None and (not isinstance(statement, str) or not statement.strip()):
        raise PolicyError("params.statement must be a non-empty text")
    if statement is not None and len(statement) > STATEMENT_LIMIT:
        raise PolicyError(f"params.statement is limited to {STATEMENT_LIMIT} characters")
    if not raw_changes and statement is None:
        raise PolicyError(
            "a correction names changes, a statement, or both", code=Code.CORRECTION_EMPTY
        )
    changes = [_change(datamap, item) for item in raw_changes]
    corrects = sorted(
        {
            f.identity
            for change in changes
            for c in change["copies"]
            if (f := _field(datamap, c)) is not None and f.identity is not None
        }
    )
    out: dict[str, Any] = {"changes": changes, "corrects": corrects}
    if statement is not None:
        out["statement"] = statement.strip()
    return out


def _change(datamap: DataMap, item: Mapping[str, Any]) -> dict[str, Any]:
    name, value = item.get("field"), item.get("value")
    if not isinstance(name, str) or not name:
        raise PolicyError("each change names a field")
    if not isinstance(value, str) or not value.strip() or len(value) > VALUE_LIMIT:
        raise PolicyError(
            f"the new value of {name} must be a text of 1-{VALUE_LIMIT} characters",
            code=Code.VALUE_MALFORMED,
            params={"field": name},
        )
    found = copies(datamap, name)
    if not found:
        raise PolicyError(
            f"no field {name!r} is held for people; name a field or a category",
            code=Code.FIELD_UNKNOWN,
            params={"field": name},
        )
    for copy in found:
        spec = _field(datamap, copy)
        assert spec is not None
        if spec.primary_key or spec.references or spec.read_only:
            raise PolicyError(f"{copy} is a key or read-only; it cannot be corrected")
        for kind in _kinds(spec):
            if not kind.accepts(value.strip()):
                raise PolicyError(
                    f"the new value of {name} must be {kind.description}",
                    code=Code.VALUE_MALFORMED,
                    params={"field": name},
                )
    verification = [str(c) for c in found if (f := _field(datamap, c)) and f.verification]
    return {
        "field": name,
        "value": value.strip(),
        "copies": [str(c) for c in found],
        "verification": verification,
    }


def _kinds(spec: FieldSpec) -> list[IdentityKind]:
    """The identity kinds whose rules a new value of the field must keep: its own, its
    categories'."""
    names = [spec.identity, *(kind_of_category(c) for c in spec.categories)]
    return [identity_kind(n) for n in dict.fromkeys(names) if n is not None]


def _field(datamap: DataMap, copy: Copy | str) -> Any:
    text = str(copy)
    where, _, name = text.rpartition(".")
    found = datamap.resolve(where)
    return found[1].field(name) if found else None


def run(
    services: Services,
    request_id: str,
    identities: Sequence[Identity],
    params: dict[str, Any],
    held: Sequence[str] = (),
) -> dict[str, Any]:
    """Apply the correction in every store (all or none) but the ``held`` places; store the
    statement; tell recipients."""
    datamap = services.require_datamap()
    values: dict[Copy, Any] = {}
    refused: list[Refusal] = []
    for change in params.get("changes", []):
        held_back = set(change["verification"])
        if held_back:
            refused.append(elsewhere(services, change["field"], sorted(held_back), "en"))
        for text in change["copies"]:
            if text not in held_back and not _within(text, held):
                system, collection, field = text.split(".")
                values[Copy(system, collection, field)] = change["value"]
    summary: dict[str, Any] = {"collections": {}}
    if values:
        timer = timing.timer(services, "correction")
        stored = DbCheckpoints(services.store, services.clock)
        with connections.engine(services, datamap, timer=timer, checkpoints=stored) as eng:
            result = eng.correct(Subject(request_id, tuple(identities)), values)
        summary |= {"run_id": result.run_id, "resumed": result.resumed}
        summary["collections"] = result.report
    with unit(services) as work:
        if "statement" in params:
            _statement(
                services, work.session, request_id, identities, params["statement"], work.now
            )
            summary["statement"] = "stored"
        touched = {name for name, r in summary["collections"].items() if r["updated"]}
        if touched:
            fields = sorted({c.field for c in values})
            payload = {"identities": _ids(identities), "corrected": fields, "values": _vals(values)}
            deliveries.to_recipients(
                services, work, touched, "correction", payload, request_id=request_id
            )
    if refused:
        summary["refused_parts"] = refused
    if held:
        summary["held"] = list(held)
    return summary


def _statement(
    services: Services,
    session: Any,
    request_id: str,
    identities: Sequence[Identity],
    text: str,
    now: Any,
) -> None:
    exists = session.scalars(select(Statement.id).where(Statement.request_id == request_id)).first()
    if exists is None:  # a resumed run does not store it twice
        session.add(
            Statement(
                id=uuid.uuid4().hex,
                subject=subjects.primary(services, "statement", identities),
                request_id=request_id,
                target="record",
                text=text,
                created_at=now,
            )
        )


def statements(services: Services, identities: Sequence[Identity]) -> list[dict[str, str]]:
    """The person's supplementary statements, oldest first (they go into every export)."""
    refs = subjects.refs(services, "statement", identities)
    with services.store.session() as session:
        rows = session.scalars(
            select(Statement).where(Statement.subject.in_(refs)).order_by(Statement.created_at)
        )
        return [
            {"made_at": r.created_at.isoformat(), "about": r.target, "statement": r.text}
            for r in rows
        ]


def _ids(identities: Sequence[Identity]) -> dict[str, str]:
    return {i.kind: i.value for i in identities}


def _vals(values: Mapping[Copy, Any]) -> dict[str, Any]:
    return {str(c): v for c, v in values.items()}


@dataclass(frozen=True)
class Offered:
    """A field people may ask to correct: the name a change gives, and what it holds."""

    field: str
    categories: tuple[str, ...]
    copies: int
    #: The data map's own name for it (a copy's ``label``), if it gives one.
    label: LocalText | None = None


#: What people are offered to correct: facts about themselves that they know better than our
#: records (how to reach them, their name, handle, demographics, address). Records of what
#: happened (payments, logins, tickets) are corrected by a statement, not a new value.
OFFERED = ("user.contact", "user.name", "user.account.username", "user.demographic")


def offered(datamap: DataMap) -> list[Offered]:
    """The data map's fields a person can correct, by the name a change gives (its identity
    kind, else its name), every copy of which a correction may write; identity-verification
    data is left out (it is corrected where it was verified)."""
    names = sorted(
        {f.identity or f.name for _, c in datamap.collections() for f in c.fields if _open(f)}
    )
    found = []
    for name in names:
        specs = [_field(datamap, copy) for copy in copies(datamap, name)]
        if specs and all(spec is not None and _open(spec) for spec in specs):
            categories = sorted({c for spec in specs for c in spec.categories})
            label = next((s.label for s in specs if s is not None and s.label), None)
            found.append(Offered(name, tuple(categories), len(specs), label))
    return found


def _open(spec: FieldSpec) -> bool:
    """A plain value about the person, of an offered category, that a correction may write."""
    fixed = spec.primary_key or spec.references or spec.read_only or spec.verification
    if fixed or spec.payload or spec.contains:
        return False
    return any(c.startswith(OFFERED) for c in spec.categories)

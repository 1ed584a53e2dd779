"""The ``processing`` section of an access answer, built from the data map (ACC-03).

For each category of personal information found about the person: where it is held, the
purposes and their legal basis, the recipients (name and kind), how long it is kept (the
retention rule, ``keep_for``, or ``kept`` in words) and where it came from; then the person's
rights and how to use them, and the remedies of each regime (GDPR Art. 15(1)-(2), 19; PIPL
Art. 48; CCPA "right to know" categories). What the map does not say is stated as not stated,
never guessed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict

from rightsdesk.datamap.model import CollectionSpec, DataMap
from rightsdesk.export import wording


class Apart(TypedDict):
    """A place kept apart: by a restriction in force, or a refused part of an earlier request."""

    kind: str  # restriction | refused_part
    places: list[str]
    ground: str | None
    since: str
    title: NotRequired[str | None]
    request_id: NotRequired[str]
    #: What it means for the person, in their language (added by ``build``).
    text: NotRequired[str]


@dataclass(frozen=True)
class Context:
    """What the data map does not hold: the person's language, regimes' remedies, rights."""

    locale: str
    #: Each regime's complaint and court remedies: regime, code, basis, text (in ``locale``).
    complaints: Sequence[Mapping[str, str]]
    #: The request types a person may submit (the workflow table's keys).
    rights: Sequence[str]
    url: str


def build(
    datamap: DataMap,
    held: Mapping[str, int],
    context: Context,
    apart: Sequence[Apart] = (),
) -> dict[str, Any]:
    """The section for a person with ``held`` rows per ``system.collection``; ``apart``: the
    places a restriction or a refused part keeps apart (kind, places, ground, since, ...)."""
    say = wording.words(context.locale)
    notice = datamap.notice
    decisions = notice.automated_decisions if notice else None
    return {
        "held_apart": [_apart(item, say) for item in apart],
        "locale": context.locale,
        "controller": None
        if notice is None
        else {"name": notice.controller.get(context.locale), "contact": notice.contact},
        "categories": _categories(datamap, held, say, context.locale),
        "rights": [
            {
                "right": kind,
                "text": say.get(kind) or say["other_right"].format(type=kind),
                "how": say["how"].format(url=context.url.rstrip("/"), type=kind),
            }
            for kind in context.rights
        ],
        "complaints": [dict(c) for c in context.complaints],
        "automated_decisions": decisions.get(context.locale) if decisions else say["no_decisions"],
    }


def _categories(
    datamap: DataMap, held: Mapping[str, int], say: Mapping[str, str], locale: str
) -> list[dict[str, Any]]:
    where: dict[str, list[str]] = {}
    for system, collection in datamap.collections():
        dotted = f"{system.name}.{collection.name}"
        if held.get(dotted, 0) <= 0:
            continue
        for category in sorted({c for f in collection.fields for c in f.categories}):
            if not category.startswith("system"):
                where.setdefault(category, []).append(dotted)
    return [
        _category(datamap, category, collections, say, locale)
        for category, collections in sorted(where.items())
    ]


def _category(
    datamap: DataMap,
    category: str,
    collections: list[str],
    say: Mapping[str, str],
    locale: str,
) -> dict[str, Any]:
    purposes = [
        {
            "name": p.name,
            "description": p.description.get(locale),
            "basis": p.basis,
            "basis_text": say[p.basis],
        }
        for p in datamap.purposes
        if any(_covers(datamap, p.collections, p.fields, c, category) for c in collections)
    ]
    recipients = [
        {
            "name": r.name,
            **({"title": r.title.get(locale)} if r.title else {}),
            "kind": r.kind,
            "kind_text": say[r.kind],
            **({"country": r.country} if r.country else {}),
            **({"safeguard": r.safeguard.get(locale)} if r.safeguard else {}),
        }
        for r in datamap.recipients_for(set(collections))
    ]
    return {
        "category": category,
        "held_in": collections,
        "purposes": purposes,
        **({} if purposes else {"purposes_note": say["no_purpose"]}),
        "recipients": recipients,
        "retention": [r for c in collections for r in _retention(datamap, c, say, locale)],
        "sources": [_source(datamap, c, say) for c in collections],
    }


def _covers(
    datamap: DataMap, collections: Iterable[str], fields: Iterable[str], dotted: str, category: str
) -> bool:
    if dotted in collections:
        return True
    found = datamap.resolve(dotted)
    assert found is not None
    named = {f.rpartition(".")[2] for f in fields if f.rpartition(".")[0] == dotted}
    return any(f.name in named and category in f.categories for f in found[1].fields)


def _retention(
    datamap: DataMap, dotted: str, say: Mapping[str, str], locale: str
) -> list[dict[str, Any]]:
    system, _, name = dotted.partition(".")
    collection = _collection(datamap, dotted)
    rules: list[dict[str, Any]] = [
        {
            "collection": dotted,
            "rule": rule.name,
            "period": str(rule.period),
            "from": rule.start,
            "basis": rule.basis.get(locale),
            "text": say["rule"].format(
                period=wording.period(rule.period, locale),
                start=rule.start,
                basis=rule.basis.get(locale),
            ),
        }
        for rule in datamap.retention_for(system, name)
    ]
    if collection.keep_for is not None:
        keep = collection.keep_for
        text = say["keep_for"].format(
            period=wording.period(keep.period, locale),
            start=keep.start,
            purpose=keep.purpose.get(locale),
        )
        rules.append(
            {"collection": dotted, "period": str(keep.period), "from": keep.start, "text": text}
        )
    if not rules:
        stated = collection.kept is not None
        text = collection.kept.get(locale) if collection.kept is not None else say["not_stated"]
        rules.append({"collection": dotted, "stated": stated, "text": text})
    return rules


def _source(datamap: DataMap, dotted: str, say: Mapping[str, str]) -> dict[str, Any]:
    source = _collection(datamap, dotted).source
    if source is None:
        return {"collection": dotted, "source": None, "text": say["not_stated"]}
    if isinstance(source, str):
        return {"collection": dotted, "source": source, "text": say[source]}
    text = say["received_from"].format(name=source.received_from)
    return {"collection": dotted, "source": "received", "from": source.received_from, "text": text}


def _collection(datamap: DataMap, dotted: str) -> CollectionSpec:
    found = datamap.resolve(dotted)
    assert found is not None
    return found[1]


def _apart(item: Apart, say: Mapping[str, str]) -> Apart:
    """One place kept apart, with what it means for the person in their language."""
    if item["kind"] == "restriction":
        text = say["held_restriction"].format(ground=item["ground"], since=item["since"][:10])
    else:
        title = item.get("title") or item.get("ground") or say["not_stated"]
        text = say["held_part"].format(request=item.get("request_id", ""), title=title)
    told = item.copy()
    told["text"] = text
    return told

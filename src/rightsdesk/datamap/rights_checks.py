"""Cross-element checks of the rights sections: purposes, recipients, account, bindings."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rightsdesk.datamap.model import DataMap
from rightsdesk.domain.errors import Issue

Path = tuple[str | int, ...]
Report = Callable[[Path, str, str], None]


def check_rights(datamap: DataMap) -> list[Issue]:
    issues: list[Issue] = []

    def report(path: Path, readable: str, message: str) -> None:
        issues.append(Issue(datamap.locate(path, readable), message))

    for i, purpose in enumerate(datamap.purposes):
        path: Path = ("purposes", i)
        _collections(datamap, purpose.collections, (*path, "collections"), purpose.name, report)
        for j, dotted in enumerate(purpose.fields):
            where, _, name = dotted.rpartition(".")
            _fields(datamap, where, [name], (*path, "fields", j), purpose.name, report)
    names = [p.name for p in datamap.purposes]
    for name in {n for n in names if names.count(n) > 1}:
        report(("purposes",), name, f"purpose {name!r} is declared more than once")
    for i, recipient in enumerate(datamap.recipients):
        rpath: Path = ("recipients", i, "collections")
        _collections(datamap, recipient.collections, rpath, recipient.name, report)
    for system, collection in datamap.collections():
        if collection.keep_for is not None and datamap.retention_for(system.name, collection.name):
            report(
                ("systems",),
                collection.name,
                "keep_for and a retention rule on the same collection: say how long rows are "
                "kept in one place (the retention rule)",
            )
        if collection.binding is not None:
            found = [collection.binding.provider, collection.binding.external_id]
            missing = [n for n in found if collection.field(n) is None]
            for name in missing:
                report(("systems",), collection.name, f"binding field {name!r} is not mapped")
        if collection.keep_for is not None and collection.field(collection.keep_for.start) is None:
            report(
                ("systems",),
                collection.name,
                f"keep_for.from {collection.keep_for.start!r} is not mapped",
            )
    if datamap.account is not None:
        _account(datamap, report)
    _restrict_flags(datamap, report)
    _kept(datamap, report)
    return issues


def _kept(datamap: DataMap, report: Report) -> None:
    """``kept`` says in words what no rule says; beside a rule or ``keep_for`` it would differ."""
    for s, system in enumerate(datamap.systems):
        for c, collection in enumerate(system.collections):
            if collection.kept is None:
                continue
            ruled = collection.keep_for is not None or datamap.retention_for(
                system.name, collection.name
            )
            if ruled:
                report(
                    ("systems", s, "collections", c, "kept"),
                    f"{system.name}.{collection.name}",
                    "kept and a retention rule or keep_for on the same collection: say how "
                    "long rows are kept in one place (the rule, which the sweep enforces)",
                )


def _restrict_flags(datamap: DataMap, report: Report) -> None:
    """A ``restrict: {mark: flag}`` field is a mapped, plain column of its collection."""
    for i, system in enumerate(datamap.systems):
        for j, collection in enumerate(system.collections):
            name = collection.restrict.field
            if name is None:
                continue
            path: Path = ("systems", i, "collections", j, "restrict", "field")
            where = f"{system.name}.{collection.name}.restrict"
            spec = collection.field(name)
            if spec is None:
                report(path, where, f"restrict flag {name!r} is not a mapped field")
            elif collection.primary_key is None:
                report(path, where, "a restrict flag needs the collection's primary key mapped")
            elif spec.primary_key or spec.references or spec.identity or spec.read_only:
                report(
                    path,
                    where,
                    f"restrict flag {name!r} must be a plain column (not a key, reference, "
                    "identity or read-only field)",
                )


def _account(datamap: DataMap, report: Report) -> None:
    account = datamap.account
    assert account is not None
    _collections(datamap, [account.collection], ("account", "collection"), "account", report)
    if account.login_provider is not None:
        path = ("account", "login_provider")
        _fields(datamap, account.collection, [account.login_provider], path, "account", report)
    for k, check in enumerate(account.prechecks):
        if check.collection is not None:
            at: Path = ("account", "prechecks", k)
            _fields(datamap, check.collection, list(check.where), at, check.name, report)


def _collections(
    datamap: DataMap, names: Iterable[str], path: Path, readable: str, report: Report
) -> None:
    for n, dotted in enumerate(names):
        if datamap.resolve(dotted) is None:
            report((*path, n), readable, f"unknown collection {dotted!r}")


def _fields(
    datamap: DataMap, dotted: str, names: list[str], path: Path, readable: str, report: Report
) -> None:
    found = datamap.resolve(dotted)
    if found is None:
        report(path, readable, f"unknown collection {dotted!r}")
        return
    for name in names:
        if found[1].field(name) is None:
            report(path, readable, f"{dotted} has no mapped field {name!r}")

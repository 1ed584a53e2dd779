"""Convert Fides dataset YAML into a rightsdesk data map, warning about what does not carry over."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from rightsdesk.datamap.fides_mapping import (
    IDENTITIES,
    RENAMED,
    erase_problem,
    map_category,
    map_strategy,
    map_value_type,
)
from rightsdesk.datamap.fides_policy import FidesPolicy
from rightsdesk.datamap.fides_references import (
    Known,
    Node,
    Path,
    Pending,
    keep_deletes_safe,
    resolve,
)
from rightsdesk.datamap.loader import parse_yaml
from rightsdesk.domain.errors import DataMapError, Issue, Location
from rightsdesk.domain.identities import NAME as KIND_NAME

__all__ = ["RENAMED", "ConversionResult", "convert", "map_category"]

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_QUIET_META = {"data_type", "length", "identity", "primary_key", "references", "read_only"}


@dataclass(frozen=True)
class ConversionResult:
    """The converted data map as YAML text, and every loss or change the conversion made."""

    yaml_text: str
    warnings: tuple[Issue, ...]


def convert(
    text: str,
    *,
    source: str,
    systems: Mapping[str, str] | None = None,
    policy: FidesPolicy | None = None,
) -> ConversionResult:
    """Convert Fides dataset YAML; raise DataMapError (file:line) when it is not a Fides dataset.

    With ``policy``, only the fields its erasure rules target are erased (by their masking
    override, else the rule's strategy); without, every masking override becomes an ``erase``.
    """
    raw, lines = parse_yaml(text, source)
    converter = _Converter(source, lines, dict(systems or {}), policy)
    datamap = converter.run(raw)
    if converter.errors:
        raise DataMapError(converter.errors)
    warnings = tuple(converter.warnings)
    header = [f"# rightsdesk data map converted from the Fides dataset {source}"]
    header += [f"# WARNING {w}" for w in warnings]
    body = yaml.safe_dump(datamap, sort_keys=False, default_flow_style=None, width=100)
    return ConversionResult("\n".join(header) + "\n" + body, warnings)


def _meta(node: Node) -> Node:
    meta: Node = {}
    for key in ("fidesops_meta", "fides_meta"):
        if isinstance(node.get(key), dict):
            meta.update(node[key])
    return meta


def _env_name(name: str) -> str:
    return re.sub(r"[^A-Z0-9_]", "_", name.upper()) + "_URL"


@dataclass
class _Converter:
    source: str
    lines: dict[Path, int]
    urls: dict[str, str]
    policy: FidesPolicy | None = None
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    known: Known = field(default_factory=dict)
    pending: list[Pending] = field(default_factory=list)

    def _issue(self, path: Path, where: str, message: str) -> Issue:
        line = next(
            (self.lines[path[:n]] for n in range(len(path), -1, -1) if path[:n] in self.lines), None
        )
        return Issue(Location(self.source, line, where), message)

    def warn(self, path: Path, where: str, message: str) -> None:
        self.warnings.append(self._issue(path, where, message))

    def error(self, path: Path, where: str, message: str) -> None:
        self.errors.append(self._issue(path, where, message))

    def run(self, raw: Any) -> Node:
        datasets = raw.get("dataset") if isinstance(raw, dict) else None
        if not isinstance(datasets, list) or not datasets:
            self.error((), "", "not a Fides dataset file: expected a top-level 'dataset:' list")
            return {}
        systems = [self._dataset(ds, ("dataset", i)) for i, ds in enumerate(datasets)]
        for pending in self.pending:
            resolve(pending, self.known, self.warn, self.error)
        keep_deletes_safe(self.known, self.warn)
        kept = [s for s in systems if s is not None and s["collections"]]
        if not any("identity" in f for s in kept for c in s["collections"] for f in c["fields"]):
            self.warn(("dataset",), "", "no field has fides_meta.identity; mark one before loading")
        return {"version": 1, "systems": kept}

    def _dataset(self, raw: Any, path: Path) -> Node | None:
        key = raw.get("fides_key") if isinstance(raw, dict) else None
        if not isinstance(key, str) or not isinstance(raw.get("collections"), list):
            self.error(path, "dataset", "a dataset needs a fides_key and a collections list")
            return None
        name = re.sub(r"\W", "_", key)
        name = name if _NAME.match(name) else f"_{name}"
        if name != key:
            self.warn(
                (*path, "fides_key"), key, f"renamed to {name!r} (rightsdesk names are identifiers)"
            )
        for option in ("after", "erase_after"):
            if _meta(raw).get(option):
                self.warn(
                    path,
                    key,
                    f"dataset {option} is not carried over: rightsdesk orders by references",
                )
        system: Node = {"name": name, "url": self.urls.get(key, f"${{{_env_name(name)}}}")}
        collections = (
            self._collection(key, name, c, (*path, "collections", i))
            for i, c in enumerate(raw["collections"])
        )
        system["collections"] = [c for c in collections if c is not None]
        return system

    def _collection(self, dataset: str, system: str, raw: Any, path: Path) -> Node | None:
        name = raw.get("name") if isinstance(raw, dict) else None
        if not isinstance(name, str) or not isinstance(raw.get("fields"), list):
            self.error(path, dataset, "a collection needs a name and a fields list")
            return None
        where, meta = f"{system}.{name}", _meta(raw)
        if not _NAME.match(name):
            self.warn(path, where, "skipped: the name is not an identifier rightsdesk can map")
            return None
        if meta.get("skip_processing"):
            self.warn(path, where, "skipped: fides_meta.skip_processing is set")
            return None
        for option in ("after", "erase_after"):
            if meta.get(option):
                listed = ", ".join(map(str, meta[option]))
                self.warn(
                    (*path, "fides_meta", option),
                    where,
                    f"{option} [{listed}] dropped: rightsdesk orders erasure by references",
                )
        out: Node = {"name": name, "fields": []}
        override = meta.get("masking_strategy_override")
        if override is not None and self.policy is not None and not self._targeted(raw):
            self.warn(
                (*path, "fides_meta"),
                where,
                f"collection masking not used: no erasure rule of policy {self.policy.key!r} "
                "targets a field of it",
            )
        elif isinstance(override, dict) and override.get("strategy") == "delete":
            out["erase"] = "delete_row"
        elif override is not None:
            self.warn(
                (*path, "fides_meta"), where, f"collection masking {override!r} is not carried over"
            )
        for i, raw_field in enumerate(raw["fields"]):
            converted = self._field(system, out, raw_field, (*path, "fields", i), where)
            if converted is not None:
                out["fields"].append(converted)
        if not out["fields"]:
            self.warn(path, where, "skipped: no field could be carried over")
            return None
        self._check_keys(out, path, where)
        self.known[(dataset, name)] = (system, out, path)
        return out

    def _check_keys(self, collection: Node, path: Path, where: str) -> None:
        keys = [f for f in collection["fields"] if f.get("primary_key")]
        if len(keys) != 1:
            for key in keys:
                del key["primary_key"]
            why = "no primary key" if not keys else "a composite primary key (not supported yet)"
            self.warn(
                path,
                where,
                f"has {why}: rightsdesk can read it but not erase its rows",
            )
            self._drop_erasures(collection, path, where)
        for key in keys if len(keys) == 1 else ():
            if "erase" in key and key["erase"] != "delete_row":
                self.warn(
                    path,
                    f"{where}.{key['name']}",
                    f"erase {key.pop('erase')!r} dropped: a primary key cannot be masked",
                )

    def _drop_erasures(self, collection: Node, path: Path, where: str) -> None:
        dropped = [f["name"] for f in collection["fields"] if f.pop("erase", None) is not None]
        if collection.pop("erase", None) is not None:
            dropped.append("(collection delete)")
        if dropped:
            self.warn(path, where, f"erasure dropped for {', '.join(dropped)}")

    def _field(
        self, system: str, collection: Node, raw: Any, path: Path, parent: str
    ) -> Node | None:
        name = raw.get("name") if isinstance(raw, dict) else None
        if not isinstance(name, str):
            self.error(path, parent, "a field needs a name")
            return None
        where, meta = f"{parent}.{name}", _meta(raw)
        if raw.get("fields"):
            self.warn(
                path,
                where,
                f"nested fields skipped (rightsdesk maps flat columns): {', '.join(_nested(raw))}",
            )
            return None
        if not _NAME.match(name):
            self.warn(path, where, "skipped: the name is not an identifier rightsdesk can map")
            return None
        out: Node = {"name": name}
        if meta.get("primary_key"):
            out["primary_key"] = True
        identity = meta.get("identity")
        if isinstance(identity, str) and KIND_NAME.match(IDENTITIES.get(identity, identity)):
            out["identity"] = IDENTITIES.get(identity, identity)
        elif identity is not None:
            self.warn(
                (*path, "fides_meta"),
                where,
                f"identity {identity!r} is not a lower-case name; dropped",
            )
        categories = self._categories(raw.get("data_categories"), (*path, "data_categories"), where)
        if categories:
            out["categories"] = categories[0] if len(categories) == 1 else categories
        if meta.get("read_only"):
            out["read_only"] = True
        self._value_type(out, meta.get("data_type"), (*path, "fides_meta", "data_type"), where)
        strategy = self._masking(raw, meta, (*path, "fides_meta"), where)
        if strategy is not None and not out.get("read_only"):
            erase = self._strategy(strategy, (*path, "fides_meta"), where)
            if erase is not None and self._fits(erase, out, (*path, "fides_meta"), where):
                out["erase"] = erase
        for key in sorted(set(meta) - _QUIET_META - {"masking_strategy_override"}):
            self.warn((*path, "fides_meta", key), where, f"fides_meta.{key} is not carried over")
        refs = meta.get("references")
        if refs:
            self.pending.append(
                Pending(
                    system,
                    collection,
                    out,
                    refs if isinstance(refs, list) else [refs],
                    (*path, "fides_meta", "references"),
                )
            )
        return out

    def _masking(self, raw: Node, meta: Node, path: Path, where: str) -> Any:
        """The Fides strategy erasure uses on this field: its override, under the policy if any."""
        override = meta.get("masking_strategy_override", raw.get("masking_strategy_override"))
        if self.policy is None:
            return override
        strategy, warning = self.policy.strategy_for(_fides_categories(raw), override)
        if warning:
            self.warn(path, where, warning)
        return strategy

    def _targeted(self, collection: Node) -> bool:
        fields = [f for f in collection.get("fields") or [] if isinstance(f, dict)]
        return self.policy is not None and any(
            self.policy.rule_for(_fides_categories(f)) for f in fields
        )

    def _value_type(self, out: Node, data_type: Any, path: Path, where: str) -> None:
        kind, warning = map_value_type(data_type)
        if warning:
            self.warn(path, where, warning)
        if kind is not None:
            out["type"] = kind.value

    def _fits(self, erase: Any, out: Node, path: Path, where: str) -> bool:
        """Whether ``erase`` can write the field's declared type; warns when it cannot."""
        problem = erase_problem(erase, out.get("type"))
        if problem:
            self.warn(path, where, problem)
        return problem is None

    def _categories(self, raw: Any, path: Path, where: str) -> list[str]:
        found: list[str] = []
        for i, category in enumerate(
            raw if isinstance(raw, list) else [] if raw is None else [raw]
        ):
            mapped, why = map_category(str(category))
            if why:
                self.warn((*path, i), where, why)
            if mapped not in found:
                found.append(mapped)
        return found

    def _strategy(self, raw: Any, path: Path, where: str) -> Any:
        erase, warnings = map_strategy(raw)
        for message in warnings:
            self.warn(path, where, message)
        return erase


def _fides_categories(raw: Node) -> list[str]:
    found = raw.get("data_categories")
    return [str(c) for c in (found if isinstance(found, list) else [found] if found else [])]


def _nested(raw: Node, prefix: str = "") -> list[str]:
    base = f"{prefix}{raw.get('name')}"
    names: list[str] = []
    for child in raw.get("fields") or []:
        if isinstance(child, dict) and child.get("fields"):
            names += _nested(child, base + ".")
        elif isinstance(child, dict):
            extra = " (identity)" if _meta(child).get("identity") else ""
            names.append(f"{base}.{child.get('name')}{extra}")
    return names

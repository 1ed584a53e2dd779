"""Read a data map from YAML, keeping the line of every element so errors can point at it."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from pydantic import ValidationError

from rightsdesk.datamap import yamltext
from rightsdesk.datamap.checks import check
from rightsdesk.datamap.model import DataMap
from rightsdesk.domain.errors import DataMapError, Issue, Location

PathKey = tuple[str | int, ...]
_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def load(path: str | Path, env: dict[str, str] | None = None) -> DataMap:
    """Load and validate the data map at ``path``; raise DataMapError listing every issue."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataMapError([Issue(Location(str(file), None, ""), f"cannot read: {exc}")]) from exc
    return loads(text, source=str(file), base_dir=file.parent, env=env)


def loads(
    text: str,
    *,
    source: str = "<data map>",
    base_dir: Path | None = None,
    env: dict[str, str] | None = None,
) -> DataMap:
    """Parse and validate data-map YAML. Relative SQLite paths resolve against ``base_dir``."""
    raw, lines = parse_yaml(text, source)
    issues = _substitute_env(raw, raw, lines, source, os.environ if env is None else env)
    if base_dir is not None:
        _anchor_sqlite_paths(raw, base_dir)
    if issues:
        raise DataMapError(issues)
    try:
        datamap = DataMap.model_validate(raw, context={"language": _language(raw)})
    except ValidationError as exc:
        raise DataMapError(_pydantic_issues(exc, raw, lines, source)) from exc
    datamap._source, datamap._lines = source, lines
    semantic = check(datamap, raw)
    if semantic:
        raise DataMapError(semantic)
    return datamap


def _language(raw: Any) -> str:
    """The map's language, which every text in several languages must have (checked as a field)."""
    language = raw.get("language", "en") if isinstance(raw, dict) else "en"
    return language if isinstance(language, str) else "en"


def parse_yaml(text: str, source: str) -> tuple[Any, dict[PathKey, int]]:
    """Parse YAML ``text`` with the line of every element; raise DataMapError citing ``source``."""
    node = yamltext.compose(text, source)  # aliases, depth and size refused
    if node is None:
        raise DataMapError([Issue(Location(source, 1, ""), "the file is empty")])
    lines: dict[PathKey, int] = {}
    return _build(node, (), lines, _Builder(yaml.SafeLoader(""), source)), lines


class _Builder(NamedTuple):
    ctor: yaml.SafeLoader
    source: str


def _build(node: yaml.Node, path: PathKey, lines: dict[PathKey, int], how: _Builder) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):  # e.g. "- {{name: id}}"
                line = key_node.start_mark.line + 1
                problem = "a key must be a plain name, not a mapping or a list"
                raise DataMapError([Issue(Location(how.source, line, ""), problem)])
            key = how.ctor.construct_object(key_node)
            result[key] = _build(value_node, (*path, key), lines, how)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, i), lines, how) for i, item in enumerate(node.value)]
    return how.ctor.construct_object(node)


def _substitute_env(
    root: Any, raw: Any, lines: dict[PathKey, int], source: str, env: Any, path: PathKey = ()
) -> list[Issue]:
    """Replace ``${VAR}`` / ``${VAR:-default}`` in every string, in place."""
    issues: list[Issue] = []
    children = (
        raw.items() if isinstance(raw, dict) else enumerate(raw) if isinstance(raw, list) else ()
    )
    for key, value in list(children):
        here = (*path, key)
        if isinstance(value, str) and "${" in value:
            missing = [
                m.group(1)
                for m in _ENV.finditer(value)
                if m.group(1) not in env and m.group(2) is None
            ]
            if missing:
                issues.append(
                    Issue(
                        Location(source, lines.get(here), _readable(root, here)),
                        f"environment variable(s) not set: {', '.join(missing)}",
                    )
                )
                continue
            raw[key] = _ENV.sub(lambda m: env.get(m.group(1), m.group(2) or ""), value)
        else:
            issues += _substitute_env(root, value, lines, source, env, here)
    return issues


def _anchor_sqlite_paths(raw: Any, base_dir: Path) -> None:
    for system in raw.get("systems", []) if isinstance(raw, dict) else []:
        url = system.get("url") if isinstance(system, dict) else None
        if (
            isinstance(url, str)
            and url.startswith("sqlite:///")
            and not url.startswith("sqlite:////")
        ):
            relative = url.removeprefix("sqlite:///")
            if relative and not relative.startswith(":memory:"):
                system["url"] = f"sqlite:///{(base_dir / relative).resolve()}"


def _pydantic_issues(
    exc: ValidationError, raw: Any, lines: dict[PathKey, int], source: str
) -> list[Issue]:
    issues = []
    for error in exc.errors():
        loc = tuple(part for part in error["loc"] if _is_data_path(raw, part))
        line = next(
            (lines[loc[:cut]] for cut in range(len(loc), -1, -1) if loc[:cut] in lines), None
        )
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = f"unknown key {loc[-1]!r}"
        issues.append(Issue(Location(source, line, _readable(raw, loc)), message))
    return issues


def _is_data_path(raw: Any, part: Any) -> bool:
    """Pydantic puts union tags (e.g. 'function-before[...]') into error locations; drop them."""
    return isinstance(part, int) or (isinstance(part, str) and "[" not in part and "-" not in part)


def _readable(raw: Any, path: PathKey) -> str:
    """``systems.0.collections.1.fields.2.erase`` -> ``platform.accounts.email: erase``."""
    names: list[str] = []
    rest: list[str] = []
    node = raw
    for part in path:
        node = node[part] if _has(node, part) else None
        if isinstance(part, int) and isinstance(node, dict) and isinstance(node.get("name"), str):
            names.append(node["name"])
            rest = []
        elif part not in ("systems", "collections", "fields"):
            rest.append(str(part))
    head = ".".join(names)
    tail = ".".join(rest)
    return f"{head}: {tail}" if head and tail else head or tail


def _has(node: Any, part: Any) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)

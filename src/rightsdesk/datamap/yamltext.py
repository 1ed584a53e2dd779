"""YAML from files people hand us (data maps, Fides imports, policy files), parsed defensively.

PyYAML's composer resolves an alias to the node it names, so a walk over the tree visits that
node once per reference: nine levels of nine aliases in 440 bytes ("billion laughs") became
billions of elements, and an alias inside its own anchor recursed for ever. No file of ours
needs aliases, so they are refused where the parser meets them; nesting deeper than
``MAX_DEPTH`` and files larger than ``MAX_BYTES`` are refused too. Every refusal is a
``DataMapError`` naming the file and line, which the CLI reports with exit code 2.
"""

from __future__ import annotations

from typing import Any

import yaml

from rightsdesk.domain.errors import DataMapError, Issue, Location

#: Largest YAML text accepted (the demo data map is 11 KB; a large real one about 1 MB).
MAX_BYTES = 8 * 1024 * 1024
#: Deepest nesting of mappings and lists accepted (data maps use about 8).
MAX_DEPTH = 64


def compose(text: str, source: str) -> yaml.Node | None:
    """The one YAML document in ``text`` as a node tree, or None when it is empty."""
    if len(text.encode("utf-8", errors="replace")) > MAX_BYTES:
        _refuse(source, None, f"the file is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    loader = _Loader(text, source)
    try:
        node: yaml.Node | None = loader.get_single_node()
        return node
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise DataMapError(
            [Issue(Location(source, line, ""), f"not valid YAML: {problem}")]
        ) from exc
    finally:
        loader.dispose()


class _Loader(yaml.SafeLoader):
    """A SafeLoader whose composer refuses aliases and deep nesting."""

    def __init__(self, text: str, source: str) -> None:
        super().__init__(text)
        self.source, self.depth = source, 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            _refuse(
                self.source,
                event.start_mark.line + 1,
                f"aliases (*{event.anchor}) are not accepted: write the value out in full",
            )
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                event = self.peek_event()  # type: ignore[no-untyped-call]
                line = event.start_mark.line + 1
                _refuse(self.source, line, f"nested deeper than {MAX_DEPTH} levels")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _refuse(source: str, line: int | None, problem: str) -> None:
    raise DataMapError([Issue(Location(source, line, ""), problem)])

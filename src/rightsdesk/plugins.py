"""Extension points: one registry type for every kind of plugin, rightsdesk's own included.

Each extension point (connectors, masking strategies, detectors, identity kinds, job backends,
key providers, mail and SMS transports) is a :class:`Registry` over one entry-point group,
``rightsdesk.<point>``. rightsdesk declares its own implementations in its ``pyproject.toml``
under those groups exactly as a third-party package declares its plugins (the pattern of
stevedore's drivers and flake8's built-in checkers), so built-ins and plugins are found,
loaded, checked and contract-tested by the same code. An entry is imported only when it is
asked for by name (choosing the in-process job backend never imports Celery); on a name clash
rightsdesk's own entry wins. See docs/plugins.md for each group and what to implement.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Generic, TypeVar

T = TypeVar("T")

#: The distribution whose entries win a name clash, and whose absence means a stale install.
OWN = "rightsdesk"


class PluginError(LookupError):
    """An unknown name, or an entry point that does not load into what its group expects."""


@dataclass(frozen=True)
class Entry:
    """One registered implementation, before it is loaded: its name, target and package."""

    name: str
    value: str  # "module:attribute", as written in the entry point
    distribution: str


class Registry(Generic[T]):
    """Name -> implementation for the entry-point group ``group``, each loaded once on demand.

    ``check`` says whether a loaded object is a ``T`` (a class of the right base, an instance
    of the right type, a callable); ``noun`` names one implementation in error messages.
    """

    def __init__(self, group: str, noun: str, check: Callable[[Any], bool]) -> None:
        self.group, self.noun, self._check = group, noun, check
        self._loaded: dict[str, T] = {}
        self._entries: dict[str, Entry] | None = None

    def entries(self) -> dict[str, Entry]:
        """Every registered name, rightsdesk's own first (none loaded; found once)."""
        if self._entries is None:
            self._entries = self._find()
        return self._entries

    def _find(self) -> dict[str, Entry]:
        found = _group(self.group)
        if not any(e.distribution == OWN for e in found):
            raise PluginError(
                f"no {self.noun} of rightsdesk's own is registered in the entry-point group "
                f"{self.group!r}: the installed package metadata is older than the code; "
                "reinstall rightsdesk (pip install -e . in a checkout)"
            )
        ordered = sorted(found, key=lambda e: e.distribution != OWN)  # stable: keeps the order
        table: dict[str, Entry] = {}
        for entry in ordered:
            table.setdefault(entry.name, entry)
        return table

    def names(self) -> list[str]:
        return list(self.entries())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self.entries()

    def unknown(self, name: str) -> str | None:
        """Why ``name`` cannot be chosen (it is registered by nobody), or None."""
        if name in self:
            return None
        return f"no {self.noun} {name!r}; known: {', '.join(self.names())}"

    def get(self, name: str) -> T:
        """The implementation registered as ``name``; PluginError naming the known ones if none."""
        if name not in self._loaded:
            entry = self.entries().get(name)
            if entry is None:
                raise PluginError(self.unknown(name))
            self._loaded[name] = self._load(entry)
        return self._loaded[name]

    def load_all(self) -> dict[str, T]:
        """Every implementation, loaded (for listings and contract tests)."""
        return {name: self.get(name) for name in self.names()}

    def _load(self, entry: Entry) -> T:
        where = f"{self.noun} {entry.name!r} ({entry.value}, from {entry.distribution})"
        try:
            loaded: Any = EntryPoint(entry.name, entry.value, self.group).load()
        except (ImportError, AttributeError) as exc:
            raise PluginError(f"{where} does not load: {exc}") from exc
        if not self._check(loaded):
            raise PluginError(f"{where} is not a {self.noun}: {loaded!r}")
        result: T = loaded
        return result

    def refresh(self) -> None:
        """Forget what was found and loaded (after installing a package, and in tests)."""
        self._loaded.clear()
        self._entries = None
        _group.cache_clear()


@functools.cache
def _group(group: str) -> tuple[Entry, ...]:
    """Every entry point installed in ``group``, read once per process."""
    return tuple(
        Entry(ep.name, ep.value, ep.dist.name if ep.dist is not None else "?")
        for ep in entry_points(group=group)
    )


def subclass_of(base: type) -> Callable[[Any], bool]:
    """A check for registries of classes (connectors, masking strategies)."""
    return lambda loaded: isinstance(loaded, type) and issubclass(loaded, base)


def instance_of(kind: type) -> Callable[[Any], bool]:
    """A check for registries of values (detectors, identity kinds)."""
    return lambda loaded: isinstance(loaded, kind)

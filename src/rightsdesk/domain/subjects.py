"""Who a request is about: identities (kind + value) grouped into subjects."""

from __future__ import annotations

from dataclasses import dataclass

from rightsdesk.domain.identities import NAME as KIND_NAME


@dataclass(frozen=True, order=True)
class Identity:
    """One identifier of a person, e.g. ``Identity("email", "a@b.c")``."""

    kind: str
    value: str

    def __post_init__(self) -> None:
        if not KIND_NAME.match(self.kind):
            raise ValueError(f"identity kind {self.kind!r} must match {KIND_NAME.pattern}")
        if self.value == "":
            raise ValueError(f"identity {self.kind!r} has an empty value")

    @classmethod
    def parse(cls, text: str) -> Identity:
        """Parse ``kind=value`` as typed on a command line."""
        kind, sep, value = text.partition("=")
        if not sep:
            raise ValueError(f"identity {text!r} is not of the form kind=value (e.g. email=a@b.c)")
        return cls(kind.strip(), value.strip())


@dataclass(frozen=True)
class Subject:
    """A person as the engine sees them: an id for partitioning results, and their identities."""

    id: str
    identities: tuple[Identity, ...]

    def __post_init__(self) -> None:
        if not self.identities:
            raise ValueError(f"subject {self.id!r} has no identity")

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(i.kind for i in self.identities)

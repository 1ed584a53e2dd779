"""The detector extension point: a detector is data (patterns, hints, context words) plus one
optional validation hook."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_SEPARATORS = re.compile(r"[^0-9a-z\u4e00-\u9fff]+")


def rx(*sources: str) -> tuple[re.Pattern[str], ...]:
    """Compile regex sources into the tuple a detector holds."""
    return tuple(re.compile(source) for source in sources)


def name_tokens(column: str) -> str:
    """A column name as ``_word_word_`` (camelCase and separators split, lower case)."""
    words = _SEPARATORS.split(_CAMEL.sub(r"\1_\2", column).lower())
    return "_" + "_".join(w for w in words if w) + "_"


@dataclass(frozen=True)
class Detector:
    """One kind of personal data: how to recognise its values and the columns that hold it."""

    name: str
    category: str
    patterns: tuple[re.Pattern[str], ...]
    column_hints: tuple[str, ...] = ()
    context_words: tuple[str, ...] = ()
    validate: Callable[[str], bool] | None = None
    secret: bool = False
    #: Patterns that count only when the column name carries one of ``column_hints``.
    hinted_patterns: tuple[re.Pattern[str], ...] = ()
    #: The highest confidence that values alone (without a column-name hint) can give.
    weight: float = 0.9
    #: What a matching value is, for evidence: "412/500 values are <noun>".
    noun: str = ""

    def hint(self, column: str) -> str | None:
        """The first hint in ``column`` (whole words; non-ASCII hints as substrings)."""
        tokens = name_tokens(column)
        for hint in self.column_hints:
            if (hint in column) if not hint.isascii() else (f"_{hint}_" in tokens):
                return hint
        return None

    def matches(self, value: str, *, hinted: bool = False) -> bool:
        """Whether the whole value is one of this kind (pattern and validation hook)."""
        patterns = self.patterns + self.hinted_patterns if hinted else self.patterns
        return any(p.fullmatch(value) for p in patterns) and self._valid(value)

    def find(self, text: str) -> str | None:
        """The first valid occurrence of this kind inside free text, if any."""
        for pattern in self.patterns:
            for match in pattern.finditer(text):
                if self._valid(match.group()):
                    return match.group()
        return None

    def in_context(self, text: str) -> bool:
        """Whether one of the context words occurs in ``text`` (case-insensitive)."""
        lowered = text.lower()
        return any(word in lowered for word in self.context_words)

    def _valid(self, value: str) -> bool:
        return self.validate is None or self.validate(value)

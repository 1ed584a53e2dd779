"""One combined matcher for many people's identifier values, in plain and JSON-escaped forms.

Every form of every needle goes into one trie-shaped regular expression, so a cell is scanned
once for the whole batch however many needles there are; the rare cells that match are then
resolved to needles exactly. Only hashes of needles ever leave this module.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import unicodedata
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TypeAlias

#: needles narrower than this are skipped: they would match almost anywhere
MIN_NEEDLE = 4

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[\d\s().-]+$")
_ID_NUMBER = re.compile(r"^[0-9A-Za-z-]+$")
_LOWER_HEX = re.compile(r"\\u[0-9a-f]{4}")
_DIGITS_IN_PHONE = range(7, 16)

#: A character trie: each character leads to the rest; the key "" marks a word's end.
_Trie: TypeAlias = dict[str, "_Trie"]


@dataclass(frozen=True)
class Needle:
    """One identifier value of one subject, known by kind and hash only."""

    subject: str
    kind: str  # "email", "phone", "id_number" or "text"
    hash: str  # a short SHA-256 (or HMAC-SHA-256) prefix of the normalised value


@dataclass(frozen=True)
class Hit:
    """A needle found in some text, and the form it was found in."""

    needle: Needle
    form: str  # "plain", "json-escaped" or "digits"


def needle_kind(value: str) -> str:
    """A rough kind for reports; it only decides case-insensitivity (emails) and extra forms."""
    digits = sum(ch.isdigit() for ch in value)
    if _EMAIL.match(value):
        return "email"
    if _PHONE.match(value) and digits in _DIGITS_IN_PHONE:
        return "phone"
    if _ID_NUMBER.match(value) and digits >= 6:
        return "id_number"
    return "text"


def width(value: str) -> int:
    """Display width: a CJK character counts two, so a two-character Chinese name is kept."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in value)


def forms(value: str, kind: str) -> dict[str, str]:
    """Every text the value may be stored as (form text -> form name), the value itself first."""
    found = {value: "plain"}
    for ascii_only in (False, True):
        escaped = json.dumps(value, ensure_ascii=ascii_only)[1:-1]
        upper_hex = _LOWER_HEX.sub(lambda m: "\\u" + m.group()[2:].upper(), escaped)
        for form in (escaped, upper_hex):
            found.setdefault(form, "json-escaped")
            found.setdefault(form.replace("/", "\\/"), "json-escaped")
    digits = "".join(ch for ch in value if ch.isdigit())
    if kind == "phone" and digits != value:
        found.setdefault(digits, "digits")
    return found


class Matcher:
    """Finds the needles of a whole batch in a text with one regular-expression search."""

    def __init__(self, needles: Mapping[str, Collection[str]], *, key: bytes | None = None) -> None:
        self._key = key
        self._exact: dict[str, list[Hit]] = {}
        self._folded: dict[str, list[Hit]] = {}  # emails, matched case-insensitively
        warnings: list[str] = []
        for subject, values in needles.items():
            for raw in sorted(set(values)):
                value = raw.strip()
                if width(value) < MIN_NEEDLE:
                    warnings.append(
                        f"subject {subject!r}: skipped a needle narrower than {MIN_NEEDLE} "
                        f"columns ({self.hash(value)}); it would match almost anywhere"
                    )
                    continue
                self._add(subject, value)
        self.warnings = tuple(warnings)
        self.needle_count = len({h.needle for hits in self._all() for h in hits})
        self._fast = _compile(self._folded, self._exact, lookahead=False)
        self._find_folded = _compile(self._folded, {}, lookahead=True)
        self._find_exact = _compile({}, self._exact, lookahead=True)

    def hash(self, value: str) -> str:
        """A short, stable hash of ``value`` that stands in for it in every report."""
        data = value.encode("utf-8")
        if self._key is not None:
            return hmac.new(self._key, data, hashlib.sha256).hexdigest()[:16]
        return hashlib.sha256(data).hexdigest()[:16]

    def search(self, text: str) -> bool:
        """True when some needle occurs in ``text`` (the fast path: one regex scan)."""
        return self._fast is not None and self._fast.search(text) is not None

    def find(self, text: str) -> set[Hit]:
        """Every needle in ``text``, overlapping and nested ones included."""
        if not self.search(text):
            return set()
        hits: set[Hit] = set()
        for finder, table, fold in (
            (self._find_folded, self._folded, True),
            (self._find_exact, self._exact, False),
        ):
            for found in _matches(finder, text):
                for end in range(1, len(found) + 1):
                    prefix = found[:end].lower() if fold else found[:end]
                    hits.update(table.get(prefix, ()))
        return hits

    def _add(self, subject: str, value: str) -> None:
        kind = needle_kind(value)
        fold = kind == "email"
        needle = Needle(subject, kind, self.hash(value.lower() if fold else value))
        table = self._folded if fold else self._exact
        for text, form in forms(value, kind).items():
            hits = table.setdefault(text.lower() if fold else text, [])
            if all(h.needle != needle for h in hits):
                hits.append(Hit(needle, form))

    def _all(self) -> Iterator[list[Hit]]:
        yield from self._folded.values()
        yield from self._exact.values()


def _matches(finder: re.Pattern[str] | None, text: str) -> Iterator[str]:
    """The longest needle form starting at each position of ``text``."""
    if finder is not None:
        for match in finder.finditer(text):
            yield match.group(1)


def _compile(
    folded: Mapping[str, object], exact: Mapping[str, object], *, lookahead: bool
) -> re.Pattern[str] | None:
    parts = [f"(?i:{_trie_regex(folded)})"] if folded else []
    parts += [_trie_regex(exact)] if exact else []
    if not parts:
        return None
    body = "|".join(parts)
    return re.compile(f"(?=({body}))" if lookahead else body)


def _trie_regex(words: Iterable[str]) -> str:
    """A regex for any of ``words``, shaped as a trie so matching never tries them one by one."""
    root: _Trie = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}  # a word ends here
    return _node_regex(root)


def _node_regex(node: _Trie) -> str:
    branches = []
    for ch in sorted(k for k in node if k):
        run, child = [ch], node[ch]
        while len(child) == 1 and "" not in child:  # a chain of single children is one literal
            ((next_ch, child),) = child.items()
            run.append(next_ch)
        branches.append(re.escape("".join(run)) + _node_regex(child))
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body

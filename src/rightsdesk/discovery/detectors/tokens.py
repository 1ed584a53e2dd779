"""Random tokens: values that look machine-generated and secret, whatever their column is called.

A column of such values is proposed as a credential only by ``generate`` (``drafting/linked.py``),
and only when it is no key, holds distinct values and its table is linked to a person.
"""

from __future__ import annotations

import math
import re

#: Shortest token, and least Shannon entropy per character (a random 20-character string over
#: 36 or more symbols has about 4; words, codes and sequence numbers have less).
MIN_LENGTH = 20
MIN_BITS = 3.5
_TOKEN = re.compile(rf"[A-Za-z0-9_\-]{{{MIN_LENGTH},}}")
_UUID = re.compile(
    r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"
)
_LETTER = re.compile(r"[A-Za-z]")
_DIGIT = re.compile(r"[0-9]")
_SEPARATOR = re.compile(r"[_\-]+")


def random_token(value: str) -> bool:
    """Whether ``value`` looks like a random token: long, letters and digits, high entropy.

    UUIDs (with or without dashes) are ids, not secrets, and slugs (``summer-sale-2024``) are
    words: neither is a token here.
    """
    if len(value) < MIN_LENGTH or not _TOKEN.fullmatch(value):
        return False
    if not (_LETTER.search(value) and _DIGIT.search(value)):
        return False
    return not _UUID.fullmatch(value) and not slug(value) and entropy(value) >= MIN_BITS


def entropy(value: str) -> float:
    """Shannon entropy of the characters of ``value``, in bits per character."""
    total = len(value)
    if not total:
        return 0.0
    counts = map(value.count, set(value))
    return math.log2(total) - sum(n * math.log2(n) for n in counts) / total


def slug(value: str) -> bool:
    """Whether ``value`` is words joined by ``_`` or ``-``: several parts, most of them all letters
    or all digits (the parts of a random token mix the two)."""
    if "_" not in value and "-" not in value:
        return False
    parts = [p for p in _SEPARATOR.split(value) if p]
    mixed = sum(bool(_LETTER.search(p) and _DIGIT.search(p)) for p in parts)
    return len(parts) >= 2 and mixed * 2 < len(parts)

"""A text people read, in one or several languages (a data map's purpose descriptions, pre-check
messages, providers' instructions).

Written either as one plain string, used for every language, or as a mapping of locale tag to
text. ``get`` is the one place a language is chosen: the exact tag, else a text in the same
language (``zh`` or ``zh-TW`` read the ``zh-CN`` text), else the map's default language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: The locales rightsdesk speaks (pages, messages, export reports).
LOCALES = ("en", "zh-CN")


def _tag(locale: str) -> str:
    return locale.replace("_", "-").lower()


@dataclass(frozen=True)
class LocalText:
    """One text in each language it was written in; ``default`` is the map's own language."""

    texts: tuple[tuple[str, str], ...]
    default: str = "en"

    @classmethod
    def parse(cls, raw: object, default: str = "en") -> LocalText:
        """A plain string or a ``{locale: text}`` mapping; ValueError says what is wrong."""
        if isinstance(raw, LocalText):
            return raw
        if isinstance(raw, str):
            if not raw.strip():
                raise ValueError("the text is empty")
            return cls(((default, raw),), default)
        if not isinstance(raw, Mapping) or not raw:
            raise ValueError(
                "a text is a string or a mapping of locale to text ({en: ..., zh-CN: ...})"
            )
        texts = []
        for locale, text in raw.items():
            if locale not in LOCALES:
                known = ", ".join(LOCALES)
                raise ValueError(f"unknown locale {locale!r} (rightsdesk speaks {known})")
            if not isinstance(text, str) or not text.strip():
                raise ValueError(f"the {locale} text is empty")
            texts.append((str(locale), text))
        if default not in raw:
            raise ValueError(f"no {default} text: the map's default language ({default}) is needed")
        return cls(tuple(texts), default)

    @classmethod
    def of(cls, value: object, default: str = "en") -> LocalText:
        """Like ``parse``, for values already checked (kept in a request's record): never raises
        for an empty text, so a record written before texts were localised still reads."""
        if isinstance(value, LocalText):
            return value
        if isinstance(value, Mapping) and value:
            first = str(next(iter(value)))
            texts = tuple((str(k), str(v)) for k, v in value.items())
            return cls(texts, default if default in value else first)
        return cls(((default, "" if value is None else str(value)),), default)

    def get(self, locale: str | None = None) -> str:
        """The text in ``locale``: exact tag, then the same language, then the default."""
        wanted = _tag(locale or self.default)
        by_tag = {_tag(k): v for k, v in self.texts}
        if wanted in by_tag:
            return by_tag[wanted]
        language = wanted.split("-")[0]
        same = [v for k, v in by_tag.items() if k.split("-")[0] == language]
        if same:
            return same[0]
        return by_tag.get(_tag(self.default), self.texts[0][1])

    def dump(self) -> str | dict[str, str]:
        """As written in YAML/JSON: a plain string when there is only the default's text."""
        if len(self.texts) == 1 and self.texts[0][0] == self.default:
            return self.texts[0][1]
        return dict(self.texts)

    def __str__(self) -> str:
        return self.get(self.default)


def localise(value: Any, locale: str | None) -> str:
    """A stored text (plain, ``{locale: text}``, or ``LocalText``) in ``locale``."""
    return LocalText.of(value).get(locale)

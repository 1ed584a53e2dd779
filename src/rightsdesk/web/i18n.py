"""The pages' languages: gettext catalogues (Babel), the choice of language, dates per locale.

Catalogues live in ``web/locale/<lang>/LC_MESSAGES/messages.po`` and are compiled to ``.mo`` by
``make install`` (``i18n.compile_all()``). A ``.mo`` missing or older than its ``.po``
(a checkout that edited a catalogue without compiling) is compiled in memory at start, so the
pages never show a stale translation. The language is the one the person chose (a cookie), else
the best match of ``Accept-Language``, else the service's default locale.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

from babel.dates import format_date, format_datetime, format_skeleton, get_timezone
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency
from babel.support import Translations

from rightsdesk.domain.texts import LOCALES, localise
from rightsdesk.notify.locales import request_label, resolve_locale

LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "messages"
#: The cookie remembering the language a person switched to.
COOKIE = "rd_lang"
#: Each page language, its Babel locale and how it names itself in the switch.
BABEL = {"en": "en", "zh-CN": "zh_Hans_CN"}
NAMES = {"en": "English", "zh-CN": "简体中文"}
TIMEZONE = {"en": "UTC", "zh-CN": "Asia/Shanghai"}


def _catalogue_files(lang: str) -> tuple[Path, Path]:
    folder = LOCALE_DIR / lang.replace("-", "_") / "LC_MESSAGES"
    return folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"


def _compiled(po: Path) -> bytes:
    with po.open("rb") as source:
        catalogue = read_po(source)
    out = io.BytesIO()
    write_mo(out, catalogue)
    return out.getvalue()


@cache
def translations(lang: str) -> Translations:
    po, mo = _catalogue_files(lang)
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        data = mo.read_bytes()
    else:
        data = _compiled(po)
    return Translations(io.BytesIO(data), domain=DOMAIN)


def compile_all() -> list[Path]:
    """Write every catalogue's ``.mo`` beside its ``.po`` (the build step)."""
    written = []
    for lang in LOCALES:
        po, mo = _catalogue_files(lang)
        mo.write_bytes(_compiled(po))
        written.append(mo)
    return written


def negotiate(cookie: str | None, accept_language: str | None, default: str) -> str:
    """The page language: the remembered choice, else the first acceptable tag, else default."""
    if cookie in LOCALES:
        return cookie
    ranked = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, quality = part.strip().partition(";q=")
        try:
            weight = float(quality) if quality else 1.0
        except ValueError:
            continue
        if tag and tag != "*" and weight > 0:
            ranked.append((-weight, position, tag))
    for _, _, tag in sorted(ranked):
        if tag.lower().startswith(("zh", "en")):
            return resolve_locale(tag)
    return resolve_locale(default)


@dataclass(frozen=True)
class Language:
    """What a template needs to speak one language: words, dates, request types."""

    code: str

    def gettext(self, message: str, **values: object) -> str:
        text = translations(self.code).ugettext(message)
        return text % values if values else text

    def short_date(self, value: datetime | date) -> str:
        """A day without its year (a chart's axis): "Mar 4", "3月4日"."""
        return format_skeleton("MMMd", value, locale=BABEL[self.code])

    def date(self, value: date | datetime | None) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            return format_datetime(
                value, "medium", tzinfo=get_timezone(TIMEZONE[self.code]), locale=BABEL[self.code]
            )
        return format_date(value, "long", locale=BABEL[self.code])

    def money(self, amount: str, currency: str) -> str:
        return format_currency(Decimal(amount), currency, locale=BABEL[self.code])

    def text(self, value: object) -> str:
        """A data map's text (``LocalText``, or as kept in a request) in this language."""
        return localise(value, self.code)

    def right(self, request_type: str) -> str:
        return request_label(request_type, self.code)

"""Building blocks every part of the data map's schema shares (model.py and rights.py)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, ValidationInfo

from rightsdesk.domain.periods import Period
from rightsdesk.domain.texts import LocalText

Name = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=63)]
Scalar = str | int | float | bool


def _period(raw: Any) -> Period:
    return raw if isinstance(raw, Period) else Period.parse(str(raw))


#: A period written as ``3y``, ``18m``, ``30d`` or ``1y6m``.
PeriodField = Annotated[Period, BeforeValidator(_period)]


def _text(raw: Any, info: ValidationInfo) -> LocalText:
    language = (info.context or {}).get("language", "en")
    return LocalText.parse(raw, language if isinstance(language, str) else "en")


#: A text people read: one string for every language, or ``{en: ..., zh-CN: ...}`` with the
#: map's ``language`` among them (the loader passes it as the validation context).
Text = Annotated[LocalText, BeforeValidator(_text), PlainSerializer(lambda t: t.dump())]


class Spec(BaseModel):
    """Frozen, and a key the schema does not know is an error (with its line)."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

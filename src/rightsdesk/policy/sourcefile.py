"""Read policy YAML files into pydantic models with errors that name file, line and field."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from rightsdesk.datamap.loader import _pydantic_issues, parse_yaml
from rightsdesk.domain.errors import DataMapError, Issue, Location, PolicyFileError

M = TypeVar("M", bound=BaseModel)


def load(path: str | Path, model: type[M]) -> M:
    """Read ``path`` and validate it as ``model``; raise PolicyFileError on any problem."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        issue = Issue(Location(str(file), None, ""), f"cannot read: {exc}")
        raise PolicyFileError([issue]) from exc
    return loads(text, model, source=str(file))


def loads(text: str, model: type[M], *, source: str) -> M:
    """Validate YAML ``text`` as ``model``, reusing the data-map loader's line tracking."""
    try:
        raw, lines = parse_yaml(text, source)
    except DataMapError as exc:
        raise PolicyFileError(exc.issues) from exc
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise PolicyFileError(_pydantic_issues(exc, raw, lines, source)) from exc

"""Render a notice from ``templates/<locale>/<kind>.txt`` (strict Jinja2), optionally overridden."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    Template,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    UndefinedError,
    pass_context,
)
from jinja2.runtime import Context

from rightsdesk.domain.errors import RenderError
from rightsdesk.notify.locales import format_when, request_label, resolve_locale

#: Every kind of notice the bundled templates cover, in both locales.
KINDS = (
    "acknowledged",
    "verification_code",
    "verified",
    "step_up",
    "extended",
    "fee_quote",
    "refused",
    "completed",
    "cancelled",
    "expired",
    "recipient_notice",
    "cancellation_confirm",
    "restriction_lifted",
    "cancellation_redirected",
    "publication_stopped",
    "agent_received",
    "documents_needed",
)

#: The footer every message to a person ends with when the context has ``follow_url``.
FOLLOW = "follow.inc"
_KIND = re.compile(r"^[a-z][a-z0-9_]*$")
_BLANKS = re.compile(r"\n{3,}")
_SUBJECT = "Subject:"


def render(
    kind: str, locale: str | None, context: Mapping[str, Any], *, templates: Path | None = None
) -> tuple[str, str]:
    """(subject, body) of the e-mail for ``kind``; RenderError for unknown kinds or missing vars."""
    chosen = resolve_locale(locale)
    text = _render(kind, chosen, f"{kind}.txt", context, templates)
    if text is None:
        raise RenderError(kind, chosen, f"unknown kind; known kinds: {', '.join(KINDS)}")
    head, blank, body = text.lstrip("\n").partition("\n\n")
    if not head.startswith(_SUBJECT) or "\n" in head or not blank:
        raise RenderError(kind, chosen, "must start with a 'Subject: ...' line and a blank line")
    return head.removeprefix(_SUBJECT).strip(), _with_link(_tidy(body), chosen, context, templates)


def _with_link(body: str, locale: str, context: Mapping[str, Any], templates: Path | None) -> str:
    """The body, ended with the request's follow link (``follow.inc``) unless it names it."""
    url = context.get("follow_url")
    if not url or str(url) in body:
        return body
    footer = _render("follow", locale, FOLLOW, context, templates) or ""
    return _tidy(f"{body}\n{footer}")


def render_sms(
    kind: str, locale: str | None, context: Mapping[str, Any], *, templates: Path | None = None
) -> str:
    """The text message for ``kind``: its ``.sms.txt`` variant if any, else the e-mail body."""
    chosen = resolve_locale(locale)
    text = _render(kind, chosen, f"{kind}.sms.txt", context, templates)
    if text is None:
        return render(kind, chosen, context, templates=templates)[1]
    return _tidy(text)


@lru_cache(maxsize=16)
def environment(templates: Path | None = None) -> Environment:
    """The Jinja2 environment: override folder first, then the bundled templates."""
    loaders: list[BaseLoader] = [FileSystemLoader(templates)] if templates is not None else []
    loaders.append(PackageLoader("rightsdesk.notify", "templates"))
    env = Environment(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        autoescape=False,  # plain-text mail and SMS, never HTML
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(request_label=_request_label, when=_when, text=_text)
    env.globals["require"] = _require
    return env


def _render(
    kind: str, locale: str, name: str, context: Mapping[str, Any], templates: Path | None
) -> str | None:
    if not _KIND.match(kind):
        raise RenderError(kind, locale, "a kind is lower-case letters, digits and underscores")
    try:
        template = _template(environment(templates), f"{locale}/{name}")
        if template is None:
            return None
        return template.render({**context, "locale": locale})
    except UndefinedError as exc:
        raise RenderError(kind, locale, f"missing context variable: {exc.message}") from None
    except TemplateSyntaxError as exc:
        raise RenderError(kind, locale, f"{exc.filename}:{exc.lineno}: {exc.message}") from None
    except (TemplateError, KeyError) as exc:
        raise RenderError(kind, locale, str(exc)) from None


def _template(env: Environment, name: str) -> Template | None:
    try:
        return env.get_template(name)
    except TemplateNotFound:
        return None


def _tidy(text: str) -> str:
    return _BLANKS.sub("\n\n", text.strip()) + "\n"


@pass_context
def _request_label(context: Context, value: object) -> str:
    return request_label(value, str(context["locale"]))


@pass_context
def _when(context: Context, value: object) -> str:
    return format_when(value, str(context["locale"]))


def _text(value: object) -> str:
    """A remedy (or anything with ``text``), a mapping with ``text``, or a plain string."""
    if isinstance(value, Mapping):
        return str(value["text"])
    return str(getattr(value, "text", value))


def _require(value: object, name: str) -> str:
    if not value:
        raise UndefinedError(f"{name!r} must not be empty")
    return ""

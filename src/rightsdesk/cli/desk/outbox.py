"""`rightsdesk outbox`: the messages a laptop install wrote instead of sending, decoded."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated
from urllib.parse import unquote, urlsplit

import typer
from rich.table import Table

from rightsdesk.cli.app import app, out
from rightsdesk.domain.errors import InputError, NotFoundError
from rightsdesk.notify import outbox
from rightsdesk.settings import Settings

outbox_app = typer.Typer(
    help="Messages in the outbox folders (mail and SMS), decoded.", no_args_is_help=True
)
app.add_typer(outbox_app, name="outbox")

SmsFlag = Annotated[bool, typer.Option("--sms", help="The SMS outbox instead of the mail outbox.")]


def folder(sms: bool) -> Path:
    """The outbox folder the service writes to (RIGHTSDESK_MAIL_URL / RIGHTSDESK_SMS_URL)."""
    settings = Settings()
    url = settings.sms_url if sms else settings.mail_url
    if url is None:
        return settings.state_dir / ("sms-outbox" if sms else "outbox")
    parts = urlsplit(url)
    if parts.scheme != "file":
        raise InputError(f"{'SMS' if sms else 'mail'} goes to {parts.scheme}://, not an outbox")
    return Path(unquote(parts.path))


@outbox_app.command("list")
def list_(
    sms: SmsFlag = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """List the messages, oldest first: file, recipient, subject, one-time code if any."""
    found = outbox.read(folder(sms))
    if as_json:
        shown = [{**m.__dict__, "code": m.code} for m in found]
        out.print_json(json.dumps(shown, ensure_ascii=False))
        return
    table = Table(title=f"{len(found)} message(s) in {folder(sms)}", title_justify="left")
    for column in ("file", "to", "subject", "code"):
        table.add_column(column, no_wrap=column == "file")
    for message in found:
        table.add_row(message.name, message.to, message.subject, message.code or "-")
    out.print(table)


@outbox_app.command("show")
def show(
    name: Annotated[
        str | None, typer.Argument(help="The message's file name (default: the latest).")
    ] = None,
    sms: SmsFlag = False,
    code: Annotated[
        bool, typer.Option("--code", help="Print only the one-time code in the message.")
    ] = False,
) -> None:
    """Show one message decoded (recipient, subject, body), or only its code with --code."""
    found = outbox.read(folder(sms))
    chosen = [m for m in found if name in (None, m.name) and (m.code or not code or name)]
    if not chosen:
        what = f"{name}: not" if name else f"no message{' with a code' if code else ''}"
        raise NotFoundError(f"{what} in the outbox {folder(sms)}")
    message = chosen[-1]
    if code:
        if message.code is None:
            raise NotFoundError(f"{message.name}: carries no one-time code")
        out.print(message.code, markup=False)
        return
    out.print(
        f"file: {message.name}\nto: {message.to}\nsubject: {message.subject}\n\n{message.body}",
        markup=False,
    )

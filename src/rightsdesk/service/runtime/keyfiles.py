"""Secrets generated once into the state directory (mode 0600) when settings give none."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from pydantic import SecretStr

from rightsdesk.domain.errors import PolicyError

#: Shortest secret accepted: an empty or short key let download links be forged.
MIN_SECRET = 32


def secret(
    configured: SecretStr | None,
    path: Path,
    *,
    name: str = "RIGHTSDESK_SECRET_KEY",
    minimum: int = MIN_SECRET,
) -> bytes:
    """The configured secret, else the one stored at ``path`` (created on first use).

    Refuses (``PolicyError``) a secret shorter than ``minimum`` characters, configured or
    stored, rather than sign and hash with something guessable."""
    if configured is not None:
        value = configured.get_secret_value().strip()
        where = name
    else:
        value, where = _stored(path), str(path)
    if len(value) < minimum:
        raise PolicyError(
            f"{where} is {'empty' if not value else 'too short'}: use at least {minimum} "
            "random characters (e.g. python -c 'import secrets; print(secrets.token_hex(32))'), "
            "or leave it unset in development to have one generated"
        )
    return value.encode()


def private_dir(path: Path) -> Path:
    """``path`` created (or tightened) to 0700: it holds the store, keys and exports."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)
    return path


def _stored(path: Path) -> str:
    if not path.exists():
        _create(path)
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)
    return path.read_text().strip()


def _create(path: Path) -> None:
    """Write a new secret beside ``path`` and link it into place in one step.

    A reader never sees the file half-written (jobs on two threads once read an empty key
    between another's create and write), and of two processes creating it at once the
    second keeps the first one's secret: ``link`` fails when the name already exists."""
    private_dir(path.parent)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):  # another process won: use theirs
            os.link(draft, path)
    finally:
        draft.unlink(missing_ok=True)

"""Secrets generated once into the state directory (mode 0600) when settings give none."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from pydantic import SecretStr


def secret(configured: SecretStr | None, path: Path) -> bytes:
    """The configured secret, else the one stored at ``path`` (created on first use)."""
    if configured is not None:
        return configured.get_secret_value().encode()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it first: use theirs
            return path.read_text().strip().encode()
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip().encode()

"""Files the CLI writes: checked before any work starts, written whole or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from rightsdesk.domain.errors import InputError


def check_out_file(path: Path, option: str) -> None:
    """InputError unless ``path`` can be written: its folder exists and it is not a folder."""
    if path.is_dir():
        raise InputError(f"{option} {path}: is a folder; name a file")
    if not path.parent.is_dir():
        raise InputError(f"{option} {path}: folder {path.parent} does not exist")


def check_out_folder(path: Path, option: str) -> None:
    """InputError when ``path`` exists and is not a folder, or its parent folder is missing."""
    if path.exists() and not path.is_dir():
        raise InputError(f"{option} {path}: exists and is not a folder")
    if not path.exists() and not path.parent.is_dir():
        raise InputError(f"{option} {path}: folder {path.parent} does not exist")


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, then rename it into place."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` whole, readable by its owner only (mode 0600, as ``mkstemp`` makes it)."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

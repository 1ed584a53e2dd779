# mypy: disable-error-code="import-untyped"
"""Shared pieces of the Django applications: settings, the build subprocess, fixed clocks.

Each application's builder runs in its own process (``python -m <builder>``, with
``ACCEPTANCE_DATABASE_URL``): Django's settings are global to a process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.acceptance.store import ROOT
from tests.discovery.realapp.build import django_database

BASE_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.admin",
    "django.contrib.sites",
    "django.contrib.messages",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
PASSWORD_HASHERS = ["tests.discovery.realapp.build.QuickPBKDF2"]
START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def sources(builder: str, *siblings: str) -> tuple[Path, ...]:
    """The files whose text makes a Django application's database (its cache key)."""
    here = Path(builder)
    shared = (Path(__file__), here.parents[1] / "people.py")
    return (here, *(here.parent / s for s in siblings), *shared)


def database() -> dict[str, Any]:
    return django_database(os.environ["ACCEPTANCE_DATABASE_URL"])


def at(n: int, hours: int = 0) -> datetime:
    """A fixed moment, so every build of the same sources holds the same rows."""
    return START + timedelta(days=n, hours=hours)


def build(module: str, url: str) -> None:
    """Run ``python -m module`` (migrate and fill) against ``url``; its output shows on failure."""
    env = {**os.environ, "ACCEPTANCE_DATABASE_URL": url}
    env["DJANGO_SETTINGS_MODULE"] = f"{module}_settings"
    done = subprocess.run(
        [sys.executable, "-m", module],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"building {module} failed:\n{done.stdout}\n{done.stderr}")


def migrate() -> None:
    """Set Django up and run every migration, then create the tables of apps without any."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("migrate", interactive=False, verbosity=0, run_syncdb=True)


def session_owner(data: str) -> str | None:
    """The user id inside a Django session payload (signed, maybe zlib-compressed, JSON)."""
    import base64
    import json
    import zlib

    payload = data.split(":", 1)[0]
    compressed = payload.startswith(".")
    raw = base64.urlsafe_b64decode(payload.lstrip(".") + "=" * (-len(payload.lstrip(".")) % 4))
    value = json.loads(zlib.decompress(raw) if compressed else raw)
    owner = value.get("_auth_user_id")
    return None if owner is None else str(owner)

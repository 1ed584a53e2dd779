# mypy: disable-error-code="import-untyped", allow-subclassing-any
"""Migrate Django + django-allauth into a database and fill it with synthetic people.

``build(url)`` runs this module as a subprocess (``REALAPP_DATABASE_URL=<sqlalchemy-url>``, warnings
are errors there too): Django's settings are global to a process, so each database gets its own.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.contrib.auth.hashers import PBKDF2PasswordHasher
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[3]
PEOPLE = 50
FIRST = ["Alice", "Bob", "Carol", "David", "Emma", "Frank", "Grace", "Henry", "Irene", "James"]
LAST = ["Smith", "Jones", "Brown", "Taylor", "Wilson", "Evans", "Walker", "Wright", "Baker", "Hall"]


def django_database(url: str) -> dict[str, Any]:
    """Django's ``DATABASES['default']`` for an SQLAlchemy URL (SQLite or PostgreSQL)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": parsed.database}
    if parsed.get_backend_name() == "postgresql":
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": parsed.database,
            "USER": parsed.username or "",
            "PASSWORD": parsed.password or "",
            "HOST": parsed.host or "",
            "PORT": str(parsed.port or ""),
        }
    raise ValueError(f"unsupported backend for the real-app schema: {parsed.get_backend_name()}")


class QuickPBKDF2(PBKDF2PasswordHasher):
    """Django's default hasher and hash format (``pbkdf2_sha256$<iterations>$...``), cheaper."""

    iterations = 1000


def person(n: int) -> tuple[str, str, str]:
    """The ``n``-th synthetic person: first name, last name, email."""
    first, last = FIRST[n % len(FIRST)], LAST[(n // len(FIRST)) % len(LAST)]
    return first, last, f"{first.lower()}.{last.lower()}{n}@example.com"


def build(url: str) -> None:
    """Migrate and fill ``url`` in a subprocess; its output is shown if it fails."""
    env = {**os.environ, "REALAPP_DATABASE_URL": url}
    env["DJANGO_SETTINGS_MODULE"] = "tests.discovery.realapp.settings"
    done = subprocess.run(
        [sys.executable, "-W", "error", "-m", "tests.discovery.realapp.build"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"building the real-app schema failed:\n{done.stdout}\n{done.stderr}")


def _migrate_and_fill() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    _fill()


def _fill() -> None:
    from allauth.account.models import EmailAddress, EmailConfirmation
    from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.auth.models import Group, User
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sites.models import Site

    site = Site.objects.get(pk=1)
    staff = Group.objects.create(name="support")
    app = SocialApp.objects.create(  # shaped like a Google OAuth client, not a person's data
        provider="google",
        name="Google",
        client_id="123456789012-abcdefghijklmnopqrstuvwxyz012345.apps.googleusercontent.com",
        secret="GOCSPX-AbCdEfGhIjKlMnOpQrStUvWxYz01",
    )
    app.sites.add(site)
    admin = User.objects.create_superuser("admin", "admin@example.org", "admin-password")
    user_type = ContentType.objects.get_for_model(User)
    for n in range(PEOPLE):
        first, last, email = person(n)
        user = User.objects.create_user(
            f"{first.lower()}{n}", email, f"pw-{n}", first_name=first, last_name=last
        )
        if n % 10 == 0:
            user.groups.add(staff)
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
        if n % 3 == 0:
            other = EmailAddress.objects.create(
                user=user, email=f"{first.lower()}{n}@mail.example.net", primary=False
            )
            EmailConfirmation.create(other).save()
        if n % 5 == 0:
            extra = {"email": email, "name": f"{first} {last}", "given_name": first}
            account = SocialAccount.objects.create(
                user=user, provider="google", uid=f"10{n:019d}", extra_data=extra
            )
            SocialToken.objects.create(
                app=app,
                account=account,
                token=f"ya29.a0AfH6SM{n:04d}Xk2vQ9pL7tR3mZ8nB",
                token_secret="",
            )
        LogEntry.objects.create(
            user_id=admin.pk,
            content_type_id=user_type.pk,
            object_id=str(user.pk),
            object_repr=str(user),
            action_flag=CHANGE,
            change_message=f"Changed email to {email}.",
        )
        if n % 4 == 0:
            session = SessionStore()
            session["_auth_user_id"] = str(user.pk)
            session.create()


if __name__ == "__main__":
    _migrate_and_fill()

# mypy: disable-error-code="import-untyped, no-untyped-call"
"""Accounts stack: Django auth + allauth, django-otp, django-oauth-toolkit, django-axes,
django-simple-history, django-auditlog, sessions and the admin log, from their own migrations.

Hard cases: 王伟 (1) owns an OAuth application whose tokens and grants belong to the people who
use it, and changed their email (the old one stays in the model history and the audit log);
王伟 (3) shares that display name; person 20 is known only from login-attempt logs (username
and IP address, no account).
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from tests.acceptance.apps import django_site
from tests.acceptance.people import Person, people, person
from tests.acceptance.truth import Application, Key, Label, Subject

PEOPLE = 16
GHOST = 12  # known only from login-attempt logs
APP_OWNER, CHANGED_EMAIL = 1, frozenset({1, 6})
APP_USERS = (2, 3, 4, 6)
AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def _fill() -> None:
    from allauth.account.models import EmailAddress
    from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.auth.models import Group, User
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sites.models import Site
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from oauth2_provider.models import AccessToken, Application, Grant, RefreshToken

    site = Site.objects.get(pk=1)
    support = Group.objects.create(name="support")
    google = SocialApp.objects.create(provider="google", name="Google", client_id="c", secret="s")
    google.sites.add(site)
    admin = User.objects.create_superuser("admin", "admin@example.org", "admin-password")
    portal = Application.objects.create(
        name="Company portal",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="https://portal.example.org/callback",
    )
    user_type = ContentType.objects.get_for_model(User)
    users: dict[int, User] = {}
    for p in people(PEOPLE):
        if p.n == GHOST:
            continue
        first_email = p.old_email if p.n in CHANGED_EMAIL else p.email
        user = User.objects.create_user(
            p.username, first_email, f"pw-{p.n}", first_name=p.first, last_name=p.last
        )
        users[p.n] = user
        address = EmailAddress.objects.create(user=user, email=first_email, primary=True)
        if p.n in CHANGED_EMAIL:  # as allauth's change-email flow does: new address, old removed
            user.email = p.email
            user.save()
            address.delete()
            EmailAddress.objects.create(user=user, email=p.email, primary=True, verified=True)
        if p.n % 4 == 0:
            user.groups.add(support)
        TOTPDevice.objects.create(user=user, name=("手机 " if p.chinese else "Phone ") + p.phone)
        if p.n % 3 == 0:
            backup = StaticDevice.objects.create(user=user, name="backup")
            StaticToken.objects.create(device=backup, token=f"b{p.n:07d}")
        fields = {"user_agent": AGENT, "http_accept": "text/html", "path_info": "/accounts/login/"}
        AccessLog.objects.create(username=p.username, ip_address=p.ip, **fields)
        if p.n % 2 == 0:
            AccessFailureLog.objects.create(username=p.username, ip_address=p.ip, **fields)
        LogEntry.objects.create(
            user_id=admin.pk,
            content_type_id=user_type.pk,
            object_id=str(user.pk),
            object_repr=str(user),
            action_flag=CHANGE,
            change_message=f"Changed email to {p.email}.",
        )
        session = SessionStore()
        session["_auth_user_id"] = str(user.pk)
        session.create()
        if p.n % 5 == 0:
            extra = {"email": p.email, "name": p.display, "given_name": p.first}
            account = SocialAccount.objects.create(
                user=user, provider="google", uid=f"10{p.n:019d}", extra_data=extra
            )
            SocialToken.objects.create(app=google, account=account, token=f"ya29.{p.n:04d}Xk2vQ9")
        _token(AccessToken, user, portal, f"portal-{p.n}")
    owner = users[APP_OWNER]
    planner = Application.objects.create(
        name=f"{owner.last_name}{owner.first_name}的日程助手",
        user=owner,
        client_type=Application.CLIENT_PUBLIC,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="https://planner.example.cn/callback",
    )
    for n in (APP_OWNER, *APP_USERS):
        access = _token(AccessToken, users[n], planner, f"planner-{n}")
        RefreshToken.objects.create(
            user=users[n], application=planner, token=f"refresh-{n}", access_token=access
        )
        Grant.objects.create(
            user=users[n],
            application=planner,
            code=f"code-{n}",
            expires=django_site.at(n, 1),
            redirect_uri="https://planner.example.cn/callback",
        )
    ghost = person(GHOST)
    fields = {"user_agent": AGENT, "http_accept": "text/html", "path_info": "/accounts/login/"}
    AccessAttempt.objects.create(
        username=ghost.username,
        ip_address=ghost.ip,
        get_data="",
        post_data=f"login={ghost.username}&password=********",
        failures_since_start=3,
        **fields,
    )
    for _ in range(2):
        AccessFailureLog.objects.create(username=ghost.username, ip_address=ghost.ip, **fields)


def _token(model: type, user: object, application: object, token: str) -> object:
    return model.objects.create(  # type: ignore[attr-defined]
        user=user,
        application=application,
        token=token,
        expires=django_site.at(30),
        scope="read write",
    )


def _sessions(conn: sa.Connection) -> Iterable[tuple[Key, str]]:
    query = sa.text("SELECT CAST(id AS TEXT), username FROM auth_user")
    usernames = {str(i): str(u) for i, u in conn.execute(query)}
    for key, data in conn.execute(sa.text("SELECT session_key, session_data FROM django_session")):
        owner = django_site.session_owner(data)
        if owner is not None:
            yield (key,), usernames[owner]


def _by_user(table: str, column: str = "user_id", key: str = "id") -> str:
    return (
        f"SELECT t.{key}, u.username AS owner FROM {table} t JOIN auth_user u ON u.id = t.{column}"
    )


LABELS: dict[str, Label] = {
    "auth_user": "SELECT id, username AS owner FROM auth_user",
    "auth_user_groups": _by_user("auth_user_groups"),
    "auth_user_user_permissions": _by_user("auth_user_user_permissions"),
    "account_emailaddress": _by_user("account_emailaddress"),
    "account_emailconfirmation": "SELECT c.id, u.username AS owner FROM account_emailconfirmation c"
    " JOIN account_emailaddress a ON a.id = c.email_address_id JOIN auth_user u ON u.id = a.user_id",
    "socialaccount_socialaccount": _by_user("socialaccount_socialaccount"),
    "socialaccount_socialtoken": "SELECT t.id, u.username AS owner FROM socialaccount_socialtoken t"
    " JOIN socialaccount_socialaccount a ON a.id = t.account_id JOIN auth_user u ON u.id = a.user_id",
    # the admin's action, about the person it names: both may see it
    "django_admin_log": _by_user("django_admin_log")
    + " UNION SELECT t.id, u.username FROM django_admin_log t"
    " JOIN auth_user u ON CAST(u.id AS TEXT) = t.object_id",
    "django_session": _sessions,
    "otp_totp_totpdevice": _by_user("otp_totp_totpdevice"),
    "otp_static_staticdevice": _by_user("otp_static_staticdevice"),
    "otp_static_statictoken": "SELECT t.id, u.username AS owner FROM otp_static_statictoken t"
    " JOIN otp_static_staticdevice d ON d.id = t.device_id JOIN auth_user u ON u.id = d.user_id",
    # an application is its owner's; every token and grant is its own user's, whoever owns the app
    "oauth2_provider_application": _by_user("oauth2_provider_application"),
    "oauth2_provider_accesstoken": _by_user("oauth2_provider_accesstoken"),
    "oauth2_provider_refreshtoken": _by_user("oauth2_provider_refreshtoken"),
    "oauth2_provider_grant": _by_user("oauth2_provider_grant"),
    "oauth2_provider_idtoken": _by_user("oauth2_provider_idtoken"),
    "oauth2_provider_devicegrant": _by_user("oauth2_provider_devicegrant"),
    "axes_accesslog": "SELECT id, username AS owner FROM axes_accesslog",
    "axes_accessfailurelog": "SELECT id, username AS owner FROM axes_accessfailurelog",
    "axes_accessattempt": "SELECT id, username AS owner FROM axes_accessattempt",
    "axes_accessattemptexpiration": "SELECT x.access_attempt_id, a.username AS owner"
    " FROM axes_accessattemptexpiration x JOIN axes_accessattempt a ON a.id = x.access_attempt_id",
    "userhistory_historicaluser": _by_user("userhistory_historicaluser", "id", "history_id"),
    "auditlog_logentry": "SELECT l.id, u.username AS owner FROM auditlog_logentry l"
    " JOIN auth_user u ON CAST(u.id AS TEXT) = l.object_pk",
}
SHARED = frozenset(
    {
        "auth_group",
        "auth_group_permissions",
        "auth_permission",
        "django_content_type",
        "django_migrations",
        "django_site",
        "socialaccount_socialapp",
        "socialaccount_socialapp_sites",
    }
)


def _subject(p: Person, case: str, *values: str, by: str = "email") -> Subject:
    identity = p.username if by == "username" else p.email
    return Subject(p.username, ((by, identity),), values, case)


def subjects() -> tuple[Subject, ...]:
    one, three, six, ghost = person(APP_OWNER), person(3), person(6), person(GHOST)
    return (
        _subject(
            one,
            "owns an OAuth application others use; changed email; shares a display name",
            *(one.username, one.email, one.old_email, one.phone, one.ip),
        ),
        _subject(
            three,
            "same display name as 1; uses 1's application",
            three.username,
            three.email,
            three.phone,
            three.ip,
        ),
        _subject(
            six,
            "changed email; OTP devices, axes logs, session",
            six.username,
            six.email,
            six.old_email,
            six.phone,
            six.ip,
            six.display,
        ),
        _subject(
            ghost,
            "known only by login-attempt logs (username, IP)",
            ghost.username,
            ghost.ip,
            by="username",
        ),
    )


APPLICATION = Application(
    name="accounts",
    origin="Django 5.2 auth/admin/sessions + django-allauth, django-otp, django-oauth-toolkit, "
    "django-axes, django-simple-history, django-auditlog (PyPI), their own migrations",
    backends=("sqlite", "postgres"),
    sources=django_site.sources(__file__, "accounts_settings.py", "userhistory/models.py"),
    packages=(
        "django",
        "django-allauth",
        "django-otp",
        "django-oauth-toolkit",
        "django-axes",
        "django-simple-history",
        "django-auditlog",
    ),
    build=lambda url: django_site.build(__name__, url),
    labels=LABELS,
    shared=SHARED,
    subjects=subjects(),
)

if __name__ == "__main__":
    django_site.migrate()
    _fill()

"""Django with allauth, OTP devices, an OAuth2 provider, django-axes, model history, audit log."""

from __future__ import annotations

from tests.acceptance.apps import django_site

SECRET_KEY = "acceptance-accounts-only"
DEBUG = False
USE_TZ = True
SITE_ID = 1
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
INSTALLED_APPS = [
    *django_site.BASE_APPS,
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "oauth2_provider",
    "axes",
    "simple_history",
    "auditlog",
    "tests.acceptance.apps.userhistory",
]
MIDDLEWARE = [
    *django_site.MIDDLEWARE,
    "allauth.account.middleware.AccountMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "axes.middleware.AxesMiddleware",
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUDITLOG_INCLUDE_TRACKING_MODELS = ("auth.User",)
TEMPLATES = django_site.TEMPLATES
PASSWORD_HASHERS = django_site.PASSWORD_HASHERS
DATABASES = {"default": django_site.database()}

"""A community site: django-friendship, django-postman (private messages) and django-contrib-comments."""

from __future__ import annotations

from tests.acceptance.apps import django_site

SECRET_KEY = "acceptance-social-only"
DEBUG = False
USE_TZ = True
SITE_ID = 1
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
INSTALLED_APPS = [
    *django_site.BASE_APPS,
    "django.contrib.flatpages",
    "friendship",
    "postman",
    "django_comments",
]
MIDDLEWARE = django_site.MIDDLEWARE
TEMPLATES = django_site.TEMPLATES
PASSWORD_HASHERS = django_site.PASSWORD_HASHERS
DATABASES = {"default": django_site.database()}
POSTMAN_AUTO_MODERATE_AS = True

# mypy: disable-error-code="import-untyped"
"""``register(User)``: every save of a user writes a row to ``userhistory_historicaluser``."""

from django.contrib.auth.models import User
from simple_history import register

register(User, app=__package__)

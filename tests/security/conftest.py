"""Attacks replayed against a real uvicorn server on a real store (SQLite and PostgreSQL)."""

from __future__ import annotations

from tests.api import conftest as api_fixtures

# the API tests' fixtures: a live server over the service on each store backend, a fake clock
clock = api_fixtures.clock
mailbox = api_fixtures.mailbox
platform = api_fixtures.platform
services = api_fixtures.services
store_url = api_fixtures.store_url
settings = api_fixtures.settings
port = api_fixtures.port
live = api_fixtures.live
key = api_fixtures.key

"""Alembic environment: runs on the connection the Store hands over (or the URL in the config)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from rightsdesk.store import casefiles as _casefiles  # noqa: F401 (its tables)
from rightsdesk.store import restrictions as _restrictions  # noqa: F401 (its tables)
from rightsdesk.store.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite:///rightsdesk.db")
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=Base.metadata, render_as_batch=True)
        context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    context.run_migrations()

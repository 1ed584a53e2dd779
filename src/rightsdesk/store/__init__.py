"""rightsdesk's own store: requests, verification, audit chain, API keys, jobs (SQLAlchemy 2)."""

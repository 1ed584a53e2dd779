"""Commands that run or inspect the service: serve the API, the database, operator keys,
audit and receipts (``service``), ``status``, and request ``worker``s."""

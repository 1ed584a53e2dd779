"""Consent: the append-only ledger, grants and withdrawals, third-party bindings, and effects."""

"""Tamper-evident audit: a hash chain of audit records (``chain``), signed ``receipts``."""

"""The retention vault: rows the law says must be kept, sealed with a per-person data key.

Envelope encryption: each subject (a request or a tombstone) gets a random data key that
encrypts their rows (AES-256-GCM) and is stored only wrapped by a ``KeyProvider`` (the local
master key, or a KMS). Destroying the wrapped data key makes every copy of the rows unreadable
(crypto-shredding). See docs/vault.md.
"""

from __future__ import annotations

#: The roles that may read the vault; every other caller is denied (and the denial audited).
ROLES = ("legal", "finance")

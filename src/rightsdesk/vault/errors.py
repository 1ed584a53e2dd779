"""What can go wrong in the vault, as subclasses of the one error root."""

from __future__ import annotations

from datetime import datetime

from rightsdesk.domain.errors import ConflictError, RightsdeskError


class VaultError(RightsdeskError):
    """The vault cannot do this: a bad master key, a key from another provider, bad input."""


class TamperedError(VaultError):
    """A ciphertext or wrapped key does not authenticate: wrong key, moved or altered bytes."""


class KeyDestroyedError(VaultError, ConflictError):
    """The subject's data key was shredded; nothing sealed with it can ever be read again."""

    def __init__(self, subject: str, destroyed_at: datetime) -> None:
        self.subject = subject
        self.destroyed_at = destroyed_at
        super().__init__(
            f"the vault of {subject} was destroyed on {destroyed_at.date().isoformat()}; "
            "the data cannot be recovered"
        )

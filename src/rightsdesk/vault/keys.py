"""Who wraps the per-subject data keys: a small protocol, and the local master-key provider.

A KMS plugs in as another ``KeyProvider``: ``wrap`` calls the KMS's encrypt operation with its
key id, ``unwrap`` its decrypt, and ``name`` says which KMS key (e.g. ``kms:arn:...``), so a
stored key is only ever unwrapped by the provider that wrapped it.
"""

from __future__ import annotations

import hashlib
import os
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from rightsdesk.domain.errors import TamperedError, VaultError

NONCE = 12
TAG = 16
#: Binds a wrapped blob to its purpose, so no other AES-GCM ciphertext passes for a data key.
WRAP_CONTEXT = b"rightsdesk.vault.data-key/1"


class KeyProvider(Protocol):
    """Wraps and unwraps data keys; ``name`` identifies the wrapping key (stored with each key)."""

    name: str

    def wrap(self, data_key: bytes) -> bytes: ...

    def unwrap(self, wrapped: bytes) -> bytes: ...


class LocalKeyProvider:
    """AES-256-GCM key wrapping under a 32-byte master key; a blob is nonce + ciphertext + tag."""

    def __init__(self, master_key: bytes) -> None:
        if len(master_key) != 32:
            raise VaultError(f"the vault master key must be 32 bytes, not {len(master_key)}")
        self._aead = AESGCM(master_key)
        #: The key id is a hash of the key, so a rotated key gets a new name and old keys say so.
        self.name = f"local:{key_id(master_key)}"

    def wrap(self, data_key: bytes) -> bytes:
        nonce = os.urandom(NONCE)
        return nonce + self._aead.encrypt(nonce, data_key, WRAP_CONTEXT)

    def unwrap(self, wrapped: bytes) -> bytes:
        if len(wrapped) < NONCE + TAG:
            raise TamperedError("a wrapped data key is truncated")
        try:
            return self._aead.decrypt(wrapped[:NONCE], wrapped[NONCE:], WRAP_CONTEXT)
        except InvalidTag:
            raise TamperedError(
                f"a data key does not unwrap with the master key {self.name}"
            ) from None


def key_id(master_key: bytes) -> str:
    """A short public fingerprint of a master key (reveals nothing usable about it)."""
    return hashlib.sha256(b"rightsdesk.vault.key-id\n" + master_key).hexdigest()[:12]


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)

"""The retention vault: rows the law says must be kept, sealed with a per-person data key.

Envelope encryption: each subject (a request or a tombstone) gets a random data key that
encrypts their rows (AES-256-GCM) and is stored only wrapped by a ``KeyProvider`` (the local
master key, or a KMS). Destroying the wrapped data key makes every copy of the rows unreadable
(crypto-shredding). See docs/vault.md.

Key providers are registered in the ``rightsdesk.key_providers`` entry-point group: each entry
is a function from the settings to a ``KeyProvider``, chosen by ``RIGHTSDESK_VAULT_KEY_PROVIDER``
(``local``: the master key of ``RIGHTSDESK_VAULT_MASTER_KEY`` or of a generated key file).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rightsdesk.plugins import Registry

if TYPE_CHECKING:
    from rightsdesk.settings import Settings
    from rightsdesk.vault.keys import KeyProvider

#: Builds the provider the settings describe; VaultError when they are unusable.
ProviderFactory = Callable[["Settings"], "KeyProvider"]
KEY_PROVIDERS: Registry[ProviderFactory] = Registry(
    "rightsdesk.key_providers", "vault key provider", callable
)

#: The roles that may read the vault; every other caller is denied (and the denial audited).
ROLES = ("legal", "finance")

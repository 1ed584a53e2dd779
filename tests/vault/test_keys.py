"""The local provider wraps data keys under the master key and names the key it used."""

from __future__ import annotations

import os

import pytest

from rightsdesk.domain.errors import TamperedError, VaultError
from rightsdesk.vault.keys import KeyProvider, LocalKeyProvider, key_id, new_data_key


def test_a_wrapped_key_unwraps_to_itself_and_hides_it() -> None:
    provider: KeyProvider = LocalKeyProvider(os.urandom(32))
    data_key = new_data_key()
    wrapped = provider.wrap(data_key)
    assert data_key not in wrapped and len(wrapped) == 12 + 32 + 16
    assert provider.unwrap(wrapped) == data_key
    assert provider.wrap(data_key) != wrapped  # a fresh nonce each time


def test_another_master_key_cannot_unwrap_and_has_another_name() -> None:
    one, other = LocalKeyProvider(os.urandom(32)), LocalKeyProvider(os.urandom(32))
    assert one.name != other.name and one.name.startswith("local:")
    with pytest.raises(TamperedError, match="does not unwrap"):
        other.unwrap(one.wrap(new_data_key()))


def test_the_name_carries_a_stable_key_id() -> None:
    master = os.urandom(32)
    assert LocalKeyProvider(master).name == f"local:{key_id(master)}"
    assert master.hex()[:12] not in key_id(master)


@pytest.mark.parametrize("wrapped", [b"", b"short", bytes(40)])
def test_truncated_or_forged_blobs_are_refused(wrapped: bytes) -> None:
    with pytest.raises(TamperedError):
        LocalKeyProvider(os.urandom(32)).unwrap(wrapped)


@pytest.mark.parametrize("length", [0, 16, 31, 33, 64])
def test_the_master_key_is_32_bytes(length: int) -> None:
    with pytest.raises(VaultError, match="32 bytes"):
        LocalKeyProvider(os.urandom(length))

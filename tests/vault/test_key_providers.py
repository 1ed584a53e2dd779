"""Every registered vault key provider, rightsdesk's own and any installed plugin's, keeps the
``KeyProvider`` contract: built from the settings, a wrapped data key unwraps to itself and
hides it, the provider's name is stable for the same settings, and an altered blob is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from rightsdesk.domain.errors import TamperedError
from rightsdesk.settings import Settings
from rightsdesk.vault import KEY_PROVIDERS
from rightsdesk.vault.keys import KeyProvider, new_data_key

NAMES = KEY_PROVIDERS.names()


def _provider(name: str, state_dir: Path) -> KeyProvider:
    return KEY_PROVIDERS.get(name)(Settings(state_dir=state_dir, vault_key_provider=name))


@pytest.mark.parametrize("name", NAMES)
def test_a_wrapped_key_unwraps_to_itself_and_hides_it(name: str, tmp_path: Path) -> None:
    provider = _provider(name, tmp_path)
    data_key = new_data_key()
    wrapped = provider.wrap(data_key)
    assert data_key not in wrapped
    assert provider.unwrap(wrapped) == data_key
    assert _provider(name, tmp_path).unwrap(wrapped) == data_key  # built again: same key


@pytest.mark.parametrize("name", NAMES)
def test_the_name_is_stable_for_the_same_settings(name: str, tmp_path: Path) -> None:
    assert _provider(name, tmp_path).name
    assert _provider(name, tmp_path).name == _provider(name, tmp_path).name


@pytest.mark.parametrize("name", NAMES)
def test_an_altered_blob_is_refused(name: str, tmp_path: Path) -> None:
    provider = _provider(name, tmp_path)
    wrapped = bytearray(provider.wrap(new_data_key()))
    wrapped[-1] ^= 1
    with pytest.raises(TamperedError):
        provider.unwrap(bytes(wrapped))
    with pytest.raises(TamperedError):
        provider.unwrap(b"short")


def test_the_settings_name_a_registered_provider() -> None:
    assert Settings().vault_key_provider == "local"
    with pytest.raises(ValueError, match="no vault key provider 'hsm'; known: local"):
        Settings(vault_key_provider="hsm")

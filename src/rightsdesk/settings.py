"""The one settings object, read from RIGHTSDESK_* environment variables at the edge."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RIGHTSDESK_", extra="ignore")

    #: Where run checkpoints and the generated masking key live.
    state_dir: Path = Path(".rightsdesk")
    #: Secret for keyed hashing and pseudonyms; generated into state_dir when unset.
    masking_key: SecretStr | None = None
    #: Rows per IN-list chunk when reading and writing data stores.
    chunk_size: int = 500

"""The one settings object, read from RIGHTSDESK_* environment variables at the edge."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, IPvAnyNetwork, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from rightsdesk.jobs.base import JOB_BACKENDS
from rightsdesk.plugins import Registry
from rightsdesk.vault import KEY_PROVIDERS


def _registered(registry: Registry[Any]) -> AfterValidator:
    """Accept the name of an implementation registered in ``registry`` (ValueError otherwise)."""

    def check(name: str) -> str:
        problem = registry.unknown(name)
        if problem is not None:
            raise ValueError(problem)
        return name

    return AfterValidator(check)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RIGHTSDESK_", extra="ignore")

    #: Where run checkpoints, exports, generated keys and the default store live.
    state_dir: Path = Path(".rightsdesk")
    #: Secret for keyed hashing and pseudonyms; generated into state_dir when unset.
    masking_key: SecretStr | None = None
    #: Scan every system for residue after each erasure (`erase --verify` by default).
    verify_erasure: bool = False
    #: Rows per IN-list chunk when reading and writing data stores.
    chunk_size: int = 500

    #: rightsdesk's own store; a SQLite file in state_dir when unset.
    database_url: str | None = None
    #: The data map requests run against (needed to run access and delete requests).
    datamap: Path | None = None
    #: Policy file (regimes, fees, refusal profile); the bundled default when unset.
    policy: Path | None = None
    #: Secret for verification codes, capability tokens, download links and subject keys.
    secret_key: SecretStr | None = None
    #: Master key wrapping the retention vault's data keys (base64 of 32 bytes); generated into
    #: state_dir (vault-master.key) when unset.
    vault_master_key: SecretStr | None = None
    #: Who wraps the vault's data keys: local (the master key above), or another
    #: rightsdesk.key_providers entry, e.g. a KMS (docs/plugins.md).
    vault_key_provider: Annotated[str, _registered(KEY_PROVIDERS)] = "local"
    #: Shared secret of the host platform's signed login tokens (HS256 JWT); none disables them.
    host_token_secret: SecretStr | None = None
    #: Where mail goes: smtp://host:port, smtps://user:pass@host, or file:///folder (outbox).
    mail_url: str | None = None
    mail_from: str = "privacy@rightsdesk.invalid"
    #: Where SMS go: file:///folder (an outbox, one 0600 file per text; <state_dir>/sms-outbox
    #: when unset), file:///path.jsonl, "console" (logged without digits) or "none".
    sms_url: str | None = None
    #: Base URL of the API, for links in messages.
    public_url: str = "http://127.0.0.1:8000"
    #: Hours an export stays downloadable.
    export_ttl_hours: int = 72
    #: Minutes a verification stays fresh enough for a deletion, correction or disclosure.
    step_up_minutes: int = 15
    #: Language of messages when the requester names none (zh-CN or en).
    locale: str = "zh-CN"
    #: Threads serving API calls in each server process (more only wait for the GIL).
    api_threads: int = 2
    #: Threads running jobs in the in-process job backend.
    workers: int = 2
    #: Most deletions one job takes from the queue and erases in one set-based run (1: none).
    batch_size: int = 100
    #: Where jobs run: threads in this process (inprocess), Celery workers (celery, see
    #: `rightsdesk worker`), or another rightsdesk.job_backends entry (docs/plugins.md).
    job_backend: Annotated[str, _registered(JOB_BACKENDS)] = "inprocess"
    #: The Celery broker: redis://host:6379/0 or amqp://user:password@host:5672//.
    broker_url: str | None = None
    #: Seconds a running job's lease lasts without a heartbeat; then the sweeper runs it again.
    lease_seconds: float = 60
    #: Seconds between heartbeats extending the lease of a running job (and lease sweeps).
    heartbeat_seconds: float = 10
    #: Where identity-verification data (real-name checks) is corrected: named in the answer.
    registration_site: str = "the site where the account was registered"
    #: Its address, given with its name wherever the person is sent there.
    registration_site_url: str | None = None
    #: Addresses or networks of a signing-in proxy (OIDC) in front of the console: only requests
    #: whose peer is one of these may name the operator in the headers below (docs/web.md).
    console_proxies: list[IPvAnyNetwork] = []
    #: The header such a proxy names the signed-in person in, and the one it lists their groups
    #: in (comma-separated).
    console_user_header: str = "X-Forwarded-User"
    console_groups_header: str = "X-Forwarded-Groups"
    #: Console scopes by the proxy's group names (JSON object), e.g. {"dpo": ["decide"]}.
    console_groups: dict[str, list[str]] = {}
    #: Days a confirmed account cancellation waits (the person may revoke); 0: none.
    cooling_off_days: int = 0
    #: Days after a request closes that its case record keeps the person's identity; then the
    #: sweep minimises it (0: at the first sweep). Unset: per regime (docs/deployment.md).
    case_retention_days: Annotated[int, Field(ge=0)] | None = None
    #: Days an erasure's identities stay sealed for a restore's replay (your oldest backup's
    #: age at rotation); then the sweep shreds them and that erasure can no longer be replayed.
    replay_horizon_days: int = Field(default=90, ge=0)
    #: Days a cancellation may take from receipt to approval (verification, confirmation,
    #: review): the cooling-off must fit after them within the deadline (CAN-09).
    approval_days: int = Field(default=3, ge=0)
    #: The host platform's webhook for events (consent withdrawn, ...); none: it pulls them.
    host_hook_url: str | None = None
    #: Key signing webhooks to the host; derived from secret_key when unset.
    hook_secret: SecretStr | None = None
    #: Keys signing webhooks to recipients, by recipient name (JSON object); else derived.
    recipient_hook_secrets: dict[str, SecretStr] = {}
    #: Attempts at a webhook or recipient e-mail before it is marked failed (and alerted).
    delivery_attempts: int = 8
    #: CA bundle trusted for direct transfers to another handler (default: the system's).
    transfer_ca_file: Path | None = None
    #: Log lines as text or one JSON object each (for log shipping); never personal data.
    log_format: Literal["text", "json"] = "text"
    #: Lowest level logged by `serve` and `worker` (DEBUG, INFO, WARNING, ERROR).
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    #: Networks (CIDR, JSON list) that may scrape GET /metrics without an API key.
    metrics_anonymous: list[IPvAnyNetwork] = []

    def store_url(self) -> str:
        return self.database_url or f"sqlite:///{self.state_dir / 'rightsdesk.db'}"

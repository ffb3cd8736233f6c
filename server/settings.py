"""Server settings, read from the environment (``FOOTFALL_*``) when asked, never at import time."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from footfall.server.client_address import Network, parse_networks
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

#: Secrets that ship in examples and the demo; refused unless ``demo`` is on.
PLACEHOLDER_SECRETS = frozenset(
    {"", "changeme", "change-me", "secret", "footfall-demo-secret-not-for-production"}
)
DEMO_SECRET = "footfall-demo-secret-not-for-production"
#: The demo's published sign-in password; login refuses it unless ``demo`` is on, so demo users
#: seeded into a real database by mistake cannot be used.
DEMO_PASSWORD = "footfall-demo"


class ServerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FOOTFALL_", extra="forbid", populate_by_name=True)

    database_url: str | None = Field(
        default=None,
        description="postgresql:// DSN of PostgreSQL/TimescaleDB; unset = start an embedded PostgreSQL.",
        validation_alias="DATABASE_URL",
    )
    data_dir: Path = Field(
        default=Path(".footfall"), description="Where the embedded PostgreSQL keeps its files."
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    secret_key: SecretStr = Field(
        default=SecretStr(""), description="Signs session tokens; required outside the demo."
    )
    demo: bool = Field(default=False, description="Accept the demo's placeholder secret.")
    pool_min_size: int = Field(default=2, ge=1)
    pool_max_size: int = Field(default=10, ge=1)
    pool_timeout_s: float = Field(default=10.0, gt=0)
    max_request_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
    session_ttl_s: int = Field(default=12 * 3600, ge=60)
    login_attempts_per_minute: float = Field(
        default=10, gt=0, description="Per e-mail; stops password guessing against one account."
    )
    login_attempts_per_address_per_minute: float = Field(
        default=300,
        gt=0,
        description=(
            "Per client address (sign-ins and enrolments). Higher than per e-mail because every "
            "dashboard user signs in from the dashboard's own address."
        ),
    )
    ingest_batches_per_second: float = Field(
        default=50, gt=0, description="Per device; a burst of 5 s worth is allowed (an agent catching up)."
    )
    device_health_history_days: int = Field(
        default=30, ge=1, le=366, description="How long device heartbeats are kept for installers."
    )
    trusted_proxies: Annotated[tuple[Network, ...], NoDecode] = Field(
        default=(),
        description=(
            "Reverse proxies (addresses or CIDR networks, comma-separated) whose X-Forwarded-For "
            "names the real client for rate limits and the audit log; empty = trust nobody."
        ),
    )

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _networks(cls, value: Any) -> tuple[Network, ...]:
        if isinstance(value, str):
            value = value.split(",")
        if not isinstance(value, list | tuple):
            raise ValueError("FOOTFALL_TRUSTED_PROXIES: expected comma-separated CIDR networks")
        return parse_networks(str(item) for item in value)

    @model_validator(mode="after")
    def _secret_is_real(self) -> ServerSettings:
        if self.demo and not self.secret_key.get_secret_value():
            self.secret_key = SecretStr(DEMO_SECRET)
        if not self.demo and self.secret_key.get_secret_value() in PLACEHOLDER_SECRETS:
            raise ValueError(
                "FOOTFALL_SECRET_KEY is missing or a placeholder; set it to a long random value "
                "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        if self.pool_max_size < self.pool_min_size:
            raise ValueError("FOOTFALL_POOL_MAX_SIZE must be >= FOOTFALL_POOL_MIN_SIZE")
        return self

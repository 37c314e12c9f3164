"""Configuration from the environment, one validated class per service.

Every service subclasses :class:`ServiceSettings` (or :class:`StreamSettings` when it runs a faust
worker) and adds its own prefixed fields (``REGISTRATION_DATABASE_URL`` …). The platform-wide
variables keep their plain names because every process reads them alike. A variable belongs to the
class of the processes that use it, so the production compose file can set exactly what each reads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, Self

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET_PREFIX = "dev-only-"
MIN_INTERNAL_TOKEN_CHARS = 32


class ServiceSettings(BaseSettings):
    """Settings every process shares. Subclasses set ``env_prefix`` for their own fields."""

    # hide_input_in_errors: a settings error must not print the environment, secrets included.
    model_config = SettingsConfigDict(extra="ignore", frozen=True, hide_input_in_errors=True)

    environment: Literal["development", "test", "production"] = Field(
        "development", validation_alias=AliasChoices("LEYE_ENV")
    )
    kafka_bootstrap: str = Field(
        "127.0.0.1:9092",
        validation_alias=AliasChoices("KAFKA_BOOTSTRAP"),
        description="Kafka bootstrap servers; `leye up` points this at its embedded Tansu broker.",
    )
    var_dir: Path = Field(Path("var"), validation_alias=AliasChoices("LEYE_VAR_DIR"))
    log_level: str = Field("INFO", validation_alias=AliasChoices("LEYE_LOG_LEVEL"))
    host: str = Field("127.0.0.1", validation_alias=AliasChoices("LEYE_HOST"))
    port: int = Field(8000, description="HTTP port of the service (each service sets its own default).")
    internal_token: SecretStr = Field(
        SecretStr(DEV_SECRET_PREFIX + "internal-token-change-me"),
        validation_alias=AliasChoices("LEYE_INTERNAL_TOKEN"),
        description="Shared secret the gateway sends on every backend call (X-Leye-Internal-Token); with "
        "LEYE_ENV=production every backend refuses requests without it (runtime.http).",
    )

    @model_validator(mode="after")
    def _no_placeholder_secrets_in_production(self) -> Self:
        if self.environment == "production":
            # All of them at once, so an operator fixes the environment in one go.
            placeholders = self.placeholder_secrets()
            if placeholders:
                raise ValueError(f"{', '.join(placeholders)} still have their development placeholder; "
                                 "set them in the environment")
            if len(self.internal_token.get_secret_value()) < MIN_INTERNAL_TOKEN_CHARS:
                # Whoever holds it reads personal data from any backend: no short or empty value.
                raise ValueError(f"internal_token (LEYE_INTERNAL_TOKEN) must have at least "
                                 f"{MIN_INTERNAL_TOKEN_CHARS} characters")
        return self

    def placeholder_secrets(self) -> list[str]:
        """Names of the secrets still holding a ``dev-only-`` placeholder. A subclass whose secrets are
        not plain ``SecretStr`` values (a list of versioned keys) extends this."""
        return [name for name, value in self
                if isinstance(value, SecretStr) and value.get_secret_value().startswith(DEV_SECRET_PREFIX)]

    def sqlite_url(self, service: str) -> str:
        """Embedded default database for a service: a SQLite file under ``var/``."""
        self.var_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{(self.var_dir / f'{service}.sqlite3').resolve()}"


class DatabaseSettings(ServiceSettings):
    """Settings every process with a database of its own shares: how long the runtime tables keep
    rows (the outbox relay and the retention purges read them)."""

    outbox_replay_window_s: float = Field(
        86_400.0, gt=0,
        validation_alias=AliasChoices("OUTBOX_REPLAY_WINDOW_S"),
        description="Sent outbox rows younger than this are published again when the broker lost its log.",
    )
    outbox_retention_s: float = Field(
        7 * 86_400.0, gt=0,
        validation_alias=AliasChoices("OUTBOX_RETENTION_S"),
        description="Sent outbox rows (and matching's processed event ids) older than this are purged.",
    )
    idempotency_key_ttl_s: float = Field(
        86_400.0, gt=0,
        validation_alias=AliasChoices("IDEMPOTENCY_KEY_TTL_S"),
        description="An Idempotency-Key older than this is treated as new and purged.",
    )
    retention_purge_every_s: float = Field(
        60.0, gt=0,
        validation_alias=AliasChoices("RETENTION_PURGE_EVERY_S"),
        description="How often the retention purges run (each deletes in batches of 1,000 rows).",
    )

    @model_validator(mode="after")
    def _retention_outlasts_the_replay_window(self) -> Self:
        if self.outbox_retention_s <= self.outbox_replay_window_s:
            # Otherwise a purge could delete rows a replay still needs (and consumers' dedup ids).
            raise ValueError(
                f"OUTBOX_RETENTION_S（{self.outbox_retention_s:g} 秒）必须大于 OUTBOX_REPLAY_WINDOW_S"
                f"（{self.outbox_replay_window_s:g} 秒）：重放窗口内已发送的事件必须保留"
            )
        return self


class StreamSettings(ServiceSettings):
    """Settings of a process that runs a faust worker (matching, monitoring)."""

    stream_rebalance_timeout_s: float = Field(
        1.0,
        validation_alias=AliasChoices("STREAM_REBALANCE_TIMEOUT_S"),
        description="Consumer-group rebalance timeout. Tansu waits all of it on every join, so the "
        "embedded default is short; use 60 on Apache Kafka.",
    )
    stream_fetch_max_wait_ms: int = Field(
        500,
        validation_alias=AliasChoices("STREAM_FETCH_MAX_WAIT_MS"),
        description="Longest time the broker may hold a fetch that found no new messages. Tansu holds "
        "it for most of that time even when messages arrive, so this bounds the embedded broker's "
        "delivery delay (faust's fixed 1,500 ms made it 0.4 s typical, 0.7 s at p95). 100 ms cut "
        "the monitoring worker's throughput by a sixth; 500 ms (aiokafka's default) did not.",
    )


class CommunityListSettings(BaseSettings):
    """The setting of a service that checks community codes (persons, households, stations, employers)."""

    communities: Path | None = Field(
        None,
        description="The 社区/行政村 reference list community codes are checked against (JSON written by "
        "`leye reference load communities`); unset means the list shipped in schemas/reference/.",
    )

    @field_validator("communities", mode="before")
    @classmethod
    def _empty_list_is_unset(cls, value: Any) -> Any:
        # Compose passes an unset optional variable as an empty string.
        return None if value in ("", None) else value

"""Configuration of the monitoring service (environment variables)."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from services.runtime.settings import DatabaseSettings, StreamSettings

DEFAULT_THRESHOLDS = Path(__file__).with_name("thresholds.yaml")
DEFAULT_TARGETS = Path(__file__).with_name("targets.yaml")


class Settings(StreamSettings, DatabaseSettings):
    """``MONITORING_*`` plus ``CLICKHOUSE_URL``."""

    model_config = SettingsConfigDict(env_prefix="MONITORING_", extra="ignore", frozen=True)

    port: int = 8004
    consumer_group: str = Field("monitoring", description="Names the faust app and its Kafka consumer group.")
    thresholds: Path = Field(DEFAULT_THRESHOLDS, description="Early-warning thresholds (YAML).")
    targets: Path = Field(DEFAULT_TARGETS, description="The indicators' targets per plan period (YAML).")
    clickhouse_url: str | None = Field(
        None, validation_alias=AliasChoices("CLICKHOUSE_URL"),
        description="A ClickHouse server (e.g. http://user:pass@host:8123/leye); unset: embedded chDB under "
        "LEYE_VAR_DIR/monitoring-ch.",
    )
    database_url: str | None = Field(
        None, description="SQLAlchemy URL of the warning state and the outbox; default: var/monitoring.sqlite3.")
    batch_size: int = Field(10000, description="Largest batch of events written to ClickHouse at once.")
    batch_within_s: float = Field(0.5, description="Longest wait for a batch to fill before writing it.")
    evaluate_every_s: float = Field(1.0, description="How often touched warning scopes are re-evaluated.")
    evaluation_share: float = Field(
        0.2, description="Largest share of ClickHouse time warning evaluation may take under heavy ingest.")
    full_evaluation_every_s: float = Field(60.0, description="How often every warning scope is re-evaluated.")
    wall_public: bool = Field(
        False, description="Production: answer the browser wall (/wall) without the internal credential, for "
        "the screens of the command centre (the operator publishes the port: deploy/compose.wall.yml).")

    def db_url(self) -> str:
        return self.database_url or self.sqlite_url("monitoring")

    def clickhouse_dsn(self) -> str:
        if self.clickhouse_url:
            return self.clickhouse_url
        self.var_dir.mkdir(parents=True, exist_ok=True)
        return f"chdb:///{(self.var_dir / 'monitoring-ch').resolve()}"

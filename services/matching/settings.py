"""Configuration of the matching service (``MATCHING_*`` variables plus the platform-wide ones)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.runtime.settings import CommunityListSettings, DatabaseSettings, StreamSettings


class Settings(StreamSettings, DatabaseSettings, CommunityListSettings):
    model_config = SettingsConfigDict(env_prefix="MATCHING_", extra="ignore", frozen=True)

    port: int = Field(8003, description="HTTP port of the API (served in the worker's event loop).")
    database_url: str | None = Field(None, description="SQLAlchemy URL; default: var/matching.sqlite3.")
    referrals_per_trigger: int = Field(
        5, ge=1, le=50, description="Referrals made automatically on a registration or a posting."
    )
    sla_scan_interval_s: float = Field(30.0, gt=0, description="How often the SLA timer scans due times.")

    def db_url(self) -> str:
        return self.database_url or self.sqlite_url("matching")

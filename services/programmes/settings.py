"""Configuration of the programmes service, from the environment (prefix ``PROGRAMMES_``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.runtime.settings import DatabaseSettings, StreamSettings

from .catalogue import DEFAULT_PATH


class Settings(StreamSettings, DatabaseSettings):
    """``PROGRAMMES_PORT``, ``PROGRAMMES_DATABASE_URL`` and ``PROGRAMMES_CATALOGUE`` (plus the
    platform-wide stream and retention settings: the service consumes the person and employer topics)."""

    model_config = SettingsConfigDict(env_prefix="PROGRAMMES_", extra="ignore", frozen=True)

    port: int = 8005
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; unset means the embedded SQLite file under LEYE_VAR_DIR."
    )
    catalogue: Path = Field(DEFAULT_PATH, description="The programme catalogue (YAML, versioned).")

    def database(self) -> str:
        return self.database_url or self.sqlite_url("programmes")

"""Configuration of the vacancies service, from the environment (prefix ``VACANCIES_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.runtime.settings import DatabaseSettings


class Settings(DatabaseSettings):
    """``VACANCIES_PORT``, ``VACANCIES_DATABASE_URL`` and ``VACANCIES_EXPIRY_INTERVAL_S``."""

    model_config = SettingsConfigDict(env_prefix="VACANCIES_", extra="ignore", frozen=True)

    port: int = 8002
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; unset means the embedded SQLite file under LEYE_VAR_DIR."
    )
    expiry_interval_s: float = Field(
        60.0, gt=0, description="How often the expiry task closes postings whose validity has ended."
    )

    def database(self) -> str:
        return self.database_url or self.sqlite_url("vacancies")

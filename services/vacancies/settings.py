"""Configuration of the vacancies service, from the environment (prefix ``VACANCIES_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.runtime.settings import CommunityListSettings, DatabaseSettings


class Settings(DatabaseSettings, CommunityListSettings):
    """``VACANCIES_PORT``, ``VACANCIES_DATABASE_URL``, ``VACANCIES_EXPIRY_INTERVAL_S``,
    ``VACANCIES_REPORT_DUE_DAY``, ``VACANCIES_OVERDUE_INTERVAL_S`` and ``VACANCIES_COMMUNITIES``."""

    model_config = SettingsConfigDict(env_prefix="VACANCIES_", extra="ignore", frozen=True)

    port: int = 8002
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; unset means the embedded SQLite file under LEYE_VAR_DIR."
    )
    expiry_interval_s: float = Field(
        60.0, gt=0, description="How often the expiry task closes postings whose validity has ended."
    )
    report_due_day: int = Field(
        10, ge=1, le=28,
        description="失业动态监测: a month's headcount report is due by this day of the next month "
        "(overdue from the day after).",
    )
    overdue_interval_s: float = Field(
        3600.0, gt=0, description="How often the overdue check of monitored enterprises' monthly reports runs.",
    )

    def database(self) -> str:
        return self.database_url or self.sqlite_url("vacancies")

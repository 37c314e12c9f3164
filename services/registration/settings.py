"""Configuration of the registration service (environment variables prefixed ``REGISTRATION_``)."""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import SettingsConfigDict

from services.runtime.settings import DEV_SECRET_PREFIX, DatabaseSettings


class Settings(DatabaseSettings):
    """``REGISTRATION_PORT``, ``REGISTRATION_DATABASE_URL`` and ``REGISTRATION_PII_KEY``, plus the
    platform-wide variables of :class:`ServiceSettings` (``PERSON_REF_KEY``, ``KAFKA_BOOTSTRAP`` …)."""

    model_config = SettingsConfigDict(env_prefix="REGISTRATION_", extra="ignore", frozen=True)

    port: int = 8001
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; unset means the embedded SQLite file under LEYE_VAR_DIR."
    )
    person_ref_key: SecretStr = Field(
        SecretStr(DEV_SECRET_PREFIX + "person-ref-key"),
        validation_alias=AliasChoices("PERSON_REF_KEY"),
        description="HMAC key turning ID numbers into person_ref (the only person id outside this service). "
        "Changing it re-keys every person: plan it as a migration.",
    )
    pii_key: SecretStr = Field(
        SecretStr(DEV_SECRET_PREFIX + "registration-pii-key"),
        description="Secret for encrypting names, ID numbers and phone numbers at rest. Any string: the "
        "Fernet key is SHA-256 of it. Changing it makes stored personal data unreadable.",
    )

    def database(self) -> str:
        return self.database_url or self.sqlite_url("registration")

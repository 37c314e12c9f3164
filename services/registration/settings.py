"""Configuration of the registration service (environment variables prefixed ``REGISTRATION_``)."""

from __future__ import annotations

from typing import Any, Self

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from services.runtime.settings import DEV_SECRET_PREFIX, CommunityListSettings, DatabaseSettings

from .crypto import KEYS_VARIABLE, PiiCipher, parse_versioned_keys

# The former default of REGISTRATION_PII_KEY: outside production it stays the legacy key (version 0),
# so development databases written before key versioning remain readable.
DEV_LEGACY_PII_KEY = DEV_SECRET_PREFIX + "registration-pii-key"
MIN_SECRET_CHARS = 32


class Settings(DatabaseSettings, CommunityListSettings):
    """``REGISTRATION_PORT``, ``REGISTRATION_DATABASE_URL``, ``REGISTRATION_PII_KEYS``, the legacy
    ``REGISTRATION_PII_KEY`` and ``REGISTRATION_COMMUNITIES``, plus the platform-wide variables of
    :class:`ServiceSettings` (``PERSON_REF_KEY``, ``KAFKA_BOOTSTRAP`` …)."""

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
    pii_keys: SecretStr = Field(
        SecretStr("1:" + DEV_SECRET_PREFIX + "registration-pii-key-v1"),
        description="Versioned secrets encrypting names, ID numbers and phone numbers at rest: "
        "'<version>:<secret>,…', versions ≥ 1; the highest encrypts, all decrypt (crypto.py).",
    )
    pii_key: SecretStr | None = Field(
        None,
        description="Legacy secret (before versioning; Fernet key = SHA-256 of it): decrypts rows of "
        "version 0 until `leye registration pii rotate` has moved them to the newest key.",
    )

    @field_validator("pii_keys")
    @classmethod
    def _versioned(cls, value: SecretStr) -> SecretStr:
        parse_versioned_keys(value.get_secret_value())
        return value

    @field_validator("pii_key", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        # Compose passes an unset optional variable as an empty string.
        return None if value in ("", None) else value

    @model_validator(mode="after")
    def _long_secrets_in_production(self) -> Self:
        if self.environment == "production":
            versioned = parse_versioned_keys(self.pii_keys.get_secret_value())
            short = sorted(v for v, secret in versioned.items() if len(secret) < MIN_SECRET_CHARS)
            if short:
                raise ValueError(f"{KEYS_VARIABLE} 中版本 {short} 的密钥短于 {MIN_SECRET_CHARS} 个字符；"
                                 "HKDF 不增加破解成本，请使用随机生成的长密钥")
        return self

    def placeholder_secrets(self) -> list[str]:
        names = super().placeholder_secrets()
        versioned = parse_versioned_keys(self.pii_keys.get_secret_value())
        if any(secret.startswith(DEV_SECRET_PREFIX) for secret in versioned.values()):
            names.append("pii_keys")
        return names

    def legacy_pii_secret(self) -> str | None:
        if self.pii_key is not None:
            return self.pii_key.get_secret_value()
        return None if self.environment == "production" else DEV_LEGACY_PII_KEY

    def cipher(self) -> PiiCipher:
        return PiiCipher(parse_versioned_keys(self.pii_keys.get_secret_value()), legacy=self.legacy_pii_secret())

    def database(self) -> str:
        return self.database_url or self.sqlite_url("registration")

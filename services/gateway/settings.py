"""Gateway configuration, from the environment only (``GATEWAY_*`` plus the backends' ``*_URL``).

Secrets (``GATEWAY_JWT_SECRET``, ``GATEWAY_GRAFANA_WEBHOOK_TOKEN``) default to ``dev-only-``
placeholders, which the runtime refuses when ``LEYE_ENV=production``.
"""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import SettingsConfigDict

from services.runtime.settings import DEV_SECRET_PREFIX, DatabaseSettings


def _backend(name: str, port: int) -> str:
    return Field(f"http://127.0.0.1:{port}", validation_alias=AliasChoices(f"{name.upper()}_URL"),
                 description=f"Base URL of the {name} service (set by `leye up`).")


class Settings(DatabaseSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore", frozen=True)

    port: int = 8000
    database_url: str | None = Field(None, description="SQLAlchemy URL; default: var/gateway.sqlite3")
    jwt_secret: SecretStr = SecretStr(DEV_SECRET_PREFIX + "gateway-jwt-secret-change-me-in-production")
    jwt_issuer: str = "leye-gateway"
    jwt_audience: str = "leye-api"
    token_ttl_s: int = Field(900, ge=60, le=900, description="Access-token lifetime; at most 15 minutes.")
    grafana_webhook_token: SecretStr = SecretStr(DEV_SECRET_PREFIX + "grafana-webhook-token-change-me")
    cors_origins: list[str] = Field(default_factory=list, description="CORS allow-list; empty = closed.")
    rate_per_s: float = Field(50.0, gt=0, description="Average requests/s allowed per client.")
    rate_burst: int = Field(100, ge=1, description="Requests a client may send at once.")
    client_cache_s: float = Field(2.0, ge=0, description="How long a client's active flag is cached.")
    backend_timeout_s: float = Field(5.0, gt=0, description="Timeout for one call to a backend.")
    backend_concurrency: int = Field(32, ge=1, le=1000, description="Backend calls in flight at once.")
    retry_after_s: int = Field(5, ge=1, description="Retry-After sent with 503 when a backend is down.")

    registration_url: str = _backend("registration", 8001)
    vacancies_url: str = _backend("vacancies", 8002)
    matching_url: str = _backend("matching", 8003)
    monitoring_url: str = _backend("monitoring", 8004)
    programmes_url: str = _backend("programmes", 8005)

    def resolved_database_url(self) -> str:
        return self.database_url or self.sqlite_url("gateway")

    def backend_url(self, backend: str) -> str:
        return str(getattr(self, f"{backend}_url")).rstrip("/")

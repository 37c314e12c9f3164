"""Gateway fixtures: a stand-in backend served over real HTTP, the gateway on a live server pointing
every backend URL at it, and helpers to register clients and get tokens through ``/oauth/token``."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.gateway.app import create_app
from services.gateway.auth import hash_secret
from services.gateway.settings import Settings
from services.gateway.store import Client
from tests.conftest import LiveServer

PERSON = "a" * 64
JWT_SECRET = "test-jwt-secret-0123456789abcdef0123456789"
WEBHOOK_TOKEN = "test-grafana-webhook-token-42"
STATS_ROWS = {
    "indicator": "registered_unemployed",
    "rows": [
        {"street_code": "120111001", "count": 37, "rate": 0.41, "small_cell": False},
        {"street_code": "120111002", "count": 3, "rate": 0.02, "small_cell": True},
    ],
}


@dataclass
class Backend:
    """What the stand-in backend received, newest last."""

    url: str
    requests: list[dict] = field(default_factory=list)


def stand_in_backend(received: list[dict]) -> FastAPI:
    """Answers like the real backends would for the paths the tests use; records every request."""
    app = FastAPI()

    @app.api_route("/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    async def anything(path: str, request: Request) -> JSONResponse:
        received.append({"method": request.method, "path": request.url.path, "query": request.url.query,
                         "headers": dict(request.headers), "body": await request.body()})
        if path == "stats/indicators/boom":
            return JSONResponse({"detail": "internal"}, status_code=500)
        if path == "stats/indicators/slow":
            await asyncio.sleep(3)
        if path.startswith("stats"):
            return JSONResponse(STATS_ROWS)
        if path == "persons/lookup":
            return JSONResponse({"person_ref": PERSON})
        if path.startswith("persons/"):
            return JSONResponse({"person_ref": path.split("/")[1], "street_code": "120111001"})
        if path == "warnings":  # the monitoring service's shape
            return JSONResponse({"warnings": [{
                "alert_id": "mon-1", "status": "open", "level": "red", "scope_kind": "district",
                "scope_code": "120111", "signal": "mass_layoff", "value": 120.0, "threshold": 20.0, "window": "30d",
                "source": "monitor", "updated_at": "2026-11-20T01:00:00Z"}]})
        return JSONResponse({"method": request.method, "path": request.url.path}, status_code=200)

    return app


@pytest.fixture(scope="module")
def backend() -> Iterator[Backend]:
    received: list[dict] = []
    with LiveServer(stand_in_backend(received)) as live:
        yield Backend(url=live.url, requests=received)


def gateway_settings(tmp_path: Path, backend_url: str, bootstrap: str = "127.0.0.1:1", **overrides) -> Settings:
    values = dict(
        LEYE_VAR_DIR=str(tmp_path), KAFKA_BOOTSTRAP=bootstrap, jwt_secret=JWT_SECRET,
        grafana_webhook_token=WEBHOOK_TOKEN, backend_timeout_s=1.0, client_cache_s=0,
        REGISTRATION_URL=backend_url, VACANCIES_URL=backend_url, MATCHING_URL=backend_url,
        MONITORING_URL=backend_url, PROGRAMMES_URL=backend_url,
    )
    return Settings(**(values | overrides))


class Gateway:
    """A live gateway plus helpers that act like a department's system."""

    def __init__(self, live: LiveServer, app: FastAPI) -> None:
        self.live, self.app, self.url = live, app, live.url

    def add_client(self, client_id: str, scopes: str, *, bureau: bool = False, secret: str | None = None) -> str:
        secret = secret or f"secret-of-{client_id}-0123456789"
        with self.app.state.sessions.begin() as session:
            session.add(Client(client_id=client_id, department="测试部门", secret_hash=hash_secret(secret),
                               scopes=scopes, active=True, bureau=bureau))
        return secret

    def set_active(self, client_id: str, active: bool) -> None:
        with self.app.state.sessions.begin() as session:
            session.get(Client, client_id).active = active

    def token(self, client_id: str, secret: str, scope: str | None = None) -> str:
        form = {"grant_type": "client_credentials"} | ({"scope": scope} if scope else {})
        response = httpx.post(f"{self.url}/oauth/token", data=form, auth=(client_id, secret))
        assert response.status_code == 200, response.text
        return response.json()["access_token"]

    def client_with(self, client_id: str, scopes: str, *, bureau: bool = False) -> dict[str, str]:
        """Register a client and return the Authorization header of a fresh token."""
        secret = self.add_client(client_id, scopes, bureau=bureau)
        return {"Authorization": f"Bearer {self.token(client_id, secret)}"}

    def audit(self, headers: dict[str, str], **params) -> list[dict]:
        response = httpx.get(f"{self.url}/v1/audit", headers=headers, params=params)
        assert response.status_code == 200, response.text
        return response.json()["items"]


def start_gateway(settings: Settings):
    app = create_app(settings)
    return LiveServer(app), app


@pytest.fixture
def gateway(tmp_path: Path, backend: Backend) -> Iterator[Gateway]:
    live, app = start_gateway(gateway_settings(tmp_path, backend.url))
    with live:
        yield Gateway(live, app)

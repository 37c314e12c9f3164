"""``leye grafana sync`` against a stand-in for Grafana's HTTP API (Grafana cannot run here).

The stand-in is a small FastAPI app on a real HTTP server that keeps objects by uid and records
every request; the CLI runs as a subprocess, exactly as an operator runs it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.monitoring.wall import export
from services.monitoring.wall.alert_rules import CONTACT_POINT_UID, WEBHOOK_PATH
from services.monitoring.wall.clickhouse import DATASOURCE_UID
from services.monitoring.wall.provisioning import FOLDER_UID
from tests.conftest import LiveServer

ROOT = Path(__file__).resolve().parents[3]
TOKEN = "glsa_test_token"
WEBHOOK_TOKEN = "webhook-secret-for-tests"


class FakeGrafana:
    """Grafana's provisioning endpoints over in-memory state, recording (method, path, headers, body)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.folders: dict[str, dict] = {}
        self.datasources: dict[str, dict] = {}
        self.dashboards: dict[str, dict] = {}
        self.contact_points: dict[str, dict] = {}
        self.rules: dict[str, dict] = {}
        self.policy: dict[str, Any] = {"receiver": "grafana-default-email"}
        self.app = self._build()

    def calls(self, method: str, prefix: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["method"] == method and r["path"].startswith(prefix)]

    def _build(self) -> FastAPI:
        app = FastAPI()
        missing = JSONResponse({"message": "not found"}, status_code=404)

        @app.middleware("http")
        async def record(request: Request, call_next):
            body = await request.body()
            self.requests.append({
                "method": request.method, "path": request.url.path, "query": dict(request.query_params),
                "authorization": request.headers.get("authorization"),
                "provenance": request.headers.get("x-disable-provenance"),
                "body": json.loads(body) if body else None,
            })
            return await call_next(request)

        @app.get("/api/folders/{uid}")
        async def get_folder(uid: str):
            return self.folders.get(uid) or missing

        @app.post("/api/folders")
        async def create_folder(request: Request):
            body = await request.json()
            self.folders[body["uid"]] = body
            return body

        @app.get("/api/datasources/uid/{uid}")
        async def get_datasource(uid: str):
            return self.datasources.get(uid) or missing

        @app.post("/api/datasources")
        async def create_datasource(request: Request):
            body = await request.json()
            self.datasources[body["uid"]] = body
            return {"datasource": body}

        @app.put("/api/datasources/uid/{uid}")
        async def update_datasource(uid: str, request: Request):
            self.datasources[uid] = await request.json()
            return {"datasource": self.datasources[uid]}

        @app.get("/api/dashboards/uid/{uid}")
        async def get_dashboard(uid: str):
            return self.dashboards.get(uid) or missing

        @app.post("/api/dashboards/db")
        async def save_dashboard(request: Request):
            body = await request.json()
            self.dashboards[body["dashboard"]["uid"]] = body
            return {"status": "success", "uid": body["dashboard"]["uid"]}

        @app.get("/api/v1/provisioning/contact-points")
        async def list_contact_points(name: str | None = None):
            return [p for p in self.contact_points.values() if name is None or p["name"] == name]

        @app.post("/api/v1/provisioning/contact-points")
        async def create_contact_point(request: Request):
            body = await request.json()
            self.contact_points[body["uid"]] = body
            return body

        @app.put("/api/v1/provisioning/contact-points/{uid}")
        async def update_contact_point(uid: str, request: Request):
            self.contact_points[uid] = await request.json()
            return {}

        @app.get("/api/v1/provisioning/alert-rules/{uid}")
        async def get_rule(uid: str):
            return self.rules.get(uid) or missing

        @app.post("/api/v1/provisioning/alert-rules")
        async def create_rule(request: Request):
            body = await request.json()
            self.rules[body["uid"]] = body
            return body

        @app.put("/api/v1/provisioning/alert-rules/{uid}")
        async def update_rule(uid: str, request: Request):
            self.rules[uid] = await request.json()
            return self.rules[uid]

        @app.get("/api/v1/provisioning/policies")
        async def get_policy():
            return self.policy

        @app.put("/api/v1/provisioning/policies")
        async def set_policy(request: Request):
            self.policy = await request.json()
            return {}

        return app


def run_sync(url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "GATEWAY_GRAFANA_WEBHOOK_TOKEN": WEBHOOK_TOKEN, "CLICKHOUSE_PASSWORD": "ch-secret"}
    return subprocess.run(
        [sys.executable, "-m", "leye.cli", "grafana", "sync", "--url", url, "--token", TOKEN,
         "--gateway-url", "https://gateway.leye.internal", "--clickhouse-host", "ch.leye.internal"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )


@pytest.fixture(scope="module")
def synced() -> tuple[FakeGrafana, list[subprocess.CompletedProcess]]:
    grafana = FakeGrafana()
    with LiveServer(grafana.app) as server:
        runs = [run_sync(server.url)]
        grafana.first_run = len(grafana.requests)  # type: ignore[attr-defined]
        runs.append(run_sync(server.url))
    return grafana, runs


def test_sync_succeeds_and_reports_in_chinese(synced) -> None:
    _grafana, runs = synced
    for done in runs:
        assert done.returncode == 0, done.stderr
        assert "已同步到" in done.stdout
    assert "已创建" in runs[0].stdout and "已更新" in runs[1].stdout


def test_every_request_carries_the_token(synced) -> None:
    grafana, _runs = synced
    assert grafana.requests and {r["authorization"] for r in grafana.requests} == {f"Bearer {TOKEN}"}


def test_first_sync_creates_everything_by_uid(synced) -> None:
    grafana, _runs = synced
    first = grafana.requests[: grafana.first_run]
    posted = [r["path"] for r in first if r["method"] == "POST"]
    rule_count = len(export.rules_json())
    assert posted == (["/api/folders", "/api/datasources", "/api/dashboards/db", "/api/dashboards/db",
                       "/api/v1/provisioning/contact-points"] + ["/api/v1/provisioning/alert-rules"] * rule_count)
    assert [r["path"] for r in first if r["method"] == "PUT"] == ["/api/v1/provisioning/policies"]


def test_second_sync_updates_in_place(synced) -> None:
    grafana, _runs = synced
    second = grafana.requests[grafana.first_run:]
    assert [r["path"] for r in second if r["method"] == "POST"] == ["/api/dashboards/db"] * 2  # overwrite by uid
    puts = [r["path"] for r in second if r["method"] == "PUT"]
    assert f"/api/datasources/uid/{DATASOURCE_UID}" in puts
    assert f"/api/v1/provisioning/contact-points/{CONTACT_POINT_UID}" in puts
    assert "/api/v1/provisioning/policies" not in puts  # already ours: left alone
    assert len(grafana.folders) == 1 and len(grafana.datasources) == 1 and len(grafana.dashboards) == 2
    assert len(grafana.contact_points) == 1 and len(grafana.rules) == len(export.rules_json())


def test_payloads(synced) -> None:
    grafana, _runs = synced
    assert set(grafana.folders) == {FOLDER_UID}
    saved = grafana.dashboards["leye-wall"]
    assert saved["overwrite"] is True and saved["folderUid"] == FOLDER_UID
    assert saved["dashboard"] == export.dashboard_json()
    assert grafana.dashboards["leye-programmes"]["dashboard"] == export.programmes_dashboard_json()
    source = grafana.datasources[DATASOURCE_UID]
    assert source["jsonData"]["host"] == "ch.leye.internal"
    assert source["secureJsonData"] == {"password": "ch-secret"}
    point = grafana.contact_points[CONTACT_POINT_UID]
    assert point["settings"]["url"] == "https://gateway.leye.internal" + WEBHOOK_PATH
    assert point["settings"]["authorization_credentials"] == WEBHOOK_TOKEN
    assert grafana.rules == {rule["uid"]: rule for rule in export.rules_json()}
    assert grafana.policy == export.policy_json()
    writes = grafana.calls("POST", "/api/v1/provisioning") + grafana.calls("PUT", "/api/v1/provisioning/alert-rules")
    assert writes and {r["provenance"] for r in writes} == {"true"}  # editable in Grafana's UI


def test_sync_refuses_without_a_webhook_token() -> None:
    env = {k: v for k, v in os.environ.items() if k != "GATEWAY_GRAFANA_WEBHOOK_TOKEN"}
    done = subprocess.run([sys.executable, "-m", "leye.cli", "grafana", "sync", "--url", "http://127.0.0.1:9",
                           "--token", TOKEN], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "GATEWAY_GRAFANA_WEBHOOK_TOKEN" in done.stderr

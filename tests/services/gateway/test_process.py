"""The gateway as operators run it: ``leye gateway clients …`` and ``python -m services.gateway`` as
real processes. Secrets never show up in responses or in the captured logs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from services.runtime.broker import free_port

from .conftest import PERSON, WEBHOOK_TOKEN

JWT_SECRET = "process-test-jwt-secret-0123456789abcdef"
ID_NUMBER = "12011119900307002X"


def leye(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "leye.cli", "gateway", "clients", *args], env=env,
                          capture_output=True, text=True, timeout=60, check=True)
    return done.stdout


@pytest.fixture
def process_env(tmp_path: Path, backend, broker) -> dict[str, str]:
    return os.environ | {
        "GATEWAY_DATABASE_URL": f"sqlite:///{tmp_path / 'gateway.sqlite3'}", "GATEWAY_PORT": str(free_port()),
        "GATEWAY_JWT_SECRET": JWT_SECRET, "GATEWAY_GRAFANA_WEBHOOK_TOKEN": WEBHOOK_TOKEN,
        "GATEWAY_CLIENT_CACHE_S": "0", "KAFKA_BOOTSTRAP": broker.bootstrap, "LEYE_VAR_DIR": str(tmp_path),
        "LEYE_LOG_LEVEL": "DEBUG", "REGISTRATION_URL": backend.url, "MONITORING_URL": backend.url,
    }


def test_cli_managed_client_through_a_gateway_process_without_leaking_secrets(process_env, tmp_path) -> None:
    added = leye(process_env, "add", "civil-affairs", "--department", "区民政局", "--scope", "stats:read",
                 "--scope", "persons:read")
    secret = re.search(r"客户端密钥：(\S+)", added).group(1)
    listed = leye(process_env, "list")
    assert "civil-affairs" in listed and "区民政局" in listed and secret not in listed

    url = f"http://127.0.0.1:{process_env['GATEWAY_PORT']}"
    log_path = tmp_path / "gateway.log"
    with log_path.open("w") as log:
        process = subprocess.Popen([sys.executable, "-m", "services.gateway"], env=process_env, stderr=log,
                                   stdout=log)
        try:
            _wait_until_up(url, process)
            responses = _exercise(url, secret)
            token = responses[0].json()["access_token"]
            leye(process_env, "disable", "civil-affairs")
            after = httpx.get(f"{url}/v1/stats/streets", headers={"Authorization": f"Bearer {token}"})
            assert after.status_code == 401 and after.json()["code"] == "client_disabled"
            refused = httpx.post(f"{url}/oauth/token", data={"grant_type": "client_credentials"},
                                 auth=("civil-affairs", secret))
            assert refused.status_code == 401
            rotated = leye(process_env, "rotate", "civil-affairs")
            assert re.search(r"客户端密钥：(\S+)", rotated).group(1) != secret
        finally:
            process.terminate()
            process.wait(20)
    logs = log_path.read_text()
    assert '"route": "/v1/persons/{person_ref}"' in logs  # the capture works: access lines are there
    for response in responses:
        for leaked in (secret, JWT_SECRET, WEBHOOK_TOKEN):
            assert leaked not in response.text
    for leaked in (secret, JWT_SECRET, WEBHOOK_TOKEN, token, ID_NUMBER, "wrong-" + secret):
        assert leaked not in logs


def _wait_until_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{url}/readyz").status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("gateway process did not start")


def _exercise(url: str, secret: str) -> list[httpx.Response]:
    """A department's ordinary calls plus a few wrong ones; every response is checked for leaks."""
    token = httpx.post(f"{url}/oauth/token", data={"grant_type": "client_credentials"},
                       auth=("civil-affairs", secret))
    assert token.status_code == 200
    auth = {"Authorization": f"Bearer {token.json()['access_token']}"}
    responses = [
        token,
        httpx.post(f"{url}/oauth/token", data={"grant_type": "client_credentials", "client_id": "civil-affairs",
                                              "client_secret": "wrong-" + secret}),
        httpx.get(f"{url}/v1/stats/indicators/registered_unemployed", headers=auth),
        httpx.get(f"{url}/v1/persons/{PERSON}", headers=auth),
        httpx.post(f"{url}/v1/persons/lookup", headers=auth, json={"id_number": ID_NUMBER}),
        httpx.get(f"{url}/v1/persons/{ID_NUMBER}", headers=auth),
        httpx.post(f"{url}/v1/hooks/grafana", headers={"Authorization": "Bearer wrong"}, json={}),
        httpx.get(f"{url}/openapi.json"),
    ]
    assert [r.status_code for r in responses] == [200, 401, 200, 200, 200, 200, 401, 200]
    return responses

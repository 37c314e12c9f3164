"""Schemathesis with every check (``--checks all``) over the gateway's published OpenAPI document,
against a live gateway in front of the four real backends, with a token holding every scope and the
gateway's default rate limit honoured (``--rate-limit`` below it): it finds nothing.

What the checks cover: no 5xx; every status code, content type and response header documented;
responses match their schemas; schema-violating requests refused; undeclared methods answer 405 with
an ``Allow`` naming exactly the documented methods; a missing ``Authorization`` is a 401.

One check is excluded, ``positive_data_acceptance`` (a schema-valid request must not get a 4xx other
than 401/403/404/409): the services enforce rules JSON Schema cannot state — a referenced employer,
station or vacancy must exist and be open, ``planned_on`` ≥ ``notified_on``, a layoff's staff
within the employer's declared staff, ``person_ref`` required for a case a person opens — and rightly
answer 422 naming the field for generated data that breaks them.

Bounded: one example per operation; the coverage phase (boundary values, undeclared methods, missing
headers: hundreds of requests per operation) runs on every operation the gateway answers itself and
on one operation of each shape it forwards (a personal read by path, a personal lookup by body, a
write with a body, a statistics query, a resource with GET/PATCH/DELETE) — the gateway's own code
path is the same for the other forwarded operations, which get the examples and fuzzing phases.

Schemathesis' CLI runs in a subprocess. Its requests transport counts pooled connections through
``pools.keys()``, which the urllib3-future installed here (beside urllib3) does not offer; the
subprocess replaces that count (it only decides whether to resend a request on a dropped keep-alive
connection) and runs the unchanged CLI.
"""

from __future__ import annotations

import base64
import re
import subprocess
import sys
from pathlib import Path

import pytest

from services.gateway.domain import SCOPES
from services.matching.app import create_app as create_matching
from services.matching.settings import Settings as MatchingSettings
from services.monitoring.app import create_app as create_monitoring
from services.monitoring.settings import Settings as MonitoringSettings
from services.programmes.app import create_app as create_programmes
from services.programmes.settings import Settings as ProgrammesSettings
from services.registration.app import create_app as create_registration
from services.registration.settings import Settings as RegistrationSettings
from services.vacancies.app import create_app as create_vacancies
from services.vacancies.settings import Settings as VacanciesSettings
from tests.conftest import LiveServer

from .conftest import WEBHOOK_TOKEN, Gateway, gateway_settings, start_gateway

NO_BROKER = "127.0.0.1:1"
RUN_CLI = (
    "import sys, schemathesis.transport.requests as transport\n"
    "transport._count_opened_connections = lambda session: 0\n"
    "from schemathesis.cli import schemathesis\n"
    "sys.exit(schemathesis())\n"
)
# The forwarded operations that also get the coverage phase (see the module docstring).
COVERED = (r"persons/lookup|persons/\{person_ref\}|layoffs|stats/indicators|stations/\{code\}"
           r"|audit|survey-rates|hooks/grafana|warnings/\{alert_id\}/ack")
CONFIG = """
headers = { Authorization = "BEARER" }

[[operations]]
include-path-regex = '^/v1/(?!(COVERED)$)'
phases.coverage.enabled = false

# The two operations that take other credentials: Grafana's webhook token, and the client's own
# id and secret for a token.
[[operations]]
include-path = "/v1/hooks/grafana"
headers = { Authorization = "Bearer WEBHOOK" }

[[operations]]
include-path = "/oauth/token"
headers = { Authorization = "BASIC" }
""".replace("COVERED", COVERED)


@pytest.fixture(scope="module")
def live_gateway(tmp_path_factory) -> Gateway:
    tmp = tmp_path_factory.mktemp("fuzz")
    backends = {
        "REGISTRATION_URL": create_registration(RegistrationSettings(
            database_url=f"sqlite:///{tmp / 'registration.sqlite3'}", KAFKA_BOOTSTRAP=NO_BROKER,
            PERSON_REF_KEY="test-person-ref-key-0123", pii_keys="1:test-pii-secret-0123456789abcdef0123"),
            start_relay=False),
        "VACANCIES_URL": create_vacancies(VacanciesSettings(
            database_url=f"sqlite:///{tmp / 'vacancies.sqlite3'}", KAFKA_BOOTSTRAP=NO_BROKER)),
        "MATCHING_URL": create_matching(MatchingSettings(
            database_url=f"sqlite:///{tmp / 'matching.sqlite3'}", KAFKA_BOOTSTRAP=NO_BROKER)),
        "MONITORING_URL": create_monitoring(MonitoringSettings(LEYE_VAR_DIR=str(tmp / "monitoring"),
                                                               KAFKA_BOOTSTRAP=NO_BROKER)),
        "PROGRAMMES_URL": create_programmes(ProgrammesSettings(
            database_url=f"sqlite:///{tmp / 'programmes.sqlite3'}", KAFKA_BOOTSTRAP=NO_BROKER)),
    }
    servers = {name: LiveServer(app) for name, app in backends.items()}
    urls = {}
    try:
        for name, server in servers.items():
            urls[name] = server.__enter__().url
            # No broker here: events stay in the outbox, and a relay waiting for one only slows the shutdown.
            if getattr(backends[name].state, "relay", None) is not None:
                backends[name].state.relay.stop()
        live, app = start_gateway(gateway_settings(tmp / "gateway", "http://127.0.0.1:9", backend_timeout_s=30,
                                                   **urls))
        with live:
            app.state.relay.stop()
            yield Gateway(live, app)
    finally:
        for name in reversed(list(urls)):
            servers[name].__exit__(None, None, None)


def test_schemathesis_with_every_check_finds_nothing(live_gateway: Gateway, tmp_path: Path) -> None:
    gateway = live_gateway
    secret = gateway.add_client("fuzzer", " ".join(SCOPES), bureau=True)
    bearer = f"Bearer {gateway.token('fuzzer', secret)}"
    basic = "Basic " + base64.b64encode(f"fuzzer:{secret}".encode()).decode()
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG.replace("BEARER", bearer).replace("WEBHOOK", WEBHOOK_TOKEN).replace("BASIC", basic),
                      encoding="utf-8")
    rate = int(gateway.app.state.settings.rate_per_s * 0.9)  # below the gateway's per-client limit
    result = subprocess.run(
        [sys.executable, "-c", RUN_CLI, "--config-file", str(config), "run", f"{gateway.url}/openapi.json",
         "--checks", "all", "--exclude-checks", "positive_data_acceptance",
         "--max-examples", "1",
         "--rate-limit", f"{rate}/s", "--generation-deterministic", "--workers", "2", "--no-color",
         "--phases", "examples,coverage,fuzzing", "--report-dir", str(tmp_path / "reports")],
        capture_output=True, text=True, cwd=tmp_path, check=False,
    )
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
    summary = result.stdout.rsplit("SUMMARY", 1)[-1]
    assert re.search(r"(\d+) generated, \1 passed", summary), summary

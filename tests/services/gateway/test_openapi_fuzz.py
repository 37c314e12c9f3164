"""Schemathesis over the gateway's own OpenAPI document, with a token holding every scope and the
stand-in backend answering: whatever it generates, the gateway never answers with a 5xx.

The document is taken from the app at collection time so each operation is its own test case (the
``schemathesis.pytest.from_fixture`` loader does not work with pytest 9); the requests go over real
HTTP to a live gateway.
"""

from __future__ import annotations

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from services.gateway.app import create_app
from services.gateway.domain import SCOPES
from services.gateway.settings import Settings

from .conftest import Gateway, gateway_settings, start_gateway

SCHEMA = schemathesis.openapi.from_dict(create_app(Settings(database_url="sqlite://")).openapi())
OPERATIONS = {result.ok().label: result.ok() for result in SCHEMA.get_all_operations()}
GATEWAY_OWNED = {"POST /oauth/token", "POST /v1/survey-rates", "POST /v1/hooks/grafana",
                 "POST /v1/warnings/{alert_id}/ack", "GET /v1/audit", "GET /healthz", "GET /readyz"}
# Forwarded PUT/PATCH/DELETE run the same code as POST; fuzzing them too only costs time.
FUZZED = sorted(label for label in OPERATIONS
                if label in GATEWAY_OWNED or label.split()[0] in ("GET", "POST"))


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory, backend):
    live, app = start_gateway(gateway_settings(tmp_path_factory.mktemp("fuzz"), backend.url, rate_per_s=10_000,
                                               rate_burst=10_000))
    with live:
        # No broker here: fuzzed events stay in the outbox, and a relay waiting for a broker would
        # only slow the shutdown down.
        app.state.relay.stop()
        gateway = Gateway(live, app)
        yield gateway, gateway.client_with("fuzzer", " ".join(SCOPES))


def send(kwargs: dict) -> httpx.Response:
    """Send schemathesis' request with httpx (its requests transport breaks on the urllib3-future
    installed here alongside urllib3)."""
    body = {}
    if "json" in kwargs:
        body["json"] = kwargs["json"]
    elif kwargs.get("data") is not None:
        body["content" if isinstance(kwargs["data"], bytes | str) else "data"] = kwargs["data"]
    return httpx.request(kwargs["method"], kwargs["url"], headers=kwargs.get("headers"), params=kwargs.get("params"),
                         cookies=kwargs.get("cookies"), timeout=10, **body)


@pytest.mark.parametrize("label", FUZZED)
def test_no_server_errors(fuzzed, label) -> None:
    gateway, headers = fuzzed

    @given(case=OPERATIONS[label].as_strategy())
    @settings(max_examples=15 if label in GATEWAY_OWNED else 2, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def call(case) -> None:
        response = send(case.as_transport_kwargs(base_url=gateway.url, headers=headers))
        case.validate_response(response, checks=[not_a_server_error])

    call()

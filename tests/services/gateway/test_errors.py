"""Every error the gateway gives, over real HTTP: an RFC 9457 problem in Chinese whose ``instance`` is
the public path the client called (never a backend's), with the headers its status promises."""

from __future__ import annotations

import re

import httpx
import pytest

from services.gateway.domain import SCOPES

from .conftest import PERSON, Backend, Gateway, gateway_settings, start_gateway

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def assert_problem(response: httpx.Response, status: int, path: str, code: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status
    assert CHINESE.search(problem["title"]), problem
    assert CHINESE.search(problem["detail"]), problem
    assert problem["instance"] == path
    if code is not None:
        assert problem["code"] == code
    return problem


@pytest.fixture
def everything(gateway: Gateway) -> dict[str, str]:
    return gateway.client_with("dept", " ".join(SCOPES))


@pytest.mark.parametrize("path", ["/v1/nothing-here", f"/v1/persons/{PERSON}/nothing", "/nothing", "/v2/persons"])
def test_unknown_paths_are_404_problems(gateway: Gateway, everything, path) -> None:
    assert_problem(httpx.get(gateway.url + path, headers=everything), 404, path, "not_found")


@pytest.mark.parametrize(("method", "path", "allow"), [
    pytest.param("DELETE", "/v1/layoffs", "GET, POST", id="forwarded"),
    pytest.param("DELETE", "/v1/vacancies/v-1", "GET, PUT", id="forwarded, two methods"),
    pytest.param("PUT", "/v1/stats/streets", "GET", id="statistics"),
    pytest.param("GET", "/v1/persons/lookup", "POST", id="a literal path a template could take"),
    pytest.param("GET", "/oauth/token", "POST", id="token endpoint"),
    pytest.param("DELETE", "/v1/audit", "GET", id="gateway's own read"),
    pytest.param("GET", "/v1/warnings/a-1/ack", "POST", id="gateway's own write"),
    pytest.param("POST", "/healthz", "GET", id="operations"),
])
def test_other_methods_are_405_problems_with_allow(gateway: Gateway, backend: Backend, everything, method, path,
                                                    allow) -> None:
    before = len(backend.requests)
    response = httpx.request(method, gateway.url + path, headers=everything)
    problem = assert_problem(response, 405, path, "method_not_allowed")
    assert response.headers["allow"] == allow
    assert allow in problem["detail"]
    assert len(backend.requests) == before


@pytest.mark.parametrize(("path", "content_type"), [
    pytest.param("/v1/persons", "text/plain", id="forwarded"),
    pytest.param("/v1/layoffs", "application/x-www-form-urlencoded", id="forwarded form"),
    pytest.param("/v1/survey-rates", "text/plain; charset=utf-8", id="gateway's own"),
])
def test_a_body_that_is_not_json_is_415(gateway: Gateway, backend: Backend, everything, path, content_type) -> None:
    before = len(backend.requests)
    response = httpx.post(gateway.url + path, headers=everything | {"content-type": content_type}, content=b"{}")
    assert_problem(response, 415, path, "unsupported_media_type")
    assert len(backend.requests) == before


def test_json_with_a_charset_or_a_suffix_is_json(gateway: Gateway, backend: Backend, everything) -> None:
    for content_type in ("application/json; charset=utf-8", "application/merge-patch+json"):
        response = httpx.post(f"{gateway.url}/v1/persons", headers=everything | {"content-type": content_type},
                              content=b"{}")
        assert response.status_code == 200, response.text
        assert backend.requests[-1]["path"] == "/persons"


def test_idempotency_keys_are_1_to_200_characters_and_each_client_has_its_own(
        gateway: Gateway, backend: Backend, everything) -> None:
    before = len(backend.requests)
    response = httpx.post(f"{gateway.url}/v1/persons", headers=everything | {"Idempotency-Key": ""}, json={})
    problem = assert_problem(response, 400, "/v1/persons", "bad_idempotency_key")
    assert [e["field"] for e in problem["errors"]] == ["header.Idempotency-Key"]
    assert len(backend.requests) == before
    for key in ("k-1", "k" * 200):
        assert httpx.post(f"{gateway.url}/v1/persons", headers=everything | {"Idempotency-Key": key},
                          json={}).status_code == 200
        sent = backend.requests[-1]["headers"]["idempotency-key"]
        assert sent.startswith("dept:") and len(sent) <= 200  # within the backends' own limit
    assert backend.requests[-1]["headers"]["idempotency-key"] != backend.requests[-2]["headers"]["idempotency-key"]


def test_the_second_request_over_the_rate_is_a_429_problem(tmp_path, backend: Backend) -> None:
    live, app = start_gateway(gateway_settings(tmp_path, backend.url, rate_per_s=0.01, rate_burst=1))
    with live:
        gateway = Gateway(live, app)
        headers = gateway.client_with("hasty", "stats:read")
        assert httpx.get(f"{gateway.url}/v1/stats/streets", headers=headers).status_code == 200
        response = httpx.get(f"{gateway.url}/v1/stats/streets", headers=headers)
        assert_problem(response, 429, "/v1/stats/streets", "rate_limited")
        assert int(response.headers["retry-after"]) >= 1


def test_a_backend_that_is_down_is_a_503_problem_with_retry_after(tmp_path, backend: Backend) -> None:
    live, app = start_gateway(gateway_settings(tmp_path, backend.url, MONITORING_URL="http://127.0.0.1:9"))
    with live:
        gateway = Gateway(live, app)
        headers = gateway.client_with("wall", "stats:read")
        response = httpx.get(f"{gateway.url}/v1/stats/streets?from=2026-01-01", headers=headers)
        assert_problem(response, 503, "/v1/stats/streets", "backend_unavailable")
        assert response.headers["retry-after"] == "5"


def test_a_slow_backend_is_a_504_problem_with_retry_after(gateway: Gateway, backend: Backend) -> None:
    """The stand-in backend takes 3 s for this path; the gateway waits 1 s (``backend_timeout_s``)."""
    headers = gateway.client_with("wall", "stats:read")
    response = httpx.get(f"{gateway.url}/v1/stats/indicators/slow", headers=headers)
    problem = assert_problem(response, 504, "/v1/stats/indicators/slow", "backend_timeout")
    assert response.headers["retry-after"] == "5"
    assert problem["title"] == "上游服务响应超时" and "1 秒" in problem["detail"]
    assert backend.requests[-1]["path"] == "/stats/indicators/slow"


def test_a_failing_backend_is_a_502_problem(gateway: Gateway) -> None:
    headers = gateway.client_with("wall", "stats:read")
    response = httpx.get(f"{gateway.url}/v1/stats/indicators/boom", headers=headers)
    assert_problem(response, 502, "/v1/stats/indicators/boom", "backend_error")
    assert "internal" not in response.text

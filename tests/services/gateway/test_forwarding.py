"""Forwarding to backends through real HTTP: what the backend receives, small-cell suppression, the
audit of personal-data access, backends that are down or failing, and hostile input."""

from __future__ import annotations

import httpx
import pytest

from .conftest import PERSON, STATS_ROWS, Backend, Gateway, gateway_settings, start_gateway


def test_backend_receives_path_query_body_request_id_client_and_prefixed_idempotency_key(
    gateway: Gateway, backend: Backend
) -> None:
    headers = gateway.client_with("vacancy-office", "vacancies:write")
    response = httpx.post(f"{gateway.url}/v1/vacancies?dry_run=1", headers=headers | {
        "Idempotency-Key": "req-7", "X-Request-ID": "rid-123"}, json={"title": "焊工"})
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "rid-123"
    seen = backend.requests[-1]
    assert (seen["method"], seen["path"], seen["query"]) == ("POST", "/vacancies", "dry_run=1")
    assert seen["headers"]["idempotency-key"] == "vacancy-office:req-7"
    assert seen["headers"]["x-request-id"] == "rid-123"
    assert seen["headers"]["x-leye-client"] == "vacancy-office"
    assert "authorization" not in seen["headers"]
    assert seen["body"] == '{"title":"焊工"}'.encode()


@pytest.mark.parametrize(
    ("bureau", "expected_rows"),
    [
        pytest.param(False, [STATS_ROWS["rows"][0], {"street_code": "120111002", "count": None, "rate": None,
                                                      "small_cell": True, "suppressed": True}],
                     id="department sees small cells suppressed"),
        pytest.param(True, STATS_ROWS["rows"], id="bureau sees every count"),
    ],
)
def test_department_reads_statistics_with_small_cells_suppressed(gateway: Gateway, bureau, expected_rows) -> None:
    secret = gateway.add_client("reader", "stats:read", bureau=bureau)
    token = gateway.token("reader", secret)
    response = httpx.get(f"{gateway.url}/v1/stats/indicators/registered_unemployed",
                         headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json() == {"indicator": "registered_unemployed", "rows": expected_rows}


def test_department_without_persons_read_cannot_read_people_and_the_attempt_is_audited(gateway: Gateway) -> None:
    department = gateway.client_with("civil-affairs", "stats:read")
    admin = gateway.client_with("bureau-admin", "admin", bureau=True)
    response = httpx.get(f"{gateway.url}/v1/persons/{PERSON}", headers=department)
    assert response.status_code == 403
    [entry] = gateway.audit(admin)
    assert (entry["client_id"], entry["route"], entry["person_ref"], entry["status"]) == (
        "civil-affairs", "/persons/{person_ref}", PERSON, 403)


def test_every_personal_data_access_is_audited_without_personal_data(gateway: Gateway) -> None:
    reader = gateway.client_with("civil-affairs", "persons:read persons:write")
    admin = gateway.client_with("bureau-admin", "admin", bureau=True)
    id_number = "12011119900307002X"
    calls = [
        ("GET", f"/v1/persons/{PERSON}", None),
        ("POST", f"/v1/persons/{PERSON}/followups", {"channel": "phone"}),
        ("POST", "/v1/persons/lookup", {"id_number": id_number}),
        ("GET", "/v1/worklists/followups-due?street_code=120111001", None),
        ("GET", f"/v1/persons/{id_number}", None),
    ]
    for method, path, body in calls:
        assert httpx.request(method, f"{gateway.url}{path}", headers=reader, json=body).status_code == 200
    assert httpx.get(f"{gateway.url}/v1/stats/streets", headers=admin).status_code == 403  # admin is not stats:read
    entries = gateway.audit(admin)
    assert [(e["method"], e["route"], e["person_ref"], e["status"], e["client_id"]) for e in reversed(entries)] == [
        ("GET", "/persons/{person_ref}", PERSON, 200, "civil-affairs"),
        ("POST", "/persons/{person_ref}/followups", PERSON, 200, "civil-affairs"),
        ("POST", "/persons/lookup", PERSON, 200, "civil-affairs"),
        ("GET", "/worklists/followups-due", None, 200, "civil-affairs"),
        ("GET", "/persons/{id}", None, 200, "civil-affairs"),
    ]
    everything = httpx.get(f"{gateway.url}/v1/audit", headers=admin).text
    assert id_number not in everything
    assert [e["id"] for e in gateway.audit(admin, person_ref=PERSON, limit=2)] == [e["id"] for e in entries[2:4]]
    assert gateway.audit(admin, client_id="nobody") == []


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        pytest.param("/v1/stats/indicators/boom", 502, "backend_error", id="backend fails"),
        pytest.param("/v1/stats/indicators/slow", 504, "backend_timeout", id="backend too slow"),
    ],
)
def test_failing_backend_is_never_a_500(gateway: Gateway, path, status, code) -> None:
    headers = gateway.client_with("wall", "stats:read")
    response = httpx.get(f"{gateway.url}{path}", headers=headers)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code
    assert "internal" not in response.text


def test_backend_that_is_down_gives_503_with_retry_after_and_is_audited(tmp_path, backend) -> None:
    live, app = start_gateway(gateway_settings(tmp_path, backend.url, REGISTRATION_URL="http://127.0.0.1:9"))
    with live:
        gateway = Gateway(live, app)
        headers = gateway.client_with("civil-affairs", "persons:read")
        admin = gateway.client_with("bureau-admin", "admin", bureau=True)
        response = httpx.get(f"{gateway.url}/v1/persons/{PERSON}", headers=headers)
        assert response.status_code == 503
        assert response.headers["retry-after"] == "5"
        assert response.json()["code"] == "backend_unavailable"
        assert [(e["status"], e["person_ref"]) for e in gateway.audit(admin)] == [(503, PERSON)]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        pytest.param("GET", "/v1/nothing-here", 404, id="unknown resource"),
        pytest.param("GET", "/v1/stats/%2e%2e/persons/x", 404, id="dot segments"),
        pytest.param("DELETE", "/v1/stats/streets", 405, id="method not routed"),
        pytest.param("GET", "/v1/stats/indicators/'%20OR%201=1;--", 200, id="sql injection in path"),
        pytest.param("GET", "/v1/stats/streets?street=%3Cscript%3Ealert(1)%3C/script%3E", 200, id="script in query"),
        pytest.param("GET", "/v1/stats/..%2f..%2fetc%2fpasswd", 404, id="encoded traversal"),
    ],
)
def test_hostile_paths_are_harmless(gateway: Gateway, backend: Backend, method, path, status) -> None:
    headers = gateway.client_with("dept", "stats:read persons:read")
    before = len(backend.requests)
    response = httpx.request(method, f"{gateway.url}{path}", headers=headers)
    assert response.status_code == status
    if status != 200:
        assert len(backend.requests) == before
    else:
        assert backend.requests[-1]["path"].startswith("/stats/")


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"x" * (1024 * 1024 + 1), id="oversized body"),
        pytest.param(b"{\"a\": \"'; DROP TABLE gateway_audit; --\"}", id="sql injection in body"),
    ],
)
def test_hostile_bodies_are_harmless(gateway: Gateway, backend: Backend, body) -> None:
    headers = gateway.client_with("writer", "persons:write")
    admin = gateway.client_with("bureau-admin", "admin", bureau=True)
    response = httpx.post(f"{gateway.url}/v1/persons", headers=headers | {"content-type": "application/json"},
                          content=body)
    assert response.status_code in (200, 413)
    if response.status_code == 413:
        assert response.json()["code"] == "payload_too_large"
    assert isinstance(gateway.audit(admin), list)


def test_personal_data_is_not_served_when_the_audit_cannot_be_written(gateway: Gateway) -> None:
    from sqlalchemy import text

    headers = gateway.client_with("civil-affairs", "persons:read")
    with gateway.app.state.engine.begin() as connection:
        connection.execute(text("ALTER TABLE gateway_audit RENAME TO gateway_audit_elsewhere"))
    response = httpx.get(f"{gateway.url}/v1/persons/{PERSON}", headers=headers)
    assert response.status_code == 503
    assert response.json()["code"] == "audit_unavailable"
    assert "street_code" not in response.text  # the backend's answer is withheld

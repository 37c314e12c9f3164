"""Gateway-owned writes through real HTTP and a real broker: Grafana's webhook becomes alert events
on ``leye.alert`` exactly once, the survey rate reaches ``leye.statistics``, warnings are acknowledged."""

from __future__ import annotations

import copy
import secrets
import time
from datetime import datetime

import httpx
import orjson
import pytest

from .conftest import WEBHOOK_TOKEN, Gateway, gateway_settings, start_gateway

HOOK = {"Authorization": f"Bearer {WEBHOOK_TOKEN}"}
JOB_LOSS_STARTS_AT = int(datetime.fromisoformat("2026-11-20T09:51:03.157076+08:00").timestamp())


def grafana_notification(status: str, fingerprints: tuple[str, str]) -> dict:
    """A notification shaped as Grafana documents its webhook payload (contact point "webhook",
    version 1): one of our provisioned rules, with the contract labels, and a rule without them."""
    ends_at = "0001-01-01T00:00:00Z" if status == "firing" else "2026-11-20T11:02:03+08:00"
    alerts = [
        {
            "status": status,
            "labels": {"alertname": "岗位流失率", "grafana_folder": "乐业西青", "signal": "job_loss_rate",
                       "level": "orange", "scope_kind": "street", "scope_code": "120111001",
                       "threshold": "0.1", "window": "30d"},
            "annotations": {"summary": "重点企业岗位流失率超过10%", "description": "最近30天岗位流失率 13.4%"},
            "startsAt": "2026-11-20T09:51:03.157076+08:00", "endsAt": ends_at,
            "generatorURL": "http://grafana.local/alerting/grafana/job-loss/view", "fingerprint": fingerprints[0],
            "silenceURL": "http://grafana.local/alerting/silence/new?alertmanager=grafana",
            "dashboardURL": "http://grafana.local/d/leye-wall", "panelURL": "http://grafana.local/d/leye-wall?viewPanel=7",
            "values": {"B": 0.134, "C": 1} if status == "firing" else {},
            "valueString": "[ var='B' labels={scope_code=120111001} value=0.134 ], [ var='C' value=1 ]",
        },
        {
            "status": status,
            "labels": {"alertname": "High memory usage", "team": "blue", "zone": "us-1"},
            "annotations": {"description": "The system has high memory usage",
                            "runbook_url": "https://myrunbook.com/runbook/1234"},
            "startsAt": "2026-11-20T09:56:03.157076+02:00", "endsAt": ends_at,
            "generatorURL": "http://grafana.local/alerting/1afz29v7z/edit", "fingerprint": fingerprints[1],
            "silenceURL": "", "dashboardURL": "", "panelURL": "",
            "values": {"B": 44.23943737541908, "C": 1} if status == "firing" else None,
        },
    ]
    return {
        "receiver": "leye-gateway", "status": status, "orgId": 1, "alerts": alerts,
        "groupLabels": {}, "commonLabels": {}, "commonAnnotations": {},
        "externalURL": "http://grafana.local/", "version": "1", "groupKey": "{}:{}", "truncatedAlerts": 0,
        "title": f"[{status.upper()}:2]  (乐业西青)", "state": "alerting" if status == "firing" else "ok",
        "message": "**Firing**\n\nValue: B=0.134",
    }


@pytest.fixture
def kafka_gateway(tmp_path, backend, broker):
    live, app = start_gateway(gateway_settings(tmp_path, backend.url, bootstrap=broker.bootstrap))
    with live:
        yield Gateway(live, app), broker


def drained(gateway: Gateway) -> None:
    """Wait until the outbox relay has published every staged event (a precondition, not an assertion)."""
    deadline = time.monotonic() + 20
    while gateway.app.state.relay.pending() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert gateway.app.state.relay.pending() == 0


def events_on(bootstrap: str, topic: str, subject_prefix: str) -> list[dict]:
    from tests.conftest import read_topic

    records = read_topic(bootstrap, topic, to_end=True)
    events = [e for e in map(_json, records) if isinstance(e.get("subject"), str) and isinstance(e.get("data"), dict)]
    return [e for e in events if e["subject"].startswith(subject_prefix) or e["data"].get("period") == subject_prefix]


def _json(record) -> dict:
    """A record's JSON object, or {}: other tests leave deliberately invalid records on the session
    broker's topics (test_streaming's poison on leye.statistics)."""
    try:
        value = orjson.loads(record.value)
    except orjson.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def test_grafana_sample_payloads_become_warnings_on_kafka_exactly_once(kafka_gateway) -> None:
    gateway, broker = kafka_gateway
    fingerprints = (secrets.token_hex(8), secrets.token_hex(8))
    firing, resolved = grafana_notification("firing", fingerprints), grafana_notification("resolved", fingerprints)
    answers = [httpx.post(f"{gateway.url}/v1/hooks/grafana", headers=HOOK, json=body).json()
               for body in (firing, firing, resolved, resolved)]
    assert [(a["published"], a["duplicates"]) for a in answers] == [(2, 0), (0, 2), (2, 0), (0, 2)]
    drained(gateway)
    events = [e for e in events_on(broker.bootstrap, "leye.alert", "grafana-")
              if e["data"]["fingerprint"] in fingerprints]
    by_type = sorted((e["type"].split(".")[-2], e["data"]["fingerprint"]) for e in events)
    assert by_type == sorted([("raised", fingerprints[0]), ("raised", fingerprints[1]),
                              ("resolved", fingerprints[0]), ("resolved", fingerprints[1])])
    job_loss = next(e for e in events if e["data"]["fingerprint"] == fingerprints[0]
                    and e["type"].endswith("raised.v1"))
    assert job_loss["source"] == "/services/gateway"
    assert job_loss["subject"] == f"grafana-{fingerprints[0]}-{JOB_LOSS_STARTS_AT}"
    assert {k: v for k, v in job_loss["data"].items() if k != "alert_id"} == {
        "level": "orange", "scope_kind": "street", "scope_code": "120111001", "signal": "job_loss_rate",
        "value": 0.134, "threshold": 0.1, "window": "30d", "source": "grafana", "fingerprint": fingerprints[0],
        "summary": None, "subject_ref": None}
    memory = next(e for e in events if e["data"]["fingerprint"] == fingerprints[1]
                  and e["type"].endswith("resolved.v1"))
    assert (memory["data"]["scope_kind"], memory["data"]["scope_code"], memory["data"]["signal"],
            memory["data"]["level"], memory["data"]["value"]) == (
        "district", "120111", "high_memory_usage", "yellow", 44.23943737541908)


def test_grafana_alert_breaking_the_contract_is_reported_not_published(kafka_gateway) -> None:
    gateway, _ = kafka_gateway
    body = grafana_notification("firing", (secrets.token_hex(8), secrets.token_hex(8)))
    body["alerts"][0]["labels"]["scope_code"] = "999999999"
    answer = httpx.post(f"{gateway.url}/v1/hooks/grafana", headers=HOOK, json=body)
    assert answer.status_code == 200
    assert answer.json()["published"] == 1
    [ignored] = answer.json()["ignored"]
    assert ignored["fingerprint"] == body["alerts"][0]["fingerprint"]
    assert "999999999" not in answer.text


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param(None, id="no token"),
        pytest.param("Bearer wrong-token", id="wrong token"),
        pytest.param(f"Basic {WEBHOOK_TOKEN}", id="wrong scheme"),
    ],
)
def test_grafana_webhook_wants_its_bearer_token(kafka_gateway, authorization) -> None:
    gateway, _ = kafka_gateway
    headers = {"Authorization": authorization} if authorization else {}
    body = grafana_notification("firing", ("abc", "def"))
    response = httpx.post(f"{gateway.url}/v1/hooks/grafana", headers=headers, json=body)
    assert response.status_code == 401
    assert gateway.app.state.relay.pending() == 0


def test_survey_rate_reaches_kafka_and_a_retry_with_the_same_key_is_replayed(kafka_gateway) -> None:
    gateway, broker = kafka_gateway
    headers = gateway.client_with("stats-bureau", "stats:write")
    period = f"20{secrets.randbelow(70) + 30}-0{secrets.randbelow(9) + 1}"
    body = {"period": period, "rate_percent": 5.1, "published_on": "2026-11-15", "source": "国家统计局天津调查总队"}
    first = httpx.post(f"{gateway.url}/v1/survey-rates", headers=headers | {"Idempotency-Key": "k1"}, json=body)
    again = httpx.post(f"{gateway.url}/v1/survey-rates", headers=headers | {"Idempotency-Key": "k1"}, json=body)
    assert first.status_code == again.status_code == 202
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    bad = httpx.post(f"{gateway.url}/v1/survey-rates", headers=headers, json=body | {"rate_percent": 120})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "body.rate_percent"
    drained(gateway)
    [event] = events_on(broker.bootstrap, "leye.statistics", period)
    assert event["id"] == first.json()["event_id"]
    assert event["type"] == "cn.xiqing.leye.survey_rate.reported.v1"
    assert event["data"] == body


@pytest.mark.parametrize(
    ("change", "field"),
    [
        pytest.param({"published_on": 0}, "body.published_on", id="date as a number"),
        pytest.param({"published_on": "0"}, "body.published_on", id="date as a string of digits (was 1970-01-01)"),
        pytest.param({"published_on": "20261115"}, "body.published_on", id="date not in ISO form"),
        pytest.param({"rate_percent": "5.1"}, "body.rate_percent", id="rate as a string"),
    ],
)
def test_survey_rate_takes_dates_and_numbers_only_in_their_json_form(gateway: Gateway, change, field) -> None:
    from sqlalchemy import text

    headers = gateway.client_with("stats-bureau", "stats:write")
    body = {"period": "2026-10", "rate_percent": 5.1, "published_on": "2026-11-15", "source": "国家统计局天津调查总队"}
    response = httpx.post(f"{gateway.url}/v1/survey-rates", headers=headers, json=body | change)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]
    with gateway.app.state.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM outbox")).scalar() == 0


def test_acknowledging_grafana_and_monitor_warnings(kafka_gateway) -> None:
    gateway, broker = kafka_gateway
    fingerprints = (secrets.token_hex(8), secrets.token_hex(8))
    httpx.post(f"{gateway.url}/v1/hooks/grafana", headers=HOOK, json=grafana_notification("firing", fingerprints))
    headers = gateway.client_with("wall-operator", "alerts:ack alerts:read")
    grafana_id = f"grafana-{fingerprints[0]}-{JOB_LOSS_STARTS_AT}"
    assert httpx.post(f"{gateway.url}/v1/warnings/{grafana_id}/ack", headers=headers).status_code == 202
    assert httpx.post(f"{gateway.url}/v1/warnings/mon-1/ack", headers=headers).status_code == 202
    missing = httpx.post(f"{gateway.url}/v1/warnings/nothing-here/ack", headers=headers)
    assert missing.status_code == 404 and missing.json()["code"] == "alert_not_found"
    drained(gateway)
    acks = [e for e in events_on(broker.bootstrap, "leye.alert", "") if e["type"].endswith("acknowledged.v1")]
    assert {grafana_id, "mon-1"} <= {e["subject"] for e in acks}
    monitor_ack = next(e for e in acks if e["subject"] == "mon-1")
    assert (monitor_ack["data"]["source"], monitor_ack["data"]["level"], monitor_ack["data"]["signal"]) == (
        "monitor", "red", "mass_layoff")


def test_the_same_notification_twice_in_one_request_is_published_once(kafka_gateway) -> None:
    gateway, _ = kafka_gateway
    body = grafana_notification("firing", (secrets.token_hex(8), secrets.token_hex(8)))
    body["alerts"].append(copy.deepcopy(body["alerts"][0]))
    answer = httpx.post(f"{gateway.url}/v1/hooks/grafana", headers=HOOK, json=body).json()
    assert (answer["published"], answer["duplicates"]) == (2, 1)

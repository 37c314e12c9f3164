"""The shared FastAPI conventions, through real HTTP: problem+json, body limit, idempotency,
health, readiness and metrics."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Literal

import httpx
import pytest
from pydantic import BaseModel, ConfigDict, Field

from schemas import new_event
from schemas.events.statistics import SurveyRateReported
from services.runtime.errors import ProblemError
from services.runtime.http import SessionDep, http_app, write_router
from services.runtime.outbox import OutboxMessage, add_event
from services.runtime.service import Database, Service
from services.runtime.settings import ServiceSettings
from tests.conftest import LiveServer

MIGRATIONS = Path(__file__).parent / "migrations"


class RateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    period: str = Field(pattern=r"^\d{4}-\d{2}$")
    rate_percent: float = Field(ge=0, le=100)
    note: str = Field("", max_length=2_000_000)


def build_app(tmp_path: Path, bootstrap: str):
    router = write_router(prefix="/rates")

    @router.post("", status_code=201)
    def report(body: RateIn, session: SessionDep) -> dict[str, str]:
        if body.period == "1999-01":
            raise ProblemError(409, "too_old", "该月份已归档")
        event = new_event(
            SurveyRateReported(period=body.period, rate_percent=body.rate_percent,
                               published_on=date(2026, 11, 1), source="测试"),
            source="/services/gateway",
        )
        add_event(session, event)
        return {"event_id": event.id}

    @router.post("/next", status_code=201)
    def next_period(session: SessionDep) -> dict[str, str]:
        """Read-then-write: the period is derived from what is already stored."""
        stored = session.query(OutboxMessage).count()
        time.sleep(0.02)  # widen the window in which a concurrent request could read the same count
        period = f"{2030 + stored // 12}-{stored % 12 + 1:02d}"
        add_event(session, new_event(SurveyRateReported(period=period, rate_percent=5.0, published_on=date(2026, 11, 1),
                                                        source="测试"), source="/services/gateway"))
        return {"period": period}

    @router.post("/claims/{stage}", status_code=201)
    def claim(stage: Literal["flush", "commit"], session: SessionDep) -> dict[str, str]:
        """Writes a row with a fixed unique key: the second call conflicts, at a flush or at commit."""
        session.add(OutboxMessage(event_id=f"claim-{stage}", event_type="t", topic="t", key="k", payload=b"{}"))
        if stage == "flush":
            session.flush()
        return {"claimed": stage}

    settings = ServiceSettings(KAFKA_BOOTSTRAP=bootstrap, LEYE_VAR_DIR=str(tmp_path))
    service = Service(
        name="test", title="测试服务", description="", settings=settings, routers=[router],
        database=Database(url=f"sqlite:///{tmp_path / 'test.sqlite3'}", migrations=MIGRATIONS),
        relay=False,
    )
    return http_app(service)


@pytest.fixture
def server(tmp_path: Path, broker):
    app = build_app(tmp_path, broker.bootstrap)
    with LiveServer(app) as live:
        live.app = app
        yield live


def outbox_count(app) -> int:
    with app.state.sessions() as session:
        return session.query(OutboxMessage).count()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"period": "2026-1", "rate_percent": 5}, "body.period", id="bad pattern"),
        pytest.param({"period": "2026-01", "rate_percent": -1}, "body.rate_percent", id="negative rate"),
        pytest.param({"period": "2026-01"}, "body.rate_percent", id="missing field"),
        pytest.param({"period": "2026-01", "rate_percent": 5, "name": "张三"}, "body.name", id="unknown field"),
    ],
)
def test_invalid_body_is_a_problem_naming_the_field_and_writes_nothing(server, body, field) -> None:
    response = httpx.post(f"{server.url}/rates", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "validation_failed"
    assert problem["title"] == "请求参数校验失败"
    assert field in [e["field"] for e in problem["errors"]]
    assert "张三" not in response.text
    assert outbox_count(server.app) == 0


def test_malformed_json_is_400(server) -> None:
    response = httpx.post(f"{server.url}/rates", content=b'{"period": ', headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"
    assert outbox_count(server.app) == 0


def test_domain_problem_keeps_its_status_and_rolls_back(server) -> None:
    response = httpx.post(f"{server.url}/rates", json={"period": "1999-01", "rate_percent": 5})
    assert response.status_code == 409
    assert response.json() | {} == response.json() and response.json()["code"] == "too_old"
    assert outbox_count(server.app) == 0


@pytest.mark.parametrize("stage", ["flush", "commit"])
def test_storage_conflict_is_one_409_whether_at_a_flush_or_at_commit(server, stage) -> None:
    first = httpx.post(f"{server.url}/rates/claims/{stage}")
    second = httpx.post(f"{server.url}/rates/claims/{stage}")
    assert (first.status_code, first.json()) == (201, {"claimed": stage})
    assert second.status_code == 409
    assert second.headers["content-type"] == "application/problem+json"
    assert second.json()["code"] == "concurrent_change"
    assert outbox_count(server.app) == 1


def test_body_over_one_mebibyte_is_413_by_length_and_by_stream(server) -> None:
    big = {"period": "2026-01", "rate_percent": 5, "note": "x" * (1024 * 1024)}
    response = httpx.post(f"{server.url}/rates", json=big)
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"

    def chunks():
        for _ in range(20):
            yield b"x" * (64 * 1024)

    streamed = httpx.post(f"{server.url}/rates", content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413
    assert outbox_count(server.app) == 0


def test_idempotency_key_replays_same_body_and_refuses_another(server) -> None:
    body = {"period": "2026-02", "rate_percent": 5.2}
    headers = {"Idempotency-Key": "dept-42-req-1"}
    first = httpx.post(f"{server.url}/rates", json=body, headers=headers)
    again = httpx.post(f"{server.url}/rates", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert outbox_count(server.app) == 1

    other = httpx.post(f"{server.url}/rates", json={**body, "rate_percent": 5.3}, headers=headers)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert outbox_count(server.app) == 1


def test_health_readiness_metrics_and_request_id(server) -> None:
    assert httpx.get(f"{server.url}/healthz").json() == {"status": "ok", "service": "test"}
    ready = httpx.get(f"{server.url}/readyz", headers={"x-request-id": "abc123"})
    assert ready.status_code == 200
    assert ready.headers["x-request-id"] == "abc123"
    httpx.post(f"{server.url}/rates", json={"period": "2026-03", "rate_percent": 5})
    metrics = httpx.get(f"{server.url}/metrics").text
    assert 'leye_http_requests_total{method="POST",route="/rates",status="201"}' in metrics
    unknown = httpx.get(f"{server.url}/nope")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    assert unknown.json()["title"] == "资源不存在"


def test_concurrent_read_then_write_requests_are_serialised(server) -> None:
    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(lambda _: httpx.post(f"{server.url}/rates/next", timeout=30), range(16)))
    assert [r.status_code for r in responses] == [201] * 16
    periods = [r.json()["period"] for r in responses]
    assert len(set(periods)) == 16, "two requests read the same state: a lost update"

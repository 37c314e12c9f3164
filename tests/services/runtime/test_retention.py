"""Bounded storage: periodic jobs that survive their errors, retention purges in small batches,
expired Idempotency-Keys treated as new, and the settings that refuse a retention shorter than the
replay window. Real SQLite, real HTTP, the real broker."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from prometheus_client import REGISTRY
from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy import func, select, update

from schemas import new_event
from schemas.events.statistics import SurveyRateReported
from services.runtime.db import make_engine, make_session_factory, utcnow
from services.runtime.http import IdempotencyRecord, SessionDep, http_app, write_router
from services.runtime.outbox import OutboxMessage, add_event
from services.runtime.periodic import Job, Periodic
from services.runtime.retention import purge_older_than
from services.runtime.service import Database, Service
from services.runtime.settings import DatabaseSettings
from services.runtime.tables import create_runtime_tables
from tests.conftest import LiveServer

MIGRATIONS = Path(__file__).parent / "migrations"


class RateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    period: str
    rate_percent: float


def build_app(tmp_path: Path, bootstrap: str, *, purge_every_s: float | None, **retention: float):
    router = write_router(prefix="/rates")

    @router.post("", status_code=201)
    def report(body: RateIn, session: SessionDep) -> dict[str, str]:
        event = new_event(SurveyRateReported(period=body.period, rate_percent=body.rate_percent,
                                             published_on=date(2026, 11, 1), source="测试"),
                          source="/services/gateway")
        add_event(session, event)
        return {"event_id": event.id}

    every = {} if purge_every_s is None else {"RETENTION_PURGE_EVERY_S": purge_every_s}
    settings = DatabaseSettings(KAFKA_BOOTSTRAP=bootstrap, LEYE_VAR_DIR=str(tmp_path), **every,
                                **{name.upper(): value for name, value in retention.items()})
    return http_app(Service(
        name="test", title="测试服务", description="", settings=settings, routers=[router],
        database=Database(url=f"sqlite:///{tmp_path / 'test.sqlite3'}", migrations=MIGRATIONS),
        purges=purge_every_s is not None,
    ))


def count(app, model) -> int:
    with app.state.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def purged(table: str) -> float:
    return REGISTRY.get_sample_value("leye_rows_purged_total", {"table": table}) or 0.0


def test_outbox_and_idempotency_keys_stay_bounded_while_writes_continue(tmp_path: Path, broker) -> None:
    app = build_app(tmp_path, broker.bootstrap, purge_every_s=0.1, outbox_replay_window_s=0.2,
                    outbox_retention_s=0.5, idempotency_key_ttl_s=0.5)
    purged_before = purged("outbox"), purged("idempotency_keys")
    written = 0
    with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=10) as client:
        jobs = {job.name: job for job in app.state.periodic.jobs}
        for round_ in range(5):
            for n in range(40):
                body = {"period": f"{2030 + round_}-{n % 12 + 1:02d}", "rate_percent": 5}
                response = client.post("/rates", json=body, headers={"Idempotency-Key": f"bounded-{round_}-{n}"})
                assert response.status_code == 201
                written += 1
            _wait(lambda: app.state.relay.pending() == 0)
            aged = time.monotonic() + 0.5 + 0.1  # every row of this round is past its retention after this
            _wait(lambda aged=aged: all(job.last_started > aged for job in jobs.values()))
            # Only what is younger than the retention remains: nothing of this round or earlier ones.
            assert (count(app, OutboxMessage), count(app, IdempotencyRecord)) == (0, 0)
    assert written == 200
    assert (purged("outbox") - purged_before[0], purged("idempotency_keys") - purged_before[1]) == (200, 200)


def test_an_expired_idempotency_key_is_new_even_before_it_is_purged(tmp_path: Path, broker) -> None:
    app = build_app(tmp_path, broker.bootstrap, purge_every_s=None, idempotency_key_ttl_s=60)
    key = {"Idempotency-Key": "expiring"}
    with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=10) as client:
        first = client.post("/rates", json={"period": "2031-01", "rate_percent": 5}, headers=key)
        again = client.post("/rates", json={"period": "2031-01", "rate_percent": 5}, headers=key)
        assert (again.headers.get("Idempotent-Replayed"), again.json()) == ("true", first.json())
        with app.state.sessions.begin() as session:  # the key's first use is now older than its TTL
            session.execute(update(IdempotencyRecord).values(created_at=utcnow() - timedelta(seconds=61)))
        other_body = client.post("/rates", json={"period": "2031-02", "rate_percent": 6}, headers=key)
        assert other_body.status_code == 201  # not 422: the expired key no longer binds a body
        assert "Idempotent-Replayed" not in other_body.headers
        assert other_body.json() != first.json()
        replayed = client.post("/rates", json={"period": "2031-02", "rate_percent": 6}, headers=key)
        assert replayed.json() == other_body.json()
        assert (count(app, IdempotencyRecord), count(app, OutboxMessage)) == (1, 2)


def test_purge_deletes_in_batches_only_what_is_older_than_the_cutoff(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'purge.sqlite3'}")
    with engine.begin() as conn:
        create_runtime_tables(conn)
    sessions = make_session_factory(engine)
    now = utcnow()
    with sessions.begin() as session:
        for n in range(2_500):
            add_event(session, new_event(SurveyRateReported(period=f"{2000 + n // 12}-{n % 12 + 1:02d}",
                                                            rate_percent=5, published_on=date(2026, 11, 1),
                                                            source="测试"), source="/services/gateway"))
        session.flush()
        ids = session.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id)).all()
        session.execute(update(OutboxMessage).where(OutboxMessage.id <= ids[2_099])
                        .values(sent_at=now - timedelta(hours=2)))
        session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids[2_100:2_200]))
                        .values(sent_at=now))  # sent recently; the last 300 are unsent
    assert purge_older_than(sessions, OutboxMessage.sent_at, now - timedelta(hours=1), batch_rows=1_000) == 2_100
    with sessions() as session:
        left = session.execute(select(func.count(), func.count(OutboxMessage.sent_at))).one()
    assert tuple(left) == (400, 100)
    engine.dispose()


def test_a_failing_job_is_retried_and_keeps_running(caplog) -> None:
    calls: list[int] = []
    done = threading.Event()

    def flaky() -> None:
        calls.append(len(calls))
        if len(calls) <= 2:
            raise RuntimeError("数据库暂不可用")
        if len(calls) == 4:
            done.set()

    errors_before = REGISTRY.get_sample_value("leye_periodic_job_errors_total", {"job": "flaky"}) or 0.0
    job = Job("flaky", 0.01, flaky)
    periodic = Periodic([job], initial_backoff_s=0.01)
    periodic.start()
    try:
        assert done.wait(10)
    finally:
        periodic.stop()
    assert job.runs >= 2
    assert REGISTRY.get_sample_value("leye_periodic_job_errors_total", {"job": "flaky"}) - errors_before == 2
    assert any("定时任务执行失败" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(("retention", "window"), [(3600, 3600), (60, 3600)])
def test_a_retention_not_longer_than_the_replay_window_is_refused(retention: int, window: int) -> None:
    with pytest.raises(ValidationError) as refused:
        DatabaseSettings(OUTBOX_RETENTION_S=retention, OUTBOX_REPLAY_WINDOW_S=window)
    assert "OUTBOX_RETENTION_S" in str(refused.value) and "OUTBOX_REPLAY_WINDOW_S" in str(refused.value)
    assert "必须大于" in str(refused.value)


def _wait(condition, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)

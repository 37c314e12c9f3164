"""Storage on SQLite and, when ``TEST_DATABASE_URL`` is set, PostgreSQL: migrations, round trips of
every aggregate through real HTTP, expiry exactly once across restarts and concurrent runs, and the
one-current-headcount-report rule."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from schemas import parse_event
from services.runtime.db import make_engine, make_session_factory, migrate
from services.runtime.outbox import OutboxMessage
from services.vacancies.app import MIGRATIONS
from services.vacancies.expiry import expire_due
from services.vacancies.store import HeadcountReport
from tests.services.vacancies.conftest import (
    Clock,
    employer_body,
    start_service,
    today,
    vacancy_body,
    wait_expiry_round,
)

pytestmark = pytest.mark.postgres


def outbox_events(database_url: str, subject: str) -> list:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            payloads = conn.scalars(select(OutboxMessage.payload).where(OutboxMessage.key == subject)
                                    .order_by(OutboxMessage.id)).all()
    finally:
        engine.dispose()
    return [parse_event(p) for p in payloads]


def test_migrations_create_every_table_and_rerun_harmlessly(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        migrate(engine, MIGRATIONS)
        migrate(engine, MIGRATIONS)
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {"employers", "vacancies", "recruitment_sessions", "layoff_reports", "headcount_reports", "outbox",
            "idempotency_keys", "alembic_version", "key_enterprises", "enterprise_issues", "shortages",
            "monitored_enterprises", "headcount_warnings"} <= tables


def test_every_aggregate_round_trips(database_url: str, broker, tmp_path: Path) -> None:
    live, app, _ = start_service(database_url, broker.bootstrap, tmp_path)
    with live:
        url = live.url
        ref = httpx.post(f"{url}/employers", json=employer_body(31)).json()["employer_ref"]
        assert httpx.post(f"{url}/employers", json=employer_body(31, staff_count=150)).status_code == 200
        employer = httpx.get(f"{url}/employers/{ref}").json()
        assert employer == employer_body(31, staff_count=150) | {"community_code": None}

        body = vacancy_body(ref, requirements={"工作经验": "1年以上"}, age_min=18, age_max=55,
                            industry={"section": "C", "division": "35"}, street_code="120111101")
        posted = httpx.post(f"{url}/vacancies", json=body).json()
        read = httpx.get(f"{url}/vacancies/{posted['vacancy_id']}").json()
        assert read == posted
        assert {k: read[k] for k in body} == body

        session = httpx.post(f"{url}/recruitment-sessions", json={
            "kind": "onsite", "title": "精武镇春风行动招聘会", "street_code": "120111101",
            "scheduled_at": "2026-12-05T01:30:00Z", "vacancy_ids": [posted["vacancy_id"]]}).json()
        assert httpx.get(f"{url}/recruitment-sessions/{session['session_id']}").json()["scheduled_at"] == \
            "2026-12-05T09:30:00+08:00"

        layoff = httpx.post(f"{url}/layoffs", json={
            "employer_ref": ref, "staff_count": 90, "planned_cuts": 9, "reason": "circumstances_changed",
            "notified_on": "2026-10-01", "planned_on": "2026-10-31"}).json()
        assert httpx.get(f"{url}/layoffs/{layoff['report_id']}").json() == layoff
        assert (layoff["is_mass_layoff"], layoff["notice_days"], layoff["notice_compliant"]) == (True, 30, True)


def test_headcount_reports_supersede_in_a_chain_and_only_one_is_current(database_url: str, broker,
                                                                         tmp_path: Path) -> None:
    live, app, _ = start_service(database_url, broker.bootstrap, tmp_path)
    with live:
        ref = httpx.post(f"{live.url}/employers", json=employer_body(32)).json()["employer_ref"]
        assert httpx.post(f"{live.url}/monitored-enterprises", json={
            "employer_ref": ref, "baseline_headcount": 200, "enrolled_on": "2026-09-01"}).status_code == 201

        def report(month: str, current: int) -> dict:
            return httpx.post(f"{live.url}/headcount-reports", json={
                "employer_ref": ref, "month": month, "baseline_headcount": 200, "current_headcount": current,
                "decreases": {"contract_end": 200 - current}}).json()

        first, second, third = report("2026-09", 190), report("2026-09", 185), report("2026-09", 180)
        other_month = report("2026-10", 170)
        assert [second["supersedes_report_id"], third["supersedes_report_id"]] == \
            [first["report_id"], second["report_id"]]
        assert other_month["supersedes_report_id"] is None
        reports = [e.data for e in outbox_events(database_url, ref) if e.type.endswith(".headcount.reported.v1")]
        assert [r.supersedes_report_id for r in reports] == [None, first["report_id"], second["report_id"], None]

        with app.state.sessions() as session, pytest.raises(IntegrityError):
            session.add(HeadcountReport(id="duplicate-current", employer_ref=ref, month="2026-09",
                                        baseline_headcount=200, current_headcount=1, decreases={}))
            session.flush()


def test_expiry_happens_once_across_restarts_and_concurrent_runs(database_url: str, broker, tmp_path: Path) -> None:
    clock = Clock()
    live, app, _ = start_service(database_url, broker.bootstrap, tmp_path, clock)
    with live:
        ref = httpx.post(f"{live.url}/employers", json=employer_body(33)).json()["employer_ref"]
        last_day = vacancy_body(ref, valid_until=today().isoformat())
        due = httpx.post(f"{live.url}/vacancies", json=last_day).json()
        flagged = httpx.post(f"{live.url}/vacancies", json=last_day | {"description": "只招女生"}).json()
        lasting = httpx.post(f"{live.url}/vacancies", json=vacancy_body(ref)).json()
    assert (due["status"], flagged["status"], lasting["status"]) == ("posted", "flagged", "posted")

    clock.offset = timedelta(days=1)  # the service was down when validity ended
    for _ in range(2):  # the restart catches up; the next restart finds nothing left to do
        live, app, _ = start_service(database_url, broker.bootstrap, tmp_path, clock, expiry_interval_s=60)
        with live:
            wait_expiry_round(app)  # its first round runs at start-up
            statuses = {v: httpx.get(f"{live.url}/vacancies/{v}").json()["status"]
                        for v in (due["vacancy_id"], flagged["vacancy_id"], lasting["vacancy_id"])}
        assert statuses == {due["vacancy_id"]: "closed", flagged["vacancy_id"]: "flagged",
                            lasting["vacancy_id"]: "posted"}

    engine = make_engine(database_url)
    sessions = make_session_factory(engine)
    later = datetime.now(UTC) + timedelta(days=40)
    results: list[list[str]] = []
    runners = [threading.Thread(target=lambda: results.append(expire_due(sessions, later))) for _ in range(3)]
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join()
    engine.dispose()
    assert sorted(map(len, results)) == [0, 0, 1] and [lasting["vacancy_id"]] in results

    closed = [(e.subject, e.data.reason) for v in (due["vacancy_id"], flagged["vacancy_id"], lasting["vacancy_id"])
              for e in outbox_events(database_url, v) if e.type == "cn.xiqing.leye.vacancy.closed.v1"]
    assert closed == [(due["vacancy_id"], "expired"), (lasting["vacancy_id"], "expired")]


def test_concurrent_fills_never_exceed_the_headcount(database_url: str, broker, tmp_path: Path) -> None:
    live, app, _ = start_service(database_url, broker.bootstrap, tmp_path)
    with live:
        ref = httpx.post(f"{live.url}/employers", json=employer_body(34)).json()["employer_ref"]
        vacancy_id = httpx.post(f"{live.url}/vacancies", json=vacancy_body(ref, headcount=5)).json()["vacancy_id"]
        statuses: list[int] = []

        def fill() -> None:
            statuses.append(httpx.post(f"{live.url}/vacancies/{vacancy_id}/fill", json={"count": 1}).status_code)

        fillers = [threading.Thread(target=fill) for _ in range(8)]
        for filler in fillers:
            filler.start()
        for filler in fillers:
            filler.join()
        final = httpx.get(f"{live.url}/vacancies/{vacancy_id}").json()
    # PostgreSQL serialises the fills on the row lock (exactly 5 succeed); SQLite reads outside its write
    # transaction, so a fill that read a stale row loses the optimistic-lock race with 409. Either way
    # nothing is overwritten: every accepted fill is counted once and has its event.
    accepted = statuses.count(200)
    assert set(statuses) <= {200, 409} and 1 <= accepted <= 5
    assert final["filled_count"] == accepted
    fills = [e.data for e in outbox_events(database_url, vacancy_id) if e.type.endswith(".vacancy.filled.v1")]
    assert sorted(f.remaining for f in fills) == list(range(5 - accepted, 5))
    if database_url.startswith("postgresql"):
        assert (accepted, final["status"], final["close_reason"]) == (5, "closed", "filled")

"""Fixtures for the vacancies service: the real app under uvicorn on a fresh database, the real broker.

``Clock`` lets a test move the expiry task's "now" forward without touching the process clock
(Kafka clients and uvicorn keep real time).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from schemas.fields import SHANGHAI
from schemas.ids import credit_code_check_char
from services.runtime.outbox import OutboxMessage
from services.vacancies.app import create_app
from services.vacancies.settings import Settings
from services.vacancies.store import (
    Employer,
    EnterpriseIssue,
    HeadcountReport,
    HeadcountWarning,
    KeyEnterprise,
    LayoffReport,
    MonitoredEnterprise,
    RecruitmentSession,
    SessionApplication,
    Shortage,
    Vacancy,
    ViewerSample,
)
from tests.conftest import LiveServer, read_topic

STREET = "120111001"  # 西营门街道
OTHER_STREET = "120111101"


def credit_code(serial: int) -> str:
    """A valid synthetic 统一社会信用代码 (GB 32100) for serial number ``serial``."""
    first17 = f"91120111MA{serial:07d}"
    return first17 + credit_code_check_char(first17)


def today() -> date:
    return datetime.now(SHANGHAI).date()


class Clock:
    """A settable "now" for the expiry task: real time plus ``offset``."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


class Service:
    """A running vacancies service: ``url``, ``app``, ``clock`` and JSON helpers."""

    def __init__(self, live: LiveServer, app, clock: Clock) -> None:
        self.url, self.app, self.clock = live.url, app, clock

    def post(self, path: str, body: dict | None = None, **kwargs) -> httpx.Response:
        return httpx.post(self.url + path, json=body if body is not None else {}, timeout=10, **kwargs)

    def counts(self) -> dict[str, int]:
        """Rows per table: compared before and after a refused request to prove nothing changed."""
        with self.app.state.sessions() as session:
            return {model.__tablename__: session.scalar(select(func.count()).select_from(model))
                    for model in (OutboxMessage, Employer, Vacancy, RecruitmentSession, LayoffReport,
                                  HeadcountReport, KeyEnterprise, EnterpriseIssue, Shortage, MonitoredEnterprise,
                                  HeadcountWarning, ViewerSample, SessionApplication)}

    def wait_published(self, timeout_s: float = 20) -> None:
        """Wait until the outbox relay has handed every staged event to the broker."""
        deadline = time.monotonic() + timeout_s
        while self.app.state.relay.pending():
            assert time.monotonic() < deadline, "outbox was not drained"
            time.sleep(0.05)


def wait_expiry_round(app, timeout_s: float = 20) -> None:
    """Wait until the expiry job has finished a round (the first one runs at start-up)."""
    [job] = [job for job in app.state.periodic.jobs if job.name == "vacancy-expiry"]
    deadline = time.monotonic() + timeout_s
    while job.runs == 0:
        assert time.monotonic() < deadline, "no expiry round finished"
        time.sleep(0.02)


def start_service(database_url: str, bootstrap: str, var_dir: Path, clock: Clock | None = None,
                  expiry_interval_s: float = 0.2):
    """Context manager: the app on ``database_url`` served over real HTTP."""
    clock = clock or Clock()
    settings = Settings(database_url=database_url, expiry_interval_s=expiry_interval_s, KAFKA_BOOTSTRAP=bootstrap,
                        LEYE_VAR_DIR=str(var_dir))
    app = create_app(settings, clock=clock)
    return LiveServer(app), app, clock


@pytest.fixture
def service(tmp_path: Path, broker) -> Iterator[Service]:
    live, app, clock = start_service(f"sqlite:///{tmp_path / 'vacancies.sqlite3'}", broker.bootstrap, tmp_path)
    with live:
        yield Service(live, app, clock)


def employer_body(serial: int = 1, **overrides) -> dict:
    return {"employer_ref": credit_code(serial), "name": "天津市西青区测试机械有限公司",
            "industry": {"section": "C", "division": "34"}, "street_code": STREET, "staff_count": 120} | overrides


def vacancy_body(employer_ref: str, **overrides) -> dict:
    return {
        "employer_ref": employer_ref, "title": "数控车床操作工",
        "description": "负责数控车床操作，两班倒，包食宿，男女不限。",
        "kind": "regular", "headcount": 3, "salary_min": 5500, "salary_max": 8000, "education_required": "40",
        "skills_required": [{"name": "数控车床", "level": 2}],
        "valid_from": today().isoformat(), "valid_until": (today() + timedelta(days=30)).isoformat(),
    } | overrides


def events_for(bootstrap: str, topic: str, subjects: set[str]) -> list:
    """The parsed events on ``topic`` whose subject is one of ``subjects``, in topic order (once the
    outbox is drained: ``wait_published``)."""
    from schemas import parse_event

    records = read_topic(bootstrap, topic, to_end=True)
    return [parse_event(r.value) for r in records if r.key.decode() in subjects]

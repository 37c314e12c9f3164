"""Fixtures for the programmes service: the real app under uvicorn on a fresh database, the real broker.

The app alone consumes no topic, so the fixture feeds its read model the registration and employer
events of the synthetic people and employers the tests use (``person(n)``, ``credit_code(n)`` for
``n < KNOWN``) through the service's own applier, as its stream agents would."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from schemas import new_event
from schemas.events.registration import JobseekerRegistered
from schemas.events.vacancy import EmployerRegistered, VacancyPosted
from schemas.fields import SHANGHAI, Industry
from schemas.ids import credit_code_check_char
from schemas.vocab import Education, Gender, IndustrySection, KeyGroup, VacancyKind
from services.programmes.app import create_app
from services.programmes.settings import Settings
from services.programmes.store import (
    Certificate,
    Course,
    Enrolment,
    Grant,
    Incubation,
    IncubationJobs,
    Incubator,
    IncubatorRecognition,
    Loan,
    Payment,
    Placement,
    Refusal,
)
from services.runtime.outbox import OutboxMessage
from tests.conftest import LiveServer, read_topic

STREET = "120111001"  # 西营门街道
KNOWN = 200  # person(n) and credit_code(n) below this are known to the service's read model
HOST = 80  # credit_code(HOST) posted the three postings below, known to the read model too
TRAINEESHIP_POST = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"  # a 见习岗位
WELFARE_POST = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c"  # a 公益性岗位
REGULAR_POST = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5d"  # a 普通岗位


def person(n: int) -> str:
    """A synthetic person_ref (the service never sees who it stands for)."""
    return hashlib.sha256(f"programmes-test-person-{n}".encode()).hexdigest()


def credit_code(serial: int) -> str:
    first17 = f"91120111MA{serial:07d}"
    return first17 + credit_code_check_char(first17)


def today() -> date:
    return datetime.now(SHANGHAI).date()


def days_ago(n: int) -> str:
    return (today() - timedelta(days=n)).isoformat()


class Service:
    """A running programmes service: ``url``, ``app`` and JSON helpers."""

    def __init__(self, live: LiveServer, app) -> None:
        self.url, self.app = live.url, app

    def post(self, path: str, body: dict | None = None, **kwargs) -> httpx.Response:
        return httpx.post(self.url + path, json=body if body is not None else {}, timeout=10, **kwargs)

    def get(self, path: str) -> httpx.Response:
        return httpx.get(self.url + path, timeout=10)

    def counts(self) -> dict[str, int]:
        """Rows per table: compared before and after a refused request to prove nothing changed."""
        with self.app.state.sessions() as session:
            return {model.__tablename__: session.scalar(select(func.count()).select_from(model))
                    for model in (OutboxMessage, Course, Enrolment, Loan, Grant, Payment, Placement, Refusal, Incubator,
                                  IncubatorRecognition, Incubation, IncubationJobs, Certificate)}

    def feed(self, *events) -> int:
        """Apply events to the read model as the stream agents would; the eligible events staged."""
        return self.app.state.components.applier.apply_batch(list(events))

    def wait_published(self, timeout_s: float = 20) -> None:
        deadline = time.monotonic() + timeout_s
        while self.app.state.relay.pending():
            assert time.monotonic() < deadline, "outbox was not drained"
            time.sleep(0.05)


def running_service(var_dir: Path, bootstrap: str) -> Iterator[Service]:
    """The app under uvicorn on a fresh database in ``var_dir``, its read model fed."""
    settings = Settings(database_url=f"sqlite:///{var_dir / 'programmes.sqlite3'}", KAFKA_BOOTSTRAP=bootstrap,
                        LEYE_VAR_DIR=str(var_dir))
    app = create_app(settings)
    with LiveServer(app) as live:
        yield known(Service(live, app))


@pytest.fixture
def service(tmp_path: Path, broker) -> Iterator[Service]:
    yield from running_service(tmp_path, broker.bootstrap)


def known(running: Service) -> Service:
    """The service with ``person(n)`` and ``credit_code(n)`` (``n < KNOWN``) in its read model."""
    running.feed(*[jobseeker(person(n)) for n in range(KNOWN)], *[employer(credit_code(n)) for n in range(KNOWN)],
                 posting(TRAINEESHIP_POST, VacancyKind.TRAINEESHIP), posting(WELFARE_POST, VacancyKind.PUBLIC_WELFARE),
                 posting(REGULAR_POST, VacancyKind.REGULAR))
    return running


def posting(vacancy_id: str, kind: VacancyKind, employer_ref: str | None = None):
    return new_event(VacancyPosted(
        vacancy_id=vacancy_id, employer_ref=employer_ref or credit_code(HOST), title="岗位",
        industry=Industry(section=IndustrySection.C), street_code=STREET, kind=kind, headcount=2, salary_min=3000,
        salary_max=4000, valid_from=today(), valid_until=today() + timedelta(days=30)), source="/services/vacancies")


def jobseeker(person_ref: str, *, key_groups=(KeyGroup.RESIDENT,), street: str = STREET):
    return new_event(JobseekerRegistered(
        person_ref=person_ref, street_code=street, key_groups=list(key_groups), gender=Gender.FEMALE, age=35,
        education=Education.SENIOR_HIGH, registered_on=today()), source="/services/registration")


def employer(employer_ref: str):
    return new_event(EmployerRegistered(employer_ref=employer_ref, industry=Industry(section=IndustrySection.C),
                                        street_code=STREET, staff_count=50), source="/services/vacancies")


def course_body(**overrides) -> dict:
    return {"programme_code": "malanhua_training", "title": "马兰花创业培训（西营门第1期）", "street_code": STREET,
            "starts_on": days_ago(10), "ends_on": days_ago(1), "capacity": 30} | overrides


def placement_body(**overrides) -> dict:
    return {"programme_code": "traineeship", "person_ref": person(80), "employer_ref": credit_code(HOST),
            "street_code": STREET, "vacancy_id": TRAINEESHIP_POST, "starts_on": days_ago(180),
            "ends_on": days_ago(1)} | overrides


def incubator_body(**overrides) -> dict:
    return {"name": "西青区大学生创业孵化基地", "street_code": STREET, "level": "district",
            "recognised_on": days_ago(400)} | overrides


def events_for(bootstrap: str, subjects: set[str]) -> list:
    """The parsed events on ``leye.programme`` whose subject is one of ``subjects``, in topic order (once
    the outbox is drained: ``wait_published``)."""
    from schemas import parse_event

    records = read_topic(bootstrap, "leye.programme", to_end=True)
    return [parse_event(r.value) for r in records if r.key.decode() in subjects]

"""Two matching replicas sharing one database give the answers of one process.

In process: two appliers, each with its own engine and index, on one database (SQLite file, and
PostgreSQL when ``TEST_DATABASE_URL`` is set), one applying what the other never sees; two SLA
scans at once. As processes: two ``python -m services.matching`` workers in one consumer group on
the real broker, the events spread over all partitions of ``leye.registration`` / ``leye.vacancy``;
their referrals, cases and ``/match`` answers are compared with the pure domain functions over
everything that was published.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from kafka.partitioner.default import murmur2
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from schemas import new_event
from schemas.events.vacancy import VacancyClosed
from schemas.reference import STREETS
from schemas.topics import TOPICS
from schemas.vocab import VacancyCloseReason
from services.matching import domain
from services.matching.cases import local_date
from services.matching.handlers import EventApplier, Handler
from services.matching.index import MatchIndex
from services.matching.sla import scan_once
from services.matching.store import Case, PersonRow, Referral, Station, VacancyRow
from services.matching.sync import IndexSync
from services.runtime.db import begin_read, make_engine, make_session_factory, migrate
from services.runtime.outbox import OutboxMessage

from .helpers import credit_code, jobseeker, posted
from .test_service import MIGRATIONS
from .test_worker import Worker, publish, wait_for

STREET_A, STREET_B = sorted(STREETS)[7:9]
NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
TODAY = local_date(NOW)


def vacancy(vacancy_id: str, street: str, salary_max: int, skills: dict[str, int] | None = None):
    """A posting whose salary (below the job seekers' wish of 5,000) sets it apart in the ranking."""
    data = posted(vacancy_id, street, credit_code(77), skills=skills).data
    return new_event(data.model_copy(update={"salary_min": 2000, "salary_max": salary_max}),
                     source="/services/vacancies")


def closed(vacancy_id: str):
    return new_event(VacancyClosed(vacancy_id=vacancy_id, reason=VacancyCloseReason.WITHDRAWN, closed_on=TODAY),
                     source="/services/vacancies")


@dataclass
class Replica:
    sessions: sessionmaker  # type: ignore[type-arg]
    index: MatchIndex
    sync: IndexSync
    applier: EventApplier


@pytest.fixture
def replicas(database_url: str) -> Iterator[tuple[Replica, Replica]]:
    """Two replicas as the app's start-up makes them, each with an engine of its own."""
    engines = [make_engine(database_url) for _ in range(2)]
    migrate(engines[0], MIGRATIONS)
    made = []
    for engine in engines:
        sessions, index = make_session_factory(engine), MatchIndex()
        sync = IndexSync(sessions, index)
        sync.load()
        made.append(Replica(sessions, index, sync, EventApplier(sessions, index, lambda: NOW)))
    with made[0].sessions.begin() as session:
        session.add(Station(station_code="s-a", street_code=STREET_A, community="甲", matchmaker_id="m-a",
                            matchmaker_name="某", active=True))
    yield made[0], made[1]
    for engine in engines:
        engine.dispose()


@contextmanager
def reading(sessions: sessionmaker) -> Iterator[Session]:  # type: ignore[type-arg]
    """A read-only session: on SQLite it does not take (nor wait for) the workers' write lock."""
    with sessions() as session:
        begin_read(session)
        yield session


def expected_vacancies(sessions: sessionmaker, person_ref: str, today=TODAY) -> list[domain.Match]:  # type: ignore[type-arg]
    """What one process would answer: the pure reference ranking over every vacancy in the database."""
    with reading(sessions) as session:
        person = session.get(PersonRow, person_ref).to_domain()  # type: ignore[union-attr]
        vacancies = [row.to_domain() for row in session.scalars(select(VacancyRow))]
    return domain.naive_top_vacancies(person, vacancies, today, 1000)


def expected_candidates(sessions: sessionmaker, vacancy_id: str, today=TODAY) -> list[domain.Match]:  # type: ignore[type-arg]
    with reading(sessions) as session:
        vac = session.get(VacancyRow, vacancy_id).to_domain()  # type: ignore[union-attr]
        people = [row.to_domain() for row in session.scalars(select(PersonRow).where(PersonRow.active.is_(True)))]
    return domain.naive_top_candidates(vac, people, today, 1000)


def test_a_replica_refers_to_what_the_other_replica_applied(replicas: tuple[Replica, Replica]) -> None:
    a, b = replicas
    b.applier.apply_batch([vacancy(f"v{i}", STREET_A, 3000 + 100 * i) for i in range(8)])
    person = "a" * 64
    a.applier.apply_batch([jobseeker(person, STREET_A, "甲")])  # A never applied a vacancy

    with reading(a.sessions) as session:
        [case] = session.scalars(select(Case).where(Case.person_ref == person)).all()
        referred = session.scalars(select(Referral).where(Referral.case_id == case.case_id)).all()
    best = expected_vacancies(a.sessions, person)[:5]
    assert sorted((r.vacancy_id, r.score, r.breakdown) for r in referred) == sorted(
        (m.vacancy_id, m.score, m.breakdown) for m in best)
    assert [m.vacancy_id for m in best] == ["v7", "v6", "v5", "v4", "v3"]

    # both directions, asked of either replica, give the single-process answer
    person_domain = a.index.people[person]
    for replica in (a, b):
        assert replica.index.top_vacancies(person_domain, TODAY, 100) == expected_vacancies(a.sessions, person)
        vac = replica.index.vacancies["v7"]
        assert replica.index.top_candidates(vac, TODAY, 100) == expected_candidates(a.sessions, "v7")

    # a removal applied by B leaves A's index too; nothing changed since: one lookup, no rows read
    b.applier.apply_batch([closed("v7")])
    assert [m.vacancy_id for m in a.index.top_vacancies(person_domain, TODAY, 3)] == ["v6", "v5", "v4"]
    assert a.sync.catch_up() == 0
    assert a.index.revision == b.index.revision

    # a replica's own commit advances its index without reading the rows back
    a.applier.apply_batch([jobseeker("b" * 64, STREET_A, "甲")])
    assert a.sync.catch_up() == 0
    assert b.sync.catch_up() == 1  # B reads A's new person, once


def test_replicas_scanning_at_once_report_each_deadline_once(replicas: tuple[Replica, Replica]) -> None:
    a, b = replicas
    a.applier.apply_batch([jobseeker(uuid.uuid4().hex * 2, STREET_A, "甲") for _ in range(12)])  # no vacancies
    late = NOW + timedelta(days=4)  # both deadlines of every case have passed
    start, counts = threading.Barrier(2), []

    def scan(replica: Replica) -> None:
        start.wait()
        counts.append(scan_once(replica.sessions, lambda: late))

    threads = [threading.Thread(target=scan, args=(r,)) for r in (a, b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(counts) == 24
    with reading(a.sessions) as session:
        breaches = session.scalar(select(func.count()).select_from(OutboxMessage)
                                  .where(OutboxMessage.event_type == "cn.xiqing.leye.case.sla_breached.v1"))
        flagged = session.scalar(select(func.count()).select_from(Case)
                                 .where(Case.contact_breached.is_(True), Case.referral_breached.is_(True)))
    assert (breaches, flagged) == (24, 12)
    assert [scan_once(r.sessions, lambda: late) for r in (a, b)] == [0, 0]


def test_stations_created_at_once_dispatch_each_parked_request_once(database_url: str) -> None:
    engines = [make_engine(database_url) for _ in range(2)]
    migrate(engines[0], MIGRATIONS)
    sessions = [make_session_factory(engine) for engine in engines]
    people = [uuid.uuid4().hex * 2 for _ in range(6)]
    EventApplier(sessions[0], MatchIndex(), lambda: NOW).apply_batch(
        [jobseeker(ref, STREET_A, "甲") for ref in people])  # no station yet: all parked
    start, dispatched = threading.Barrier(2), []

    def create_station(n: int) -> None:
        with sessions[n].begin() as session:
            session.add(Station(station_code=f"late-{n}", street_code=STREET_A, community="甲", matchmaker_id=f"m{n}",
                                matchmaker_name="某", active=True))
            session.flush()
            if not database_url.startswith("sqlite"):  # SQLite runs one writer at a time: nothing to race
                start.wait()  # both transactions are open and neither has dispatched yet
            dispatched.append(Handler(session, MatchIndex(), NOW, 5).dispatch_parked())

    threads = [threading.Thread(target=create_station, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    with reading(sessions[0]) as session:
        opened = session.scalars(select(Case.person_ref).where(Case.person_ref.in_(people))).all()
    for engine in engines:
        engine.dispose()
    assert (sum(dispatched), sorted(opened)) == (len(people), sorted(people))


# --- two worker processes ------------------------------------------------------------------------


def keys_over_every_partition(topic: str, per_partition: int, make_key: Callable[[int], str]) -> list[str]:
    """Keys that the producer's default partitioner sends ``per_partition`` to each partition, so
    every replica of the group gets some of them, however the partitions were shared out."""
    partitions = TOPICS[topic].partitions
    found: dict[int, list[str]] = {p: [] for p in range(partitions)}
    n = 0
    while any(len(keys) < per_partition for keys in found.values()):
        key = make_key(n)
        partition = (murmur2(key.encode()) & 0x7FFFFFFF) % partitions
        if len(found[partition]) < per_partition:
            found[partition].append(key)
        n += 1
    return [key for keys in found.values() for key in keys]


def _out(match: domain.Match) -> dict:
    return asdict(match)


def consumed(worker: Worker, topic: str) -> float:
    for line in httpx.get(f"{worker.url}/metrics", timeout=5).text.splitlines():
        if line.startswith("leye_events_consumed_total{") and f'topic="{topic}"' in line:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


@pytest.fixture
def two_workers(fresh_broker, database_url: str, tmp_path: Path) -> Iterator[tuple[Worker, Worker]]:
    workers = []
    for name in ("a", "b"):
        worker = Worker(fresh_broker.bootstrap, tmp_path / name)
        worker.env["MATCHING_DATABASE_URL"] = database_url  # one database, as in production
        workers.append(worker)
    try:
        for worker in workers:
            worker.start()
        yield workers[0], workers[1]
    finally:
        for worker in workers:
            worker.stop()


def test_two_worker_processes_answer_as_one(fresh_broker, two_workers: tuple[Worker, Worker],
                                            database_url: str) -> None:
    a, b = two_workers
    client = httpx.Client(base_url=a.url, timeout=10)
    for code, street in (("st-a", STREET_A), ("st-b", STREET_B)):
        response = client.post("/stations", json={"station_code": code, "street_code": street, "community": "甲",
                                                  "matchmaker_id": f"mm-{code}", "matchmaker_name": "测试红娘"})
        assert response.status_code == 201, response.text

    # vacancies on every partition of leye.vacancy, then people on every partition of leye.registration
    run = uuid.uuid4().hex[:8]
    vacancy_ids = keys_over_every_partition("leye.vacancy", 2, lambda n: f"vac-{run}-{n}")
    publish(fresh_broker.bootstrap, *[
        vacancy(vid, (STREET_A, STREET_B)[i % 2], 3000 + 50 * i, skills={"电工": 3, "焊工": 1 + i % 3})
        for i, vid in enumerate(vacancy_ids)])
    wait_for(lambda: all(httpx.get(f"{b.url}/match/vacancies/{vid}/candidates").status_code == 200
                         for vid in vacancy_ids), "vacancies not applied")
    people = keys_over_every_partition("leye.registration", 2, lambda n: f"{run}{n:056x}")
    publish(fresh_broker.bootstrap, *[
        jobseeker(ref, (STREET_A, STREET_B)[i % 2], "甲", skills={"电工": 1 + i % 3, "焊工": 2}, age=25 + i)
        for i, ref in enumerate(people)])

    engine = make_engine(database_url)
    sessions = make_session_factory(engine)

    def cases_of_people() -> int:
        with reading(sessions) as session:
            return session.scalar(select(func.count()).select_from(Case).where(Case.person_ref.in_(people))) or 0

    wait_for(lambda: cases_of_people() == len(people), "not every person got a case")
    # both replicas applied registrations (each owns some of the partitions every person is spread on)
    assert consumed(a, "leye.registration") > 0 and consumed(b, "leye.registration") > 0
    assert consumed(a, "leye.vacancy") > 0 and consumed(b, "leye.vacancy") > 0

    today = local_date(datetime.now(UTC))  # the workers' clock

    # every person's case: at the station of their 街镇, referred to the best 5 of ALL vacancies
    for i, ref in enumerate(people):
        with reading(sessions) as session:
            [case] = session.scalars(select(Case).where(Case.person_ref == ref)).all()
            assert case.station_code == ("st-a", "st-b")[i % 2]
            referred = session.scalars(select(Referral).where(Referral.case_id == case.case_id)).all()
        best = expected_vacancies(sessions, ref, today)[:5]
        assert sorted((r.vacancy_id, r.score, r.breakdown) for r in referred) == sorted(
            (m.vacancy_id, m.score, m.breakdown) for m in best), ref

    # a vacancy posted now is referred the best candidates among ALL people (ties: same scores)
    late_posting = "vac-late"
    publish(fresh_broker.bootstrap, vacancy(late_posting, STREET_B, 4900, skills={"电工": 2}))

    def late_case() -> Case | None:
        with reading(sessions) as session:
            return session.scalars(select(Case).where(Case.vacancy_id == late_posting)).first()

    case = wait_for(late_case, "no case for the late posting")
    with reading(sessions) as session:
        referred = session.scalars(select(Referral).where(Referral.case_id == case.case_id)).all()
    best = expected_candidates(sessions, late_posting, today)
    assert sorted(r.score for r in referred) == sorted(m.score for m in best[:5])
    by_person = {m.person_ref: m for m in best}
    assert all(r.breakdown == by_person[r.person_ref].breakdown for r in referred)

    # /match asked of either replica: the single-process answer, in both directions
    for worker in (a, b):
        for vid in [*vacancy_ids[:3], late_posting]:
            answer = httpx.get(f"{worker.url}/match/vacancies/{vid}/candidates", params={"limit": 100}).json()
            assert answer == [_out(m) for m in expected_candidates(sessions, vid, today)]
        for ref in people[:3]:
            answer = httpx.get(f"{worker.url}/match/persons/{ref}/vacancies", params={"limit": 100}).json()
            assert answer == [_out(m) for m in expected_vacancies(sessions, ref, today)]
    engine.dispose()

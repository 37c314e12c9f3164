"""Tables of the matching service and the queries on them. Nothing here commits.

- ``people`` / ``vacancies`` / ``employers``: read models rebuilt from the topics (the latest event
  wins); the in-memory index is loaded from them at start.
- ``index_revision``: one counter row; every transaction that changes ``people`` / ``vacancies`` rows
  stamps them with the counter's next value (:func:`stamp_revision`), which is how each replica's
  in-memory index finds the rows other replicas changed (:mod:`services.matching.sync`).
- ``pending_events``: events about an aggregate not seen yet (e.g. ``vacancy.filled`` before
  ``vacancy.posted``), replayed when it arrives; ``processed_events``: ids of handled events,
  written in the same transaction as their effects, so redelivery is harmless.
- ``policy_settlements``: a grant, placement or refusal (``leye.programme``) that arrived before the
  ``programme.eligible`` it settles (the two travel in different partitions), kept until that case
  opens and closes at once; purged by age like ``processed_events``.
- ``stations``, ``cases``, ``referrals``: the 红娘 roster and work. The matchmaker's name and phone
  live only in ``stations`` and never leave through events.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    func,
    select,
    update,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from schemas.vocab import CaseOrigin, Education, IndustrySection, KeyGroup, VacancyKind
from services.runtime.db import UTCDateTime, utcnow

from .domain import Person, Vacancy


class Base(DeclarativeBase):
    """This service's tables. Each service has its own metadata: services never share tables."""


OPEN_STATUSES = ("dispatched", "contacted", "referred", "outcome")


class PersonRow(Base):
    __tablename__ = "people"

    person_ref: Mapped[str] = mapped_column(String(64), primary_key=True)
    street_code: Mapped[str] = mapped_column(String(9))
    community: Mapped[str | None] = mapped_column(String(40), nullable=True)
    age: Mapped[int] = mapped_column(Integer)
    education: Mapped[str] = mapped_column(String(2))
    skills: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    desired_industry: Mapped[str | None] = mapped_column(String(1), nullable=True)
    desired_salary_min: Mapped[int | None] = mapped_column(Integer, nullable=True)
    key_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    unemployed_since: Mapped[date | None] = mapped_column(Date, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    revision: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0", index=True)

    def to_domain(self) -> Person:
        return Person(
            person_ref=self.person_ref, street_code=self.street_code, age=self.age,
            education=Education(self.education), skills=dict(self.skills),
            desired_industry=IndustrySection(self.desired_industry) if self.desired_industry else None,
            desired_salary_min=self.desired_salary_min,
            key_groups=frozenset(KeyGroup(g) for g in self.key_groups),
            unemployed_since=self.unemployed_since, community=self.community,
        )


class VacancyRow(Base):
    __tablename__ = "vacancies"

    vacancy_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    employer_ref: Mapped[str] = mapped_column(String(18), index=True)
    industry: Mapped[str] = mapped_column(String(1))
    street_code: Mapped[str] = mapped_column(String(9))
    kind: Mapped[str] = mapped_column(String(20))
    salary_max: Mapped[int] = mapped_column(Integer)
    education_required: Mapped[str | None] = mapped_column(String(2), nullable=True)
    skills_required: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    age_min: Mapped[int | None] = mapped_column(Integer, nullable=True)
    age_max: Mapped[int | None] = mapped_column(Integer, nullable=True)
    valid_until: Mapped[date] = mapped_column(Date)
    remaining: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))  # open | flagged | filled | closed
    revision: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0", index=True)

    def to_domain(self) -> Vacancy:
        return Vacancy(
            vacancy_id=self.vacancy_id, street_code=self.street_code, industry=IndustrySection(self.industry),
            kind=VacancyKind(self.kind), salary_max=self.salary_max,
            education_required=Education(self.education_required) if self.education_required else None,
            skills_required=dict(self.skills_required), age_min=self.age_min, age_max=self.age_max,
            valid_until=self.valid_until, open=self.status == "open",
        )


class EmployerRow(Base):
    __tablename__ = "employers"

    employer_ref: Mapped[str] = mapped_column(String(18), primary_key=True)
    industry: Mapped[str] = mapped_column(String(1))
    street_code: Mapped[str] = mapped_column(String(9))


class IndexRevision(Base):
    """The read models' change counter: a single row (``id`` 1), created by the migration."""

    __tablename__ = "index_revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    value: Mapped[int] = mapped_column(BigInteger)


class PendingEvent(Base):
    """An event about an aggregate this service has not seen yet, kept until it arrives."""

    __tablename__ = "pending_events"

    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    aggregate: Mapped[str] = mapped_column(String(80), index=True)  # "person:<ref>" / "vacancy:<id>"
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProcessedEvent(Base):
    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)  # purged by age


class Station(Base):
    __tablename__ = "stations"

    station_code: Mapped[str] = mapped_column("code", String(64), primary_key=True)  # the column keeps its first name
    street_code: Mapped[str] = mapped_column(String(9), index=True)
    community: Mapped[str] = mapped_column(String(40))
    community_code: Mapped[str | None] = mapped_column(String(12), nullable=True)
    matchmaker_id: Mapped[str] = mapped_column(String(64), index=True)
    matchmaker_name: Mapped[str] = mapped_column(String(40))
    matchmaker_phone: Mapped[str | None] = mapped_column(String(20), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Case(Base):
    __tablename__ = "cases"

    case_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    station_code: Mapped[str] = mapped_column(ForeignKey("stations.code"))
    matchmaker_id: Mapped[str] = mapped_column(String(64))
    street_code: Mapped[str] = mapped_column(String(9))
    origin: Mapped[str] = mapped_column(String(10))
    person_ref: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    vacancy_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    employer_ref: Mapped[str | None] = mapped_column(String(18), nullable=True)
    status: Mapped[str] = mapped_column(String(12))  # dispatched|contacted|referred|outcome|closed
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    contact_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    referral_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    contacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    referred_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    contact_breached: Mapped[bool] = mapped_column(Boolean, default=False)
    referral_breached: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    close_reason: Mapped[str | None] = mapped_column(String(20), nullable=True)
    placed: Mapped[bool] = mapped_column(Boolean, default=False)
    prematched: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # 政策找人 (origin policy): the programme the person was found eligible for, and why, in Chinese.
    programme_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    # 一户一策 (origin household): the 零就业家庭 the case helps.
    household_ref: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)

    __table_args__ = (Index("ix_cases_matchmaker_status", "matchmaker_id", "status"),)


class PolicySettlement(Base):
    """A grant, placement or refusal for a person and programme that found no open policy case."""

    __tablename__ = "policy_settlements"

    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    person_ref: Mapped[str] = mapped_column(String(64))
    programme_code: Mapped[str] = mapped_column(String(40))
    close_reason: Mapped[str] = mapped_column(String(20))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)  # purged by age

    __table_args__ = (Index("ix_policy_settlements_person_programme", "person_ref", "programme_code"),)


class Referral(Base):
    __tablename__ = "referrals"

    referral_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.case_id"), index=True)
    person_ref: Mapped[str] = mapped_column(String(64))
    vacancy_id: Mapped[str] = mapped_column(String(64))
    direction: Mapped[str] = mapped_column(String(20))
    score: Mapped[float] = mapped_column(Float)
    breakdown: Mapped[dict[str, float]] = mapped_column(JSON)
    made_at: Mapped[datetime] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(20), nullable=True)
    outcome_on: Mapped[date | None] = mapped_column(Date, nullable=True)


# --- queries -------------------------------------------------------------------------------------


def open_case_load(session: Session, station_codes: list[str]) -> dict[str, int]:
    """Open cases per station, for load balancing."""
    rows = session.execute(
        select(Case.station_code, func.count()).where(Case.station_code.in_(station_codes),
                                                      Case.status.in_(OPEN_STATUSES))
        .group_by(Case.station_code)
    ).all()
    return {code: count for code, count in rows}


def active_stations(session: Session, street_code: str | None = None, *, lock: bool = False) -> list[Station]:
    query = select(Station).where(Station.active.is_(True)).order_by(Station.station_code)
    if street_code is not None:
        query = query.where(Station.street_code == street_code)
    if lock:  # rows are locked in code order, the same for every caller: no deadlock among them
        query = query.with_for_update()
    return list(session.scalars(query))


def open_case_for_person(session: Session, person_ref: str) -> Case | None:
    """The person's open job-seeking case. A 政策找人 case is about a programme, not a job: it neither
    stops a job-seeking case from opening nor is it closed by an employment registration."""
    return session.scalars(
        select(Case).where(Case.person_ref == person_ref, Case.status.in_(OPEN_STATUSES),
                           Case.origin != CaseOrigin.POLICY.value).limit(1)
    ).first()


def open_policy_case(session: Session, person_ref: str, programme_code: str) -> Case | None:
    return session.scalars(
        select(Case).where(Case.person_ref == person_ref, Case.programme_code == programme_code,
                           Case.origin == CaseOrigin.POLICY.value, Case.status.in_(OPEN_STATUSES)).limit(1)
    ).first()


def open_household_case(session: Session, household_ref: str) -> Case | None:
    return session.scalars(
        select(Case).where(Case.household_ref == household_ref, Case.origin == CaseOrigin.HOUSEHOLD.value,
                           Case.status.in_(OPEN_STATUSES)).limit(1)
    ).first()


def referrals_of(session: Session, case_id: str) -> list[Referral]:
    query = select(Referral).where(Referral.case_id == case_id).order_by(Referral.made_at, Referral.referral_id)
    return list(session.scalars(query))


def stamp_revision(session: Session, person_refs: Collection[str], vacancy_ids: Collection[str]) -> int:
    """Stamp the changed read-model rows with the next revision; call last, just before the commit.

    The counter row is locked from this UPDATE until the commit, so on PostgreSQL revisions are
    handed out in commit order and without gaps (a rolled-back transaction rolls its increment back
    too); SQLite runs one writer at a time anyway. A reader that sees revision ``r`` committed
    therefore sees every revision below it. The changed rows are locked first (sorted), so every
    writer takes its locks in the same order (rows, then the counter) and none can deadlock here.
    """
    people, vacancies = sorted(person_refs), sorted(vacancy_ids)
    session.flush()
    if people:
        session.execute(select(PersonRow.person_ref).where(PersonRow.person_ref.in_(people)).with_for_update())
    if vacancies:
        session.execute(select(VacancyRow.vacancy_id).where(VacancyRow.vacancy_id.in_(vacancies)).with_for_update())
    revision: int = session.execute(
        update(IndexRevision).where(IndexRevision.id == 1).values(value=IndexRevision.value + 1)
        .returning(IndexRevision.value)
    ).scalar_one()
    if people:
        session.execute(update(PersonRow).where(PersonRow.person_ref.in_(people)).values(revision=revision)
                        .execution_options(synchronize_session=False))
    if vacancies:
        session.execute(update(VacancyRow).where(VacancyRow.vacancy_id.in_(vacancies)).values(revision=revision)
                        .execution_options(synchronize_session=False))
    return revision


def current_revision(session: Session) -> int:
    """The newest committed revision: every change up to it is visible to this session."""
    return session.execute(select(IndexRevision.value).where(IndexRevision.id == 1)).scalar_one()

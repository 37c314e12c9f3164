"""Tables and queries of the registration service. Nothing here commits: the request's unit of
work (``services.runtime.http``) commits the person row and its outbox rows together.

Personal data (name, ID number, phone) is stored only as Fernet ciphertext (``*_enc``), under the key
version in ``pii_key_version`` (``crypto.py``); the primary key is ``person_ref``, the keyed hash of
the ID number, which is how a person is found. Every other column is a non-identifying attribute that
may also travel in events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    Select,
    String,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from schemas.vocab import KeyGroup
from services.runtime.db import UTCDateTime, utcnow
from services.runtime.errors import ProblemError

from .domain import Status


class Base(DeclarativeBase):
    """This service's tables. Each service has its own metadata: services never share tables."""


class Person(Base):
    """One person and their current registration. ``version`` guards against two concurrent
    requests changing the same person (optimistic locking: the loser's commit fails, and the unit of
    work answers 409, as it does when two requests register the same new person)."""

    __tablename__ = "persons"

    person_ref: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_enc: Mapped[bytes] = mapped_column(LargeBinary)
    id_number_enc: Mapped[bytes] = mapped_column(LargeBinary)
    phone_enc: Mapped[bytes] = mapped_column(LargeBinary)
    # The key version of the three *_enc columns, which are always written together.
    pii_key_version: Mapped[int] = mapped_column(Integer, index=True)
    street_code: Mapped[str] = mapped_column(String(9), index=True)
    community: Mapped[str | None] = mapped_column(String(40))
    community_code: Mapped[str | None] = mapped_column(String(12), index=True)
    gender: Mapped[str] = mapped_column(String(1))
    age: Mapped[int] = mapped_column(Integer)  # on registered_on
    education: Mapped[str] = mapped_column(String(2))
    skills: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    desired_industry: Mapped[str | None] = mapped_column(String(1))
    desired_salary_min: Mapped[int | None] = mapped_column(Integer)
    desired_salary_max: Mapped[int | None] = mapped_column(Integer)
    graduation_year: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), index=True)
    registered_on: Mapped[date] = mapped_column(Date)
    unemployed_since: Mapped[date | None] = mapped_column(Date)
    unemployment_registered_on: Mapped[date | None] = mapped_column(Date)
    last_followup_on: Mapped[date | None] = mapped_column(Date)
    employed_on: Mapped[date | None] = mapped_column(Date)
    hardship_categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    hardship_certified_on: Mapped[date | None] = mapped_column(Date)
    graduate_case_opened_on: Mapped[date | None] = mapped_column(Date)
    graduate_case_closed_on: Mapped[date | None] = mapped_column(Date)
    graduate_case_close_reason: Mapped[str | None] = mapped_column(String(32))
    closed_on: Mapped[date | None] = mapped_column(Date)
    closure_reason: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer)

    groups: Mapped[list[PersonGroup]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="PersonGroup.key_group"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def current_status(self) -> Status:
        return Status(self.status)

    @property
    def key_groups(self) -> set[KeyGroup]:
        return {KeyGroup(g.key_group) for g in self.groups}

    @key_groups.setter
    def key_groups(self, groups: set[KeyGroup]) -> None:
        keep = [g for g in self.groups if KeyGroup(g.key_group) in groups]
        have = {g.key_group for g in keep}
        self.groups = keep + [PersonGroup(key_group=g.value) for g in sorted(groups) if g.value not in have]


class PersonGroup(Base):
    """Membership of a person in a key group (a table, so work lists can filter portably)."""

    __tablename__ = "person_groups"

    person_ref: Mapped[str] = mapped_column(ForeignKey("persons.person_ref", ondelete="CASCADE"), primary_key=True)
    key_group: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class Followup(Base):
    """One 跟踪回访 of a registered unemployed person."""

    __tablename__ = "followups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_ref: Mapped[str] = mapped_column(ForeignKey("persons.person_ref", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(32))
    followed_up_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Employment(Base):
    """One 就业登记: who employs the person from when, and the platform case/vacancy behind it."""

    __tablename__ = "employments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_ref: Mapped[str] = mapped_column(ForeignKey("persons.person_ref", ondelete="CASCADE"), index=True)
    form: Mapped[str] = mapped_column(String(16))
    employer_ref: Mapped[str | None] = mapped_column(String(18))
    industry_section: Mapped[str | None] = mapped_column(String(1))
    industry_division: Mapped[str | None] = mapped_column(String(2))
    employed_on: Mapped[date] = mapped_column(Date)
    vacancy_id: Mapped[str | None] = mapped_column(String(64))
    case_id: Mapped[str | None] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Household(Base):
    """A household (户): its community and whether it is a 零就业家庭 now. ``zero_employment`` is derived
    (``domain.is_zero_employment``) and written only by ``households.rederive``; ``household_ref`` is
    drawn at random, so it says nothing about the family. No address is kept."""

    __tablename__ = "households"

    household_ref: Mapped[str] = mapped_column(String(64), primary_key=True)
    community_code: Mapped[str] = mapped_column(String(12), index=True)
    street_code: Mapped[str] = mapped_column(String(9), index=True)
    registered_on: Mapped[date] = mapped_column(Date)
    zero_employment: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    zero_employment_since: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer)

    members: Mapped[list[HouseholdMember]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="HouseholdMember.joined_at"
    )

    __mapper_args__ = {"version_id_col": version}


class HouseholdMember(Base):
    """A person's membership of a household. ``person_ref`` is the primary key: a person belongs to
    one household at a time (a concurrent second membership fails at commit, answered with 409)."""

    __tablename__ = "household_members"

    person_ref: Mapped[str] = mapped_column(ForeignKey("persons.person_ref", ondelete="CASCADE"), primary_key=True)
    household_ref: Mapped[str] = mapped_column(ForeignKey("households.household_ref", ondelete="CASCADE"),
                                               index=True)
    relation: Mapped[str] = mapped_column(String(2))
    joined_on: Mapped[date] = mapped_column(Date)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CommunityCertification(Base):
    """One 充分就业社区 certification of a community: its level (``CertificationLevel``) and year. A
    community holds each level once; a level needs the one below it first (``api/communities.py``)."""

    __tablename__ = "community_certifications"
    __table_args__ = (UniqueConstraint("community_code", "level"),)

    certification_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    community_code: Mapped[str] = mapped_column(String(12), index=True)
    street_code: Mapped[str] = mapped_column(String(9))
    level: Mapped[str] = mapped_column(String(16))
    year: Mapped[int] = mapped_column(Integer, index=True)
    certified_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PiiKeyRotation(Base):
    """One run of ``leye registration pii rotate``: who ran it where, from which key versions to which,
    how many rows it re-encrypted and how it ended. No personal data."""

    __tablename__ = "pii_key_rotations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    operator: Mapped[str] = mapped_column(String(64))
    host: Mapped[str] = mapped_column(String(255))
    from_versions: Mapped[str] = mapped_column(String(200))  # e.g. "0,1": the versions found to rewrite
    to_version: Mapped[int] = mapped_column(Integer)
    rows_done: Mapped[int] = mapped_column(Integer)
    rows_skipped: Mapped[int] = mapped_column(Integer)  # changed by the service meanwhile; a re-run takes them
    status: Mapped[str] = mapped_column(String(16))  # running, finished, interrupted, failed


# --- unit-of-work helpers -------------------------------------------------------------------------


def get_person(session: Session, ref: str) -> Person | None:
    return session.get(Person, ref)


def require_person(session: Session, ref: str) -> Person:
    """The person, or a 404 problem."""
    person = get_person(session, ref)
    if person is None:
        raise ProblemError(404, "person_not_found", "未找到该人员的登记记录")
    return person


def require_household(session: Session, ref: str) -> Household:
    """The household, or a 404 problem."""
    household = session.get(Household, ref)
    if household is None:
        raise ProblemError(404, "household_not_found", "未找到该户")
    return household


def membership(session: Session, person_ref: str) -> HouseholdMember | None:
    """The person's current membership, if any."""
    return session.get(HouseholdMember, person_ref)


# --- work lists -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """Work-list filters shared by every list; ``None`` means no filter."""

    street_code: str | None = None
    key_group: KeyGroup | None = None
    status: Status | None = None

    def apply(self, query: Select[Person]) -> Select[Person]:
        if self.street_code is not None:
            query = query.where(Person.street_code == self.street_code)
        if self.status is not None:
            query = query.where(Person.status == self.status.value)
        if self.key_group is not None:
            query = query.where(
                select(PersonGroup.person_ref)
                .where(PersonGroup.person_ref == Person.person_ref, PersonGroup.key_group == self.key_group.value)
                .exists()
            )
        return query


def followups_due(cutoff: date) -> Select[Person]:
    """Registered unemployed whose last follow-up (or, without one, unemployment registration) is on
    or before ``cutoff``; longest-waiting first."""
    anchor = func.coalesce(Person.last_followup_on, Person.unemployment_registered_on)
    return (
        select(Person)
        .where(Person.status == Status.UNEMPLOYED.value, anchor <= cutoff)
        .order_by(anchor, Person.person_ref)
    )


def long_term_unemployed(cutoff: date) -> Select[Person]:
    """Registered unemployed since ``cutoff`` or earlier; longest spell first."""
    return (
        select(Person)

        .where(Person.status == Status.UNEMPLOYED.value, Person.unemployed_since <= cutoff)
        .order_by(Person.unemployed_since, Person.person_ref)
    )


def graduates(case_open: bool | None) -> Select[Person]:
    """The 离校未就业 ledger: every person who ever had a graduate case, open or closed (销号)."""
    query = select(Person).where(Person.graduate_case_opened_on.is_not(None))
    if case_open is True:
        query = query.where(Person.graduate_case_closed_on.is_(None))
    elif case_open is False:
        query = query.where(Person.graduate_case_closed_on.is_not(None))
    return query.order_by(Person.graduate_case_opened_on, Person.person_ref)


def page(session: Session, query: Select[Person], limit: int, offset: int) -> tuple[int, list[Person]]:
    """``(total, people)`` for one page of a work-list query."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    return int(total), list(session.scalars(query.limit(limit).offset(offset)))

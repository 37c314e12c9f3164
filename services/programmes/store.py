"""SQLAlchemy models of the programmes service. Never commits: the runtime's unit of work commits the
rows with their outbox events.

A recipient is a ``person_ref`` (the pseudonym; this service never holds names, ID or phone numbers)
or an ``employer_ref``; exactly one of the two is set on loans, grants and payments. Amounts are
whole 元.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.runtime.db import UTCDateTime, utcnow


class Base(DeclarativeBase):
    """This service's tables. Each service has its own metadata: services never share tables."""


class Course(Base):
    """A training course of a training programme."""

    __tablename__ = "courses"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    programme_code: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(100))
    occupation: Mapped[str | None] = mapped_column(String(60))
    level: Mapped[int | None] = mapped_column(Integer)
    street_code: Mapped[str] = mapped_column(String(9))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    capacity: Mapped[int] = mapped_column(Integer)
    enrolled_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer)

    # Optimistic locking: two enrolments into the last seat cannot both pass the capacity check
    # (the second one's UPDATE fails and the unit of work answers 409).
    __mapper_args__ = {"version_id_col": version}


class Enrolment(Base):
    """A person in a course; ``completed_on`` once they completed it."""

    __tablename__ = "enrolments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id"))
    programme_code: Mapped[str] = mapped_column(String(40))
    person_ref: Mapped[str] = mapped_column(String(64))
    street_code: Mapped[str] = mapped_column(String(9))
    enrolled_on: Mapped[date] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)
    certificate: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer)

    __table_args__ = (UniqueConstraint("course_id", "person_ref", name="ux_enrolments_course_person"),)
    __mapper_args__ = {"version_id_col": version}  # see Course


class Loan(Base):
    """A 创业担保贷款 as issued, with the catalogue version whose caps it was checked against."""

    __tablename__ = "loans"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    programme_code: Mapped[str] = mapped_column(String(40))
    person_ref: Mapped[str | None] = mapped_column(String(64), index=True)
    employer_ref: Mapped[str | None] = mapped_column(String(18), index=True)
    street_code: Mapped[str] = mapped_column(String(9))
    amount_yuan: Mapped[int] = mapped_column(Integer)
    term_months: Mapped[int] = mapped_column(Integer)
    interest_subsidy_yuan: Mapped[int] = mapped_column(Integer)
    issued_on: Mapped[date] = mapped_column(Date)
    rule_version: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Grant(Base):
    """A subsidy decision. ``exclusive_key`` is set (programme[:kind]:recipient) when the programme
    or kind is one-off, so the unique index refuses a second grant even under concurrency."""

    __tablename__ = "grants"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    programme_code: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str | None] = mapped_column(String(40))
    person_ref: Mapped[str | None] = mapped_column(String(64), index=True)
    employer_ref: Mapped[str | None] = mapped_column(String(18), index=True)
    street_code: Mapped[str] = mapped_column(String(9))
    amount_yuan: Mapped[int] = mapped_column(Integer)
    paid_yuan: Mapped[int] = mapped_column(Integer, default=0)
    granted_on: Mapped[date] = mapped_column(Date)
    rule_version: Mapped[str] = mapped_column(String(40))
    enrolment_id: Mapped[str | None] = mapped_column(ForeignKey("enrolments.id"))
    months: Mapped[int | None] = mapped_column(Integer)
    contributions_yuan: Mapped[int | None] = mapped_column(Integer)
    exclusive_key: Mapped[str | None] = mapped_column(String(160), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}  # two payments at once cannot overpay a grant


class Payment(Base):
    """Money paid out on a grant, with the catalogue version of the grant's rule."""

    __tablename__ = "payments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    grant_id: Mapped[str] = mapped_column(ForeignKey("grants.id"), index=True)
    programme_code: Mapped[str] = mapped_column(String(40))
    person_ref: Mapped[str | None] = mapped_column(String(64))
    employer_ref: Mapped[str | None] = mapped_column(String(18))
    street_code: Mapped[str] = mapped_column(String(9))
    amount_yuan: Mapped[int] = mapped_column(Integer)
    paid_on: Mapped[date] = mapped_column(Date)
    rule_version: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Placement(Base):
    """A person placed by a placement programme: 就业见习 (host employer, 见习岗位, retained after),
    大学生实习 (school) or 公益性岗位 (托底安置). ``ended_on`` once it ended."""

    __tablename__ = "placements"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    programme_code: Mapped[str] = mapped_column(String(40))
    person_ref: Mapped[str] = mapped_column(String(64), index=True)
    employer_ref: Mapped[str] = mapped_column(String(18))
    street_code: Mapped[str] = mapped_column(String(9))
    vacancy_id: Mapped[str | None] = mapped_column(String(64))
    school: Mapped[str | None] = mapped_column(String(60))
    safety_net: Mapped[bool] = mapped_column(Boolean)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    retained_after: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}  # see Course

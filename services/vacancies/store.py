"""SQLAlchemy models of the vacancies service and the queries its routes share. Never commits:
the runtime's unit of work (or ``expire_due``) commits the rows with their outbox events.

Codes (industry, 街镇, kinds, reasons) are stored as their wire codes; lists and maps as JSON.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from services.runtime.db import UTCDateTime, utcnow


class Base(DeclarativeBase):
    """This service's tables. Each service has its own metadata: services never share tables."""


class Employer(Base):
    """An employer by 统一社会信用代码. ``name`` stays here: it may be a person's (个体工商户)."""

    __tablename__ = "employers"

    # The 统一社会信用代码; the column keeps its first name (public and event name: employer_ref).
    employer_ref: Mapped[str] = mapped_column("credit_code", String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    industry_section: Mapped[str] = mapped_column(String(1))
    industry_division: Mapped[str | None] = mapped_column(String(2))
    street_code: Mapped[str] = mapped_column(String(9))
    community_code: Mapped[str | None] = mapped_column(String(12), nullable=True)
    staff_count: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Vacancy(Base):
    """A job posting; ``status`` is a ``domain.VacancyStatus``, ``flag_reasons`` the screening findings."""

    __tablename__ = "vacancies"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    employer_ref: Mapped[str] = mapped_column(ForeignKey("employers.credit_code"))
    title: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(Text)
    industry_section: Mapped[str] = mapped_column(String(1))
    industry_division: Mapped[str | None] = mapped_column(String(2))
    street_code: Mapped[str] = mapped_column(String(9))
    kind: Mapped[str] = mapped_column(String(20))
    headcount: Mapped[int] = mapped_column(Integer)
    filled_count: Mapped[int] = mapped_column(Integer, default=0)
    salary_min: Mapped[int] = mapped_column(Integer)
    salary_max: Mapped[int] = mapped_column(Integer)
    education_required: Mapped[str | None] = mapped_column(String(2))
    skills_required: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    age_min: Mapped[int | None] = mapped_column(Integer)
    age_max: Mapped[int | None] = mapped_column(Integer)
    requirements: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    flag_reasons: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    close_reason: Mapped[str | None] = mapped_column(String(20))
    closed_on: Mapped[date | None] = mapped_column(Date)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    # The 缺工 report of a key enterprise this posting answers (api/enterprises.py), if any.
    shortage_id: Mapped[str | None] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_vacancies_status_valid_until", "status", "valid_until"),)
    # Optimistic locking: every ORM UPDATE checks and bumps ``version``, so a request that read the row
    # before another one changed it fails (StaleDataError: the unit of work answers 409) instead of
    # overwriting that change.
    # SQLite reads outside the write transaction, so row locks alone would not prevent lost updates.
    __mapper_args__ = {"version_id_col": version}


class RecruitmentSession(Base):
    """A 招聘会 or 直播带岗 session; ``status`` is a ``domain.SessionStatus``."""

    __tablename__ = "recruitment_sessions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(100))
    street_code: Mapped[str] = mapped_column(String(9))
    vacancy_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20))
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    viewers: Mapped[int | None] = mapped_column(Integer)
    applications: Mapped[int | None] = mapped_column(Integer)
    hires: Mapped[int | None] = mapped_column(Integer)
    # ``domain.SessionSource`` once ended: totals counted from the live records, or typed in.
    source: Mapped[str | None] = mapped_column(String(10))
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}  # see Vacancy


class ViewerSample(Base):
    """How many watched a 直播带岗 session at one moment; one per session and sample time."""

    __tablename__ = "session_viewer_samples"

    session_id: Mapped[str] = mapped_column(ForeignKey("recruitment_sessions.id"), primary_key=True)
    sampled_at: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    viewers: Mapped[int] = mapped_column(Integer)


class SessionApplication(Base):
    """An application made during a 直播带岗 session by a person (pseudonymous ``person_ref``) for one of
    the vacancies it shows; ``outcome`` (``ApplicationOutcome``) once the employer decided. One per
    session, vacancy and person: applying again is the same application."""

    __tablename__ = "session_applications"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("recruitment_sessions.id"))
    vacancy_id: Mapped[str] = mapped_column(String(36))
    person_ref: Mapped[str] = mapped_column(String(64))
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(10))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ux_session_applications_person", "session_id", "vacancy_id", "person_ref",
                            unique=True),)
    __mapper_args__ = {"version_id_col": version}  # see Vacancy


class LayoffReport(Base):
    """A layoff plan with the art. 41 assessment made when it was filed."""

    __tablename__ = "layoff_reports"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    employer_ref: Mapped[str] = mapped_column(ForeignKey("employers.credit_code"))
    staff_count: Mapped[int] = mapped_column("total_staff", Integer)  # the column keeps its first name
    planned_cuts: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(40))
    notified_on: Mapped[date] = mapped_column(Date)
    planned_on: Mapped[date] = mapped_column(Date)
    is_mass_layoff: Mapped[bool] = mapped_column(Boolean)
    notice_days: Mapped[int] = mapped_column(Integer)
    notice_compliant: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class HeadcountReport(Base):
    """A monthly headcount report. At most one per employer and month is current
    (``superseded_by`` null); the partial unique index makes that hold under concurrency too."""

    __tablename__ = "headcount_reports"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    employer_ref: Mapped[str] = mapped_column(ForeignKey("employers.credit_code"))
    month: Mapped[str] = mapped_column(String(7))
    baseline_headcount: Mapped[int] = mapped_column(Integer)
    current_headcount: Mapped[int] = mapped_column(Integer)
    decreases: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    supersedes_report_id: Mapped[str | None] = mapped_column(String(36))
    superseded_by: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("ux_headcount_current", "employer_ref", "month", unique=True,
              sqlite_where=superseded_by.is_(None), postgresql_where=superseded_by.is_(None)),
    )


class KeyEnterprise(Base):
    """A 重点企业 with its assigned officer (一企一专员). The officer's name is the bureau's staff data:
    it stays here, events carry ``officer_id`` only."""

    __tablename__ = "key_enterprises"

    employer_ref: Mapped[str] = mapped_column(ForeignKey("employers.credit_code"), primary_key=True)
    officer_id: Mapped[str] = mapped_column(String(64))
    officer_name: Mapped[str] = mapped_column(String(40))
    enrolled_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}  # see Vacancy


class EnterpriseIssue(Base):
    """One problem on a key enterprise's ledger (挂账), open until ``closed_on`` (销号)."""

    __tablename__ = "enterprise_issues"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    employer_ref: Mapped[str] = mapped_column(ForeignKey("key_enterprises.employer_ref"))
    kind: Mapped[str] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(String(200))
    opened_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    resolution: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_enterprise_issues_employer", "employer_ref", "opened_on"),)
    __mapper_args__ = {"version_id_col": version}  # two closings at once: one wins, the other gets 409


class Shortage(Base):
    """A key enterprise's labour shortage (缺工) in one occupation, open until ``closed_on``."""

    __tablename__ = "shortages"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    employer_ref: Mapped[str] = mapped_column(ForeignKey("key_enterprises.employer_ref"))
    occupation_code: Mapped[str] = mapped_column(String(11))
    occupation: Mapped[str] = mapped_column(String(60))
    headcount: Mapped[int] = mapped_column(Integer)
    reported_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_shortages_open", "closed_on", "employer_ref"),)
    __mapper_args__ = {"version_id_col": version}


class MonitoredEnterprise(Base):
    """An enterprise enrolled in 失业动态监测 with its baseline headcount, fixed at enrolment."""

    __tablename__ = "monitored_enterprises"

    employer_ref: Mapped[str] = mapped_column(ForeignKey("employers.credit_code"), primary_key=True)
    baseline_headcount: Mapped[int] = mapped_column(Integer)
    enrolled_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class HeadcountWarning(Base):
    """The warning of one 街镇 whose monitored enterprises have overdue monthly reports (``overdue.py``).
    At most one is open per 街镇: the partial unique index makes a second replica's insert fail."""

    __tablename__ = "headcount_warnings"

    alert_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    street_code: Mapped[str] = mapped_column(String(9))
    level: Mapped[str] = mapped_column(String(10))
    value: Mapped[int] = mapped_column(Integer)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ux_headcount_warning_open", "street_code", unique=True,
              sqlite_where=resolved_at.is_(None), postgresql_where=resolved_at.is_(None)),
    )


def open_vacancies(
    session: Session, *, street_code: str | None, industry_section: str | None, kind: str | None,
    employer_ref: str | None, limit: int, offset: int, statuses: frozenset[str], today: date,
) -> tuple[list[Vacancy], int]:
    """One page of the open stock (oldest first) and the total matching the filters. Postings whose
    validity ended before ``today`` are left out even before the expiry task has closed them."""
    query = select(Vacancy).where(Vacancy.status.in_(statuses), Vacancy.valid_until >= today)
    for column, value in ((Vacancy.street_code, street_code), (Vacancy.industry_section, industry_section),
                          (Vacancy.kind, kind), (Vacancy.employer_ref, employer_ref)):
        if value is not None:
            query = query.where(column == value)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Vacancy.created_at, Vacancy.id).limit(limit).offset(offset)).all()
    return list(rows), int(total)


def latest_headcount_report(session: Session, employer_ref: str) -> HeadcountReport | None:
    """The employer's report for its latest reported month (the correction, if it was corrected)."""
    return session.scalar(
        select(HeadcountReport).where(HeadcountReport.employer_ref == employer_ref,
                                      HeadcountReport.superseded_by.is_(None))
        .order_by(HeadcountReport.month.desc()).limit(1)
    )


def current_headcount_report(session: Session, employer_ref: str, month: str) -> HeadcountReport | None:
    return session.scalar(
        select(HeadcountReport).where(HeadcountReport.employer_ref == employer_ref,
                                      HeadcountReport.month == month, HeadcountReport.superseded_by.is_(None))

    )


def reported_months(session: Session, employer_refs: list[str] | None = None) -> dict[str, set[str]]:
    """The months each enterprise has a current headcount report for (all enterprises when ``None``)."""
    query = select(HeadcountReport.employer_ref, HeadcountReport.month).where(HeadcountReport.superseded_by.is_(None))
    if employer_refs is not None:
        query = query.where(HeadcountReport.employer_ref.in_(employer_refs))
    months: dict[str, set[str]] = {}
    for ref, month in session.execute(query):
        months.setdefault(ref, set()).add(month)
    return months

"""SQLAlchemy models of the programmes service. Never commits: the runtime's unit of work commits the
rows with their outbox events.

Besides the records of delivery, the service keeps a read model of the facts about people and
employers it needs (``person_facts``, ``employer_facts``, fed from ``leye.registration`` and
``leye.vacancy`` by ``handlers.FactApplier``; codes and numbers only), what it last found about each
person's eligibility (``eligibilities``) and the ids of the events it applied (``processed_events``).

A recipient is a ``person_ref`` (the pseudonym; this service never holds names, ID or phone numbers)
or an ``employer_ref``; exactly one of the two is set on loans, grants and payments. Amounts are
whole 元.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.runtime.db import UTCDateTime, utcnow

from .facts import PersonFacts


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
    # the day 政策找人 found the person eligible for the programme, when it did by the grant's date:
    # the start of the time to benefit (docs/PROGRAMMES.md, "Time to benefit")
    eligible_on: Mapped[date | None] = mapped_column(Date)
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


class Refusal(Base):
    """A programme refused to a person (declined, not eligible on review, unreachable): it settles
    their eligibility for it, as a grant does."""

    __tablename__ = "refusals"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    programme_code: Mapped[str] = mapped_column(String(40))
    person_ref: Mapped[str] = mapped_column(String(64), index=True)
    street_code: Mapped[str] = mapped_column(String(9))
    reason: Mapped[str] = mapped_column(String(20))
    refused_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Certificate(Base):
    """A 职业技能 certificate issued to a person. ``number`` is the certificate's own number: it
    identifies its holder, so it is kept here and never published (the event has the rest)."""

    __tablename__ = "certificates"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    person_ref: Mapped[str] = mapped_column(String(64), index=True)
    street_code: Mapped[str] = mapped_column(String(9))
    occupation_code: Mapped[str] = mapped_column(String(12))
    level: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    issued_on: Mapped[date] = mapped_column(Date)
    programme_code: Mapped[str | None] = mapped_column(String(40))
    enrolment_id: Mapped[str | None] = mapped_column(ForeignKey("enrolments.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Incubator(Base):
    """A 创业孵化基地: its current ``level`` and the day it was recognised at it (``level_since``); every
    recognition is also a row of ``incubator_recognitions``."""

    __tablename__ = "incubators"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    street_code: Mapped[str] = mapped_column(String(9))
    level: Mapped[str] = mapped_column(String(12))
    level_since: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}  # two upgrades at once cannot both pass the order check


class IncubatorRecognition(Base):
    """One recognition (认定) of a base at a level, in the order they happened."""

    __tablename__ = "incubator_recognitions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    incubator_id: Mapped[str] = mapped_column(ForeignKey("incubators.id"), index=True)
    level: Mapped[str] = mapped_column(String(12))
    recognised_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Incubation(Base):
    """A firm's stay in a base, from ``entered_on`` to ``left_on`` (none while it stays)."""

    __tablename__ = "incubations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    incubator_id: Mapped[str] = mapped_column(ForeignKey("incubators.id"), index=True)
    employer_ref: Mapped[str] = mapped_column(String(18), index=True)
    entered_on: Mapped[date] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}  # see Course


class IncubationJobs(Base):
    """Jobs an incubated firm reported creating since its previous report (创业带动就业)."""

    __tablename__ = "incubation_jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    incubation_id: Mapped[str] = mapped_column(ForeignKey("incubations.id"), index=True)
    headcount: Mapped[int] = mapped_column(Integer)
    reported_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# --- read model (政策找人) ---------------------------------------------------------------------------


class PersonFactsRow(Base):
    """The facts eligibility rules read about one person (``facts.PersonFacts``), as the last
    registration event left them. A row exists once any event about the person was applied: that
    is how the recording routes know a ``person_ref`` exists."""

    __tablename__ = "person_facts"

    person_ref: Mapped[str] = mapped_column(String(64), primary_key=True)
    street_code: Mapped[str] = mapped_column(String(9))
    key_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str | None] = mapped_column(String(12))
    employment_form: Mapped[str | None] = mapped_column(String(20))
    unemployment_spells: Mapped[int] = mapped_column(Integer, default=0)
    graduation_year: Mapped[int | None] = mapped_column(Integer)
    zero_employment_household: Mapped[str | None] = mapped_column(String(3))
    # the 零就业家庭 the person is a member of while it is one (its clearing names no members)
    household_ref: Mapped[str | None] = mapped_column(String(64), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def facts(self) -> PersonFacts:
        return PersonFacts(street_code=self.street_code, key_groups=frozenset(self.key_groups), status=self.status,
                           employment_form=self.employment_form, unemployment_spells=self.unemployment_spells,
                           graduation_year=self.graduation_year,
                           zero_employment_household=self.zero_employment_household)

    def put(self, facts: PersonFacts, now: datetime) -> None:
        assert facts.street_code is not None  # every person event names the 街镇
        self.street_code, self.key_groups = facts.street_code, sorted(facts.key_groups)
        self.status, self.employment_form = facts.status, facts.employment_form
        self.unemployment_spells, self.graduation_year = facts.unemployment_spells, facts.graduation_year
        self.zero_employment_household = facts.zero_employment_household
        self.updated_at = now


class EmployerFactsRow(Base):
    """An employer known from ``employer.registered``: the recording routes' check that an
    ``employer_ref`` exists."""

    __tablename__ = "employer_facts"

    employer_ref: Mapped[str] = mapped_column(String(18), primary_key=True)
    street_code: Mapped[str] = mapped_column(String(9))
    industry: Mapped[str] = mapped_column(String(1))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Eligibility(Base):
    """What the last evaluation of a programme's rule found for a person. ``eligible`` turns true
    with a ``programme.eligible`` event (``event_id``; none when the person had already received the
    one-off programme) and false again when a fact it read no longer satisfies the rule."""

    __tablename__ = "eligibilities"

    person_ref: Mapped[str] = mapped_column(String(64), primary_key=True)
    programme_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    eligible: Mapped[bool] = mapped_column(Boolean)
    rule_version: Mapped[str] = mapped_column(String(40))
    clauses: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    found_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    event_id: Mapped[str | None] = mapped_column(String(36))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FactsHistoryRow(Base):
    """A person's facts as each change left them, with the day it was recorded (Asia/Shanghai): what
    资金监管 reads for "the person's facts on the grant's day". A row only when a fact changed."""

    __tablename__ = "person_facts_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_ref: Mapped[str] = mapped_column(String(64), index=True)
    recorded_on: Mapped[date] = mapped_column(Date)
    street_code: Mapped[str] = mapped_column(String(9))
    key_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str | None] = mapped_column(String(12))
    employment_form: Mapped[str | None] = mapped_column(String(20))
    unemployment_spells: Mapped[int] = mapped_column(Integer, default=0)
    graduation_year: Mapped[int | None] = mapped_column(Integer)

    def facts(self) -> PersonFacts:
        return PersonFacts(street_code=self.street_code, key_groups=frozenset(self.key_groups), status=self.status,
                           employment_form=self.employment_form, unemployment_spells=self.unemployment_spells,
                           graduation_year=self.graduation_year)


class EmploymentSpellRow(Base):
    """A period of employment from the registration events (就业登记 starts one and ends the one before,
    失业登记 ends it): which months a person worked, in which form, for 资金监管."""

    __tablename__ = "employment_spells"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    person_ref: Mapped[str] = mapped_column(String(64), index=True)
    form: Mapped[str] = mapped_column(String(20))
    employer_ref: Mapped[str | None] = mapped_column(String(18))
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)


class VacancyFactsRow(Base):
    """A posting known from ``vacancy.posted`` / ``vacancy.updated``: its employer and kind, so a
    placement names a 见习岗位 or 公益性岗位 of its host."""

    __tablename__ = "vacancy_facts"

    vacancy_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    employer_ref: Mapped[str] = mapped_column(String(18))
    kind: Mapped[str] = mapped_column(String(20))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FundFlag(Base):
    """A 资金监管 flag raised on ``leye.alert``: one row per breach (``breach_key`` unique), written in
    the transaction that found it with its ``alert.raised`` event, so a breach found again (a
    redelivered event, a later payment on the same grant) is not flagged twice — nor once the bureau
    has resolved it (``resolution``: reviewed, with its reason, who and when; ``alert.resolved``)."""

    __tablename__ = "fund_flags"

    alert_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    rule: Mapped[str] = mapped_column(String(64))
    breach_key: Mapped[str] = mapped_column(String(240), unique=True)
    subject_ref: Mapped[str] = mapped_column(String(64))
    street_code: Mapped[str] = mapped_column(String(9))
    level: Mapped[str] = mapped_column(String(10))
    summary: Mapped[str] = mapped_column(String(300))
    event_id: Mapped[str] = mapped_column(String(36))
    flagged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # the alert's measure, sent again on its resolution (none on flags raised before they were kept)
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    threshold: Mapped[float | None] = mapped_column(Float, nullable=True)
    window: Mapped[str | None] = mapped_column("alert_window", String(8), nullable=True)  # WINDOW is SQL's
    resolution: Mapped[str | None] = mapped_column(String(20), nullable=True)
    resolution_note: Mapped[str | None] = mapped_column(String(500), nullable=True)
    resolved_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_event_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    version: Mapped[int] = mapped_column(Integer, server_default="1")

    __mapper_args__ = {"version_id_col": version}  # two reviews at once cannot both resolve the flag


class ProcessedEvent(Base):
    """Ids of the events the read model applied, written with their effects: redelivery is a no-op."""

    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)  # purged by age

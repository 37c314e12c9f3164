"""Event construction: stored rows -> event data models of ``schemas.events`` -> outbox.

Every function stages its event in the caller's session (``add_event``), so the event commits with
the row it describes or not at all. Rows hold wire codes; the strict event models want enum members
and value objects, which ``_industry`` and friends rebuild.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from schemas import new_event
from schemas.events.alert import AlertRaised, AlertResolved, AlertUpdated
from schemas.events.base import EventData
from schemas.events.enterprise import (
    IssueClosed,
    IssueOpened,
    KeyEnterpriseRegistered,
    MonitoringEnrolled,
    ShortageClosed,
    ShortageReported,
)
from schemas.events.layoff import HeadcountReported, LayoffReported
from schemas.events.vacancy import (
    EmployerRegistered,
    FlagReason,
    RecruitmentApplicationDecided,
    RecruitmentApplicationReceived,
    RecruitmentSessionEnded,
    RecruitmentSessionScheduled,
    RecruitmentSessionStarted,
    RecruitmentViewersSampled,
    VacancyClosed,
    VacancyFilled,
    VacancyFlagged,
    VacancyPosted,
    VacancyUpdated,
)
from schemas.fields import Industry, Skill
from schemas.vocab import (
    AlertLevel,
    AlertSource,
    DecreaseType,
    Education,
    EnterpriseIssueKind,
    FlagCategory,
    IndustrySection,
    LayoffReason,
    ScopeKind,
    SessionKind,
    SessionSource,
    VacancyCloseReason,
    VacancyKind,
)
from services.runtime.outbox import add_event

from .domain import OVERDUE_LEVELS, OVERDUE_SIGNAL
from .store import (
    Employer,
    EnterpriseIssue,
    HeadcountReport,
    KeyEnterprise,
    LayoffReport,
    MonitoredEnterprise,
    RecruitmentSession,
    SessionApplication,
    Shortage,
    Vacancy,
)

SOURCE = "/services/vacancies"


def publish(session: Session, data: EventData) -> str:
    """Stage one event in the unit of work; return its id."""
    event = new_event(data, source=SOURCE)
    add_event(session, event)
    return event.id


def industry_of(section: str, division: str | None) -> Industry:
    return Industry(section=IndustrySection(section), division=division)


def employer_registered(employer: Employer) -> EmployerRegistered:
    return EmployerRegistered(
        employer_ref=employer.employer_ref,
        industry=industry_of(employer.industry_section, employer.industry_division),
        street_code=employer.street_code, community_code=employer.community_code, staff_count=employer.staff_count,
    )


def vacancy_state(vacancy: Vacancy, *, first: bool) -> VacancyPosted | VacancyUpdated:
    """``vacancy.posted`` the first time a posting is published, ``vacancy.updated`` afterwards."""
    model = VacancyPosted if first else VacancyUpdated
    return model(
        vacancy_id=vacancy.id, employer_ref=vacancy.employer_ref, title=vacancy.title,
        industry=industry_of(vacancy.industry_section, vacancy.industry_division),
        street_code=vacancy.street_code, kind=VacancyKind(vacancy.kind), headcount=vacancy.headcount,
        salary_min=vacancy.salary_min, salary_max=vacancy.salary_max,
        education_required=Education(vacancy.education_required) if vacancy.education_required else None,
        skills_required=[Skill(name=s["name"], level=s["level"]) for s in vacancy.skills_required],
        age_min=vacancy.age_min, age_max=vacancy.age_max,
        valid_from=vacancy.valid_from, valid_until=vacancy.valid_until, shortage_id=vacancy.shortage_id,
    )


def vacancy_flagged(vacancy: Vacancy) -> VacancyFlagged:
    return VacancyFlagged(
        vacancy_id=vacancy.id, employer_ref=vacancy.employer_ref, street_code=vacancy.street_code,
        reasons=[FlagReason(category=FlagCategory(r["category"]), explanation=r["explanation"])
                 for r in vacancy.flag_reasons],
    )


def vacancy_filled(vacancy: Vacancy, count: int, person_ref: str | None) -> VacancyFilled:
    remaining = vacancy.headcount - vacancy.filled_count
    return VacancyFilled(
        vacancy_id=vacancy.id, street_code=vacancy.street_code, kind=VacancyKind(vacancy.kind),
        filled_count=count, remaining=remaining, fully_filled=remaining == 0, person_ref=person_ref,
    )


def vacancy_closed(vacancy_id: str, reason: VacancyCloseReason, closed_on: date) -> VacancyClosed:
    return VacancyClosed(vacancy_id=vacancy_id, reason=reason, closed_on=closed_on)


def session_scheduled(row: RecruitmentSession) -> RecruitmentSessionScheduled:
    return RecruitmentSessionScheduled(
        session_id=row.id, kind=SessionKind(row.kind), street_code=row.street_code,
        scheduled_at=row.scheduled_at, vacancy_ids=list(row.vacancy_ids),
    )


def session_started(row: RecruitmentSession, started_at: datetime) -> RecruitmentSessionStarted:
    return RecruitmentSessionStarted(
        session_id=row.id, kind=SessionKind(row.kind), street_code=row.street_code, started_at=started_at,
    )


def session_ended(row: RecruitmentSession, ended_at: datetime) -> RecruitmentSessionEnded:
    return RecruitmentSessionEnded(
        session_id=row.id, kind=SessionKind(row.kind), street_code=row.street_code, ended_at=ended_at,
        vacancy_ids=list(row.vacancy_ids), viewers=row.viewers or 0, applications=row.applications or 0,
        hires=row.hires or 0, source=SessionSource(row.source or SessionSource.REPORTED),
    )


def viewers_sampled(row: RecruitmentSession, sampled_at: datetime, viewers: int) -> RecruitmentViewersSampled:
    return RecruitmentViewersSampled(
        session_id=row.id, kind=SessionKind(row.kind), street_code=row.street_code, sampled_at=sampled_at,
        viewers=viewers,
    )


def application_received(row: RecruitmentSession, app: SessionApplication) -> RecruitmentApplicationReceived:
    return RecruitmentApplicationReceived(
        session_id=row.id, kind=SessionKind(row.kind), street_code=row.street_code, application_id=app.id,
        vacancy_id=app.vacancy_id, person_ref=app.person_ref, applied_at=app.applied_at,
    )


def application_decided(row: RecruitmentSession, app: SessionApplication) -> RecruitmentApplicationDecided:
    assert app.decided_at is not None  # set by the route before it publishes
    return RecruitmentApplicationDecided(
        session_id=row.id, kind=SessionKind(row.kind), street_code=row.street_code, application_id=app.id,
        vacancy_id=app.vacancy_id, person_ref=app.person_ref, hired=app.outcome == "hired",
        decided_at=app.decided_at,
    )


def layoff_reported(report: LayoffReport, employer: Employer) -> LayoffReported:
    return LayoffReported(
        report_id=report.id, employer_ref=report.employer_ref,
        industry=industry_of(employer.industry_section, employer.industry_division),
        street_code=employer.street_code, staff_count=report.staff_count, planned_cuts=report.planned_cuts,
        reason=LayoffReason(report.reason), notified_on=report.notified_on, planned_on=report.planned_on,
        is_mass_layoff=report.is_mass_layoff, notice_days=report.notice_days,
        notice_compliant=report.notice_compliant,
    )


def headcount_reported(report: HeadcountReport, employer: Employer) -> HeadcountReported:
    return HeadcountReported(
        report_id=report.id, employer_ref=report.employer_ref, month=report.month,
        industry=industry_of(employer.industry_section, employer.industry_division),
        street_code=employer.street_code, baseline_headcount=report.baseline_headcount,
        current_headcount=report.current_headcount,
        decreases={DecreaseType(k): v for k, v in report.decreases.items()},
        supersedes_report_id=report.supersedes_report_id,
    )


# --- key enterprises and monitored enterprises (leye.enterprise) -------------------------------------


def key_enterprise_registered(row: KeyEnterprise, employer: Employer) -> KeyEnterpriseRegistered:
    """Never the officer's name: the event names the officer by id only."""
    return KeyEnterpriseRegistered(
        employer_ref=row.employer_ref, street_code=employer.street_code,
        industry=industry_of(employer.industry_section, employer.industry_division),
        officer_id=row.officer_id, enrolled_on=row.enrolled_on,
    )


def issue_event(row: EnterpriseIssue, employer: Employer) -> IssueOpened | IssueClosed:
    """``issue_opened`` for an open issue, ``issue_closed`` once it has a closing day. Neither carries
    the summary or the resolution (free text that may name people)."""
    opened = IssueOpened(employer_ref=row.employer_ref, street_code=employer.street_code, issue_id=row.id,
                         kind=EnterpriseIssueKind(row.kind), opened_on=row.opened_on, due_on=row.due_on)
    if row.closed_on is None:
        return opened
    return IssueClosed(**dict(opened), closed_on=row.closed_on)


def shortage_event(row: Shortage, employer: Employer) -> ShortageReported | ShortageClosed:
    reported = ShortageReported(
        employer_ref=row.employer_ref, street_code=employer.street_code, shortage_id=row.id,
        industry=industry_of(employer.industry_section, employer.industry_division),
        occupation_code=row.occupation_code, headcount=row.headcount, reported_on=row.reported_on,
    )
    if row.closed_on is None:
        return reported
    return ShortageClosed(**dict(reported), closed_on=row.closed_on)


def monitoring_enrolled(row: MonitoredEnterprise, employer: Employer) -> MonitoringEnrolled:
    return MonitoringEnrolled(
        employer_ref=row.employer_ref, street_code=employer.street_code,
        industry=industry_of(employer.industry_section, employer.industry_division),
        baseline_headcount=row.baseline_headcount, enrolled_on=row.enrolled_on,
    )


def overdue_warning(change: str, alert_id: str, street_code: str, level: AlertLevel, value: int,
                    window_days: int) -> AlertRaised | AlertUpdated | AlertResolved:
    """A 街镇's warning of overdue monthly reports, in the contract every warning uses (leye.alert):
    ``value`` is how many of its monitored enterprises have a report overdue, ``threshold`` the count
    of ``level``, ``window`` the days since the oldest overdue month began."""
    model: type[AlertRaised | AlertUpdated | AlertResolved] = AlertRaised
    if change == "updated":
        model = AlertUpdated
    elif change == "resolved":
        model = AlertResolved
    return model(
        alert_id=alert_id, level=level, scope_kind=ScopeKind.STREET, scope_code=street_code,
        signal=OVERDUE_SIGNAL, value=float(value), threshold=float(OVERDUE_LEVELS[level]),
        window=f"{max(window_days, 1)}d", source=AlertSource.VACANCIES,
    )

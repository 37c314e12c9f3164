"""/cases: open a 红娘 case (呼叫—指派) and move it through its lifecycle."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.ids import CreditCode, EntityId, PersonRef
from schemas.requests import Code, IsoDate, RequestModel
from schemas.vocab import CaseCloseReason, CaseOrigin, ContactChannel, ReferralDirection, ReferralResult
from services.runtime.errors import ProblemError, validation_detail
from services.runtime.http import write_router

from .. import cases, domain
from ..deps import NowDep, SessionDep
from ..store import Case, EmployerRow, PersonRow, Referral, Station, VacancyRow, referrals_of

router = write_router(prefix="/cases", tags=["红娘工单"])


class CaseIn(RequestModel):
    """A request for help: from a person (``person_ref``) or an employer short of staff
    (``employer_ref``, optionally the ``vacancy_id``). ``station_code`` overrides the routing."""

    origin: Literal["person", "employer"]
    person_ref: PersonRef | None = None
    employer_ref: CreditCode | None = None
    vacancy_id: EntityId | None = None
    station_code: EntityId | None = None


class ReferralIn(RequestModel):
    vacancy_id: EntityId | None = None
    person_ref: PersonRef | None = None


class ContactIn(RequestModel):
    channel: Code[ContactChannel]


class OutcomeIn(RequestModel):
    referral_id: EntityId
    outcome: Code[ReferralResult]
    outcome_on: IsoDate | None = None


class CloseIn(RequestModel):
    reason: Code[CaseCloseReason]


class ReferralOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    referral_id: str
    person_ref: str
    vacancy_id: str
    direction: str
    score: float
    breakdown: dict[str, float]
    made_at: datetime
    outcome: str | None
    outcome_on: date | None


class CaseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    case_id: str
    station_code: str
    matchmaker_id: str
    street_code: str
    origin: str
    person_ref: str | None
    vacancy_id: str | None
    employer_ref: str | None
    status: str
    opened_at: datetime
    contact_due_at: datetime
    referral_due_at: datetime
    contacted_at: datetime | None
    referred_at: datetime | None
    contact_breached: bool
    referral_breached: bool
    closed_at: datetime | None
    close_reason: str | None
    placed: bool
    prematched: list[dict[str, Any]]
    programme_code: str | None = Field(None, description="政策找人：所符合的项目")
    reason: str | None = Field(None, description="政策找人、一户一策：派单理由")
    household_ref: str | None = Field(None, description="一户一策：所帮扶的零就业家庭")
    referrals: list[ReferralOut] = []


def _missing(field: str) -> ProblemError:
    errors = [{"field": f"body.{field}", "message": "此字段为必填项", "type": "missing"}]
    return ProblemError(422, "validation_failed", validation_detail(errors), errors=errors)


def _case(session: SessionDep, case_id: str) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise ProblemError(404, "case_not_found", "未找到该工单")
    return case


def _out(session: SessionDep, case: Case) -> CaseOut:
    session.flush()
    out = CaseOut.model_validate(case)
    out.referrals = [ReferralOut.model_validate(r) for r in referrals_of(session, case.case_id)]
    return out


def _person(session: SessionDep, person_ref: str) -> PersonRow:
    row = session.get(PersonRow, person_ref)
    if row is None:
        raise ProblemError(404, "person_not_found", "未找到该求职者")
    return row


def _vacancy(session: SessionDep, vacancy_id: str) -> VacancyRow:
    row = session.get(VacancyRow, vacancy_id)
    if row is None:
        raise ProblemError(404, "vacancy_not_found", "未找到该岗位")
    return row


@router.post("", status_code=201, response_model=CaseOut, summary="发起求助，派单到红娘（呼叫—指派）")
def open_case(body: CaseIn, session: SessionDep, now: NowDep) -> CaseOut:
    """Routes to an active station of the party's 街镇 (the person's 社区/村 first), the least loaded
    one when there are several. Contact is due by the end of today (Asia/Shanghai), the two-way
    referral within 3 days."""
    community = None
    if body.origin == "person":
        if body.person_ref is None:
            raise _missing("person_ref")
        person = _person(session, body.person_ref)
        street, community = person.street_code, person.community
    else:
        if body.employer_ref is None:
            raise _missing("employer_ref")
        if body.vacancy_id is not None:
            street = _vacancy(session, body.vacancy_id).street_code
        else:
            employer = session.get(EmployerRow, body.employer_ref)
            if employer is None:
                raise ProblemError(404, "employer_not_found", "未找到该用人单位")
            street = employer.street_code
    if body.vacancy_id is not None:
        _vacancy(session, body.vacancy_id)
    if body.station_code is not None:
        station = session.get(Station, body.station_code)
        if station is None:
            raise ProblemError(404, "station_not_found", "未找到该红娘站点")
        if not station.active:
            raise ProblemError(409, "station_inactive", "该红娘站点已停用")
    else:
        found = cases.pick_station(session, street, community)
        if found is None:
            raise ProblemError(409, "no_station", "尚无可派单的红娘站点")
        station = found
    case = cases.open_case(session, station, CaseOrigin(body.origin), now, person_ref=body.person_ref,
                           vacancy_id=body.vacancy_id, employer_ref=body.employer_ref)
    return _out(session, case)


@router.get("/{case_id}", response_model=CaseOut, summary="查看工单")
def read_case(case_id: str, session: SessionDep) -> CaseOut:
    return _out(session, _case(session, case_id))


@router.post("/{case_id}/contact", response_model=CaseOut, summary="记录红娘主动联系")
def contact(case_id: str, body: ContactIn, session: SessionDep,
            now: NowDep) -> CaseOut:
    case = _case(session, case_id)
    cases.contact(session, case, body.channel, now)
    return _out(session, case)


@router.post("/{case_id}/referrals", status_code=201, response_model=ReferralOut, summary="人岗双向推介")
def refer(case_id: str, body: ReferralIn, session: SessionDep,
          now: NowDep) -> Referral:
    """Refers the case's person to a vacancy (or a person to the case's vacancy) with the explained
    score. A pair that fails a hard requirement (education, age, vacancy not open) is refused (409)."""
    case = _case(session, case_id)
    cases.ensure_open(case)
    person_ref = body.person_ref or case.person_ref
    vacancy_id = body.vacancy_id or case.vacancy_id
    if person_ref is None:
        raise _missing("person_ref")
    if vacancy_id is None:
        raise _missing("vacancy_id")
    person, vacancy = _person(session, person_ref), _vacancy(session, vacancy_id)
    match = domain.score(person.to_domain(), vacancy.to_domain(), cases.local_date(now)) if person.active else None
    if match is None:
        raise ProblemError(409, "hard_requirement_failed", "求职者不符合该岗位的硬性条件，或岗位已不在招")
    direction = ReferralDirection.PERSON_TO_JOB if case.person_ref else ReferralDirection.JOB_TO_PERSON
    return cases.refer(session, case, match, direction, now)


@router.post("/{case_id}/outcome", response_model=CaseOut, summary="记录推介结果（录用即结案）")
def outcome(case_id: str, body: OutcomeIn, session: SessionDep,
            now: NowDep) -> CaseOut:
    case = _case(session, case_id)
    cases.ensure_open(case)
    referral = session.get(Referral, body.referral_id)
    if referral is None or referral.case_id != case.case_id:
        raise ProblemError(404, "referral_not_found", "该工单下未找到此推介")
    cases.record_outcome(session, case, referral, body.outcome, body.outcome_on or cases.local_date(now), now)
    return _out(session, case)


@router.post("/{case_id}/close", response_model=CaseOut, summary="结案")
def close(case_id: str, body: CloseIn, session: SessionDep,
          now: NowDep) -> CaseOut:
    case = _case(session, case_id)
    cases.close(session, case, body.reason, now)
    return _out(session, case)

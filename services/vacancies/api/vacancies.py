"""岗位: post, correct, read, list the open stock, fill and close job postings.

Every new or changed posting is screened (``screening.screen_posting``) before it is published:
with findings it is stored as ``flagged``, withheld (``vacancy.flagged``, no ``vacancy.posted``) and
the employer gets the Chinese reasons; without findings it is published. Expiry is not a route: see
``services.vacancies.expiry``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import uuid_utils
from fastapi import Query
from pydantic import BaseModel, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from schemas.fields import Age, Count, Industry, MonthlyYuan, Skill, check_age_range, check_salary_range
from schemas.ids import CreditCode, EntityId, PersonRef, StreetCode
from schemas.requests import Code, IndustryIn, IsoDate, RequestModel
from schemas.vocab import Education, FlagCategory, IndustrySection, VacancyCloseReason, VacancyKind
from services.runtime.db import utcnow
from services.runtime.errors import ProblemError
from services.runtime.http import write_router

from .. import events
from ..deps import SessionDep
from ..domain import (
    EMPLOYER_CLOSE_REASONS,
    MAX_AHEAD,
    OPEN_STATUSES,
    VacancyStatus,
    field_error,
    local_date,
    local_today,
    require_editable,
    require_open,
    status_after_change,
)
from ..screening import screen_posting
from ..store import Employer, Vacancy, open_vacancies
from .enterprises import check_shortage_link

router = write_router(prefix="/vacancies", tags=["岗位"])


class VacancyIn(RequestModel):
    """A posting as the employer writes it. ``industry`` and ``street_code`` (工作地点) default to the
    employer's. ``requirements`` holds other stated requirements as 名称 → 内容 (screened too)."""

    employer_ref: CreditCode
    title: Annotated[str, Field(min_length=1, max_length=60)]
    description: Annotated[str, Field(max_length=5000)] = ""
    industry: IndustryIn | None = None
    street_code: StreetCode | None = None
    kind: Code[VacancyKind] = VacancyKind.REGULAR
    headcount: Annotated[int, Field(ge=1, le=10_000)]
    salary_min: MonthlyYuan
    salary_max: MonthlyYuan
    education_required: Code[Education] | None = None
    skills_required: Annotated[list[Skill], Field(max_length=20)] = []
    age_min: Age | None = None
    age_max: Age | None = None
    requirements: Annotated[dict[Annotated[str, Field(max_length=30)], Annotated[str, Field(max_length=200)]],
                            Field(max_length=20)] = {}
    valid_from: IsoDate
    valid_until: IsoDate
    shortage_id: EntityId | None = Field(
        None, description="所回应的重点企业缺工报告编号（须为本单位未关闭的缺工报告）")

    # Field validators (not one model validator) so that each error names its field.
    @field_validator("salary_max")
    @classmethod
    def _salary_range(cls, salary_max: int, info: ValidationInfo) -> int:
        check_salary_range(info.data.get("salary_min"), salary_max)
        return salary_max

    @field_validator("age_max")
    @classmethod
    def _age_range(cls, age_max: int | None, info: ValidationInfo) -> int | None:
        check_age_range(info.data.get("age_min"), age_max)
        return age_max

    @field_validator("valid_from")
    @classmethod
    def _starts_within_a_year(cls, valid_from: date) -> date:
        if valid_from > local_today() + MAX_AHEAD:
            raise PydanticCustomError("date_too_far", "有效期开始日期不得晚于一年以后")
        return valid_from

    @field_validator("valid_until")
    @classmethod
    def _validity(cls, valid_until: date, info: ValidationInfo) -> date:
        valid_from = info.data.get("valid_from")
        if valid_from is not None and valid_until < valid_from:
            raise PydanticCustomError("validity_period", "有效期截止日期不得早于开始日期")
        if valid_from is not None and valid_until > valid_from + MAX_AHEAD:
            raise PydanticCustomError("validity_period", "岗位有效期不得超过一年")
        return valid_until


class FlagReasonOut(BaseModel):
    category: str
    label: str
    explanation: str


class VacancyOut(BaseModel):
    vacancy_id: str = Field(description="岗位编号")
    employer_ref: str
    title: str
    description: str
    industry: Industry
    street_code: str
    kind: VacancyKind
    headcount: int
    filled_count: int
    remaining: int
    salary_min: int
    salary_max: int
    education_required: Education | None
    skills_required: list[Skill]
    age_min: int | None
    age_max: int | None
    requirements: dict[str, str]
    valid_from: date
    valid_until: date
    status: VacancyStatus = Field(description="flagged（已拦截）/ posted / updated / partly_filled / closed")
    flag_reasons: list[FlagReasonOut] = Field(description="拦截原因（仅 flagged 状态）")
    close_reason: VacancyCloseReason | None
    closed_on: date | None
    shortage_id: str | None = Field(description="所回应的重点企业缺工报告编号")


class VacancyPage(BaseModel):
    items: list[VacancyOut]
    total: int
    limit: int
    offset: int


class FillIn(RequestModel):
    count: Annotated[int, Field(ge=1)] = 1
    person_ref: PersonRef | None = None


class CloseIn(RequestModel):
    reason: Code[VacancyCloseReason]


def vacancy_out(row: Vacancy) -> VacancyOut:
    return VacancyOut(
        vacancy_id=row.id, employer_ref=row.employer_ref, title=row.title, description=row.description,
        industry=events.industry_of(row.industry_section, row.industry_division), street_code=row.street_code,
        kind=VacancyKind(row.kind), headcount=row.headcount, filled_count=row.filled_count,
        remaining=row.headcount - row.filled_count, salary_min=row.salary_min, salary_max=row.salary_max,
        education_required=Education(row.education_required) if row.education_required else None,
        skills_required=[Skill(name=s["name"], level=s["level"]) for s in row.skills_required],
        age_min=row.age_min, age_max=row.age_max, requirements=row.requirements,
        valid_from=row.valid_from, valid_until=row.valid_until, status=VacancyStatus(row.status),
        flag_reasons=[FlagReasonOut(category=r["category"], label=FlagCategory(r["category"]).label,
                                    explanation=r["explanation"]) for r in row.flag_reasons],
        close_reason=VacancyCloseReason(row.close_reason) if row.close_reason else None, closed_on=row.closed_on,
        shortage_id=row.shortage_id,
    )


def get_vacancy(session: SessionDep, vacancy_id: str, *, for_update: bool = False) -> Vacancy:
    """The posting or 404. ``for_update`` locks the row (PostgreSQL) so that concurrent fills, closes and
    the expiry task serialise on it instead of overwriting each other's counts."""
    vacancy = session.get(Vacancy, vacancy_id, with_for_update=for_update)
    if vacancy is None:
        raise ProblemError(404, "vacancy_not_found", "未找到该岗位")
    return vacancy


def _apply(vacancy: Vacancy, body: VacancyIn, employer: Employer) -> None:
    """Copy the posting's fields onto the row and screen it; sets ``flag_reasons``."""
    industry = body.industry or events.industry_of(employer.industry_section, employer.industry_division)
    vacancy.title, vacancy.description = body.title, body.description
    vacancy.industry_section, vacancy.industry_division = industry.section.value, industry.division
    vacancy.street_code = body.street_code or employer.street_code
    vacancy.kind, vacancy.headcount = body.kind.value, body.headcount
    vacancy.salary_min, vacancy.salary_max = body.salary_min, body.salary_max
    vacancy.education_required = body.education_required.value if body.education_required else None
    vacancy.skills_required = [s.model_dump() for s in body.skills_required]
    vacancy.age_min, vacancy.age_max = body.age_min, body.age_max
    vacancy.requirements = dict(body.requirements)
    vacancy.valid_from, vacancy.valid_until = body.valid_from, body.valid_until
    vacancy.shortage_id = body.shortage_id
    findings = screen_posting(body.title, body.description, age_min=body.age_min, age_max=body.age_max,
                              requirements={**body.requirements, "kind": body.kind.value})
    vacancy.flag_reasons = [{"category": f.category, "explanation": f.reason} for f in findings]


def _publish_state(session: SessionDep, vacancy: Vacancy) -> None:
    """Withhold a posting with findings; otherwise publish it (posted the first time, updated after)."""
    if vacancy.flag_reasons:
        vacancy.status = VacancyStatus.FLAGGED
        events.publish(session, events.vacancy_flagged(vacancy))
        return
    first = vacancy.published_at is None
    if first:
        vacancy.published_at = utcnow()
        vacancy.status = VacancyStatus.POSTED
    else:
        vacancy.status = status_after_change(vacancy.filled_count)
    events.publish(session, events.vacancy_state(vacancy, first=first))


def _check_employer_and_dates(session: SessionDep, body: VacancyIn, linked: str | None = None) -> Employer:
    """The employer, after the checks of a posting's employer, validity and shortage (a correction may
    keep the shortage it already answers, even once that shortage is closed)."""
    employer = session.get(Employer, body.employer_ref)
    if employer is None:
        raise field_error("body.employer_ref", "用人单位尚未登记", "unknown_employer")
    if body.valid_until < local_date(utcnow()):
        raise field_error("body.valid_until", "有效期截止日期已过", "validity_ended")
    if body.shortage_id != linked:
        check_shortage_link(session, body.shortage_id, employer.employer_ref)
    return employer


@router.post("", status_code=201, summary="发布岗位（先经就业歧视筛查）", response_model=VacancyOut)
def post_vacancy(body: VacancyIn, session: SessionDep) -> VacancyOut:
    employer = _check_employer_and_dates(session, body)
    vacancy = Vacancy(id=str(uuid_utils.uuid7()), employer_ref=employer.employer_ref, filled_count=0)
    _apply(vacancy, body, employer)
    _publish_state(session, vacancy)
    session.add(vacancy)
    return vacancy_out(vacancy)


@router.put("/{vacancy_id}", summary="修改岗位（重新筛查）", response_model=VacancyOut)
def update_vacancy(vacancy_id: str, body: VacancyIn,
                   session: SessionDep) -> VacancyOut:
    vacancy = get_vacancy(session, vacancy_id, for_update=True)
    require_editable(vacancy.status)
    if body.employer_ref != vacancy.employer_ref:
        raise field_error("body.employer_ref", "不能更改岗位所属用人单位", "employer_changed")
    if body.headcount < vacancy.filled_count:
        raise field_error("body.headcount", "招聘人数不得少于已招到的人数", "below_filled")
    employer = _check_employer_and_dates(session, body, linked=vacancy.shortage_id)
    _apply(vacancy, body, employer)
    _publish_state(session, vacancy)
    return vacancy_out(vacancy)


@router.get("/{vacancy_id}", summary="查询岗位（含拦截原因）", response_model=VacancyOut)
def read_vacancy(vacancy_id: str, session: SessionDep) -> VacancyOut:
    return vacancy_out(get_vacancy(session, vacancy_id))


@router.get("", summary="在招岗位列表", response_model=VacancyPage)
def list_open_vacancies(
    session: SessionDep,
    street_code: Annotated[StreetCode | None, Query(description="工作地点街镇代码")] = None,
    industry_section: Annotated[IndustrySection | None, Query(description="行业门类")] = None,
    kind: Annotated[VacancyKind | None, Query(description="岗位类型")] = None,
    employer_ref: Annotated[CreditCode | None, Query(description="统一社会信用代码")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[Count, Query()] = 0,
) -> VacancyPage:
    rows, total = open_vacancies(
        session, street_code=street_code, industry_section=industry_section.value if industry_section else None,
        kind=kind.value if kind else None, employer_ref=employer_ref, limit=limit, offset=offset,
        statuses=frozenset(s.value for s in OPEN_STATUSES), today=local_date(utcnow()),
    )
    return VacancyPage(items=[vacancy_out(r) for r in rows], total=total, limit=limit, offset=offset)


@router.post("/{vacancy_id}/fill", summary="登记岗位招到人员", response_model=VacancyOut)
def fill_vacancy(vacancy_id: str, body: FillIn,
                 session: SessionDep) -> VacancyOut:
    vacancy = get_vacancy(session, vacancy_id, for_update=True)
    require_open(vacancy.status, "登记招聘结果")
    if body.count > vacancy.headcount - vacancy.filled_count:
        raise field_error("body.count", "招到人数超过剩余岗位数", "exceeds_remaining")
    fill(session, vacancy, body.count, body.person_ref)
    return vacancy_out(vacancy)


def fill(session: SessionDep, vacancy: Vacancy, count: int, person_ref: str | None) -> None:
    """Fill ``count`` posts of an open posting (the caller checked they remain), closing it when full.
    Shared with the hires of 直播带岗 applications, so a hire there leaves the open stock the same way."""
    vacancy.filled_count += count
    events.publish(session, events.vacancy_filled(vacancy, count, person_ref))
    if vacancy.filled_count == vacancy.headcount:
        _close(session, vacancy, VacancyCloseReason.FILLED)
    else:
        vacancy.status = VacancyStatus.PARTLY_FILLED


@router.post("/{vacancy_id}/close", summary="关闭岗位（撤回或已招满）", response_model=VacancyOut)
def close_vacancy(vacancy_id: str, body: CloseIn,
                  session: SessionDep) -> VacancyOut:
    if body.reason not in EMPLOYER_CLOSE_REASONS:
        raise field_error("body.reason", "过期由系统自动关闭，用人单位只能撤回或标记招满", "reason_not_allowed")
    vacancy = get_vacancy(session, vacancy_id, for_update=True)
    if vacancy.status != VacancyStatus.FLAGGED:
        require_open(vacancy.status, "关闭")
    _close(session, vacancy, body.reason)
    return vacancy_out(vacancy)


def _close(session: SessionDep, vacancy: Vacancy, reason: VacancyCloseReason) -> None:
    vacancy.status, vacancy.close_reason = VacancyStatus.CLOSED, reason.value
    vacancy.closed_on = local_date(utcnow())
    events.publish(session, events.vacancy_closed(vacancy.id, reason, vacancy.closed_on))


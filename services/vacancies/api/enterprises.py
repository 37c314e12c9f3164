"""重点企业 (action plan §2, seed 002): the register with each enterprise's assigned officer
(一企一专员), its ledger of labour problems opened and closed (一企一台账, 挂账销号) and its labour
shortages by occupation (用缺工), with the list of key enterprises short of staff (重点缺工企业).

Every change is published on ``leye.enterprise`` without the officer's name, an issue's summary or
its resolution: those stay here and are read through this API.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

import uuid_utils
from fastapi import Path, Query, Response
from pydantic import BaseModel, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import func, select

from schemas.fields import Count, OccupationCode
from schemas.ids import CreditCode, EntityId, StreetCode
from schemas.requests import Code, IsoDate, RequestModel
from schemas.vocab import EnterpriseIssueKind
from services.runtime.db import utcnow
from services.runtime.errors import ProblemError
from services.runtime.http import write_router

from .. import events
from ..deps import SessionDep
from ..domain import (
    MAX_AHEAD,
    check_issue_close,
    field_conflict,
    field_error,
    field_problem,
    issue_overdue,
    local_date,
    local_today,
)
from ..store import Employer, EnterpriseIssue, KeyEnterprise, Shortage, Vacancy

router = write_router(prefix="/key-enterprises", tags=["重点企业"])

EmployerRefPath = Annotated[CreditCode, Path(description="用人单位统一社会信用代码")]


def _not_after_today(day: date, what: str) -> date:
    if day > local_today():
        raise PydanticCustomError("future_date", f"{what}不得晚于今天")
    return day


class KeyEnterpriseIn(RequestModel):
    """A key enterprise and its officer; posting a registered one again changes its officer."""

    employer_ref: CreditCode = Field(description="已登记用人单位的统一社会信用代码")
    officer_id: EntityId = Field(description="专员编号（人社局工作人员）")
    officer_name: Annotated[str, Field(min_length=1, max_length=40, description="专员姓名（不上总线）")]
    enrolled_on: IsoDate = Field(description="列为重点企业的日期（不晚于今天）")

    @field_validator("enrolled_on")
    @classmethod
    def _enrolled_by_now(cls, enrolled_on: date) -> date:
        return _not_after_today(enrolled_on, "列为重点企业的日期")


class KeyEnterpriseOut(BaseModel):
    employer_ref: str
    name: str = Field(description="用人单位名称")
    street_code: str
    officer_id: str
    officer_name: str
    enrolled_on: date
    open_issues: int = Field(description="未销号问题数")
    overdue_issues: int = Field(description="逾期未销号问题数")
    shortage_headcount: int = Field(description="未关闭的缺工人数合计")


class KeyEnterprisePage(BaseModel):
    items: list[KeyEnterpriseOut]
    total: int
    limit: int
    offset: int


class IssueIn(RequestModel):
    kind: Code[EnterpriseIssueKind]
    summary: Annotated[str, Field(min_length=1, max_length=200, description="问题概述（不上总线）")]
    opened_on: IsoDate = Field(description="挂账日期（不晚于今天）")
    due_on: IsoDate = Field(description="办结期限（不早于挂账日期，不晚于一年以后）")

    @field_validator("opened_on")
    @classmethod
    def _opened_by_now(cls, opened_on: date) -> date:
        return _not_after_today(opened_on, "挂账日期")

    @field_validator("due_on")
    @classmethod
    def _due_after_opening(cls, due_on: date, info: ValidationInfo) -> date:
        opened_on = info.data.get("opened_on")
        if opened_on is not None and due_on < opened_on:
            raise PydanticCustomError("due_before_opened", "办结期限不得早于挂账日期")
        if due_on > local_today() + MAX_AHEAD:
            raise PydanticCustomError("date_too_far", "办结期限不得晚于一年以后")
        return due_on


class IssueCloseIn(RequestModel):
    closed_on: IsoDate = Field(description="销号日期（不早于挂账日期，不晚于今天）")
    resolution: Annotated[str, Field(min_length=1, max_length=500, description="解决情况（不上总线）")]

    @field_validator("closed_on")
    @classmethod
    def _closed_by_now(cls, closed_on: date) -> date:
        return _not_after_today(closed_on, "销号日期")


class IssueOut(BaseModel):
    issue_id: str = Field(description="问题编号")
    employer_ref: str
    kind: EnterpriseIssueKind
    summary: str
    opened_on: date
    due_on: date
    closed_on: date | None
    resolution: str | None
    status: Literal["open", "closed"] = Field(description="open（挂账）/ closed（已销号）")
    overdue: bool = Field(description="是否逾期未销号（今天已过办结期限且未销号）")


class IssuePage(BaseModel):
    items: list[IssueOut]
    total: int


class ShortageIn(RequestModel):
    occupation_code: OccupationCode
    occupation: Annotated[str, Field(min_length=1, max_length=60, description="职业（工种）名称")]
    headcount: Annotated[int, Field(ge=1, le=10_000, description="缺工人数")]
    reported_on: IsoDate = Field(description="报告日期（不晚于今天）")

    @field_validator("reported_on")
    @classmethod
    def _reported_by_now(cls, reported_on: date) -> date:
        return _not_after_today(reported_on, "报告日期")


class ShortageCloseIn(RequestModel):
    closed_on: IsoDate = Field(description="缺工解决或不再需要的日期（不早于报告日期，不晚于今天）")

    @field_validator("closed_on")
    @classmethod
    def _closed_by_now(cls, closed_on: date) -> date:
        return _not_after_today(closed_on, "关闭日期")


class ShortageOut(BaseModel):
    shortage_id: str = Field(description="缺工报告编号")
    employer_ref: str
    occupation_code: str
    occupation: str
    headcount: int
    reported_on: date
    closed_on: date | None
    status: Literal["open", "closed"]
    vacancy_ids: list[str] = Field(description="为此缺工发布的岗位")


class ShortagePage(BaseModel):
    items: list[ShortageOut]
    total: int


class ShortStaffedOut(BaseModel):
    """One 重点缺工企业: a key enterprise with at least one open shortage."""

    employer_ref: str
    name: str
    street_code: str
    officer_id: str
    officer_name: str
    shortages: int = Field(description="未关闭的缺工报告数")
    shortage_headcount: int = Field(description="缺工人数合计")
    occupation_codes: list[str] = Field(description="缺工职业代码")


class ShortStaffedPage(BaseModel):
    """重点缺工企业, the largest shortage first."""

    items: list[ShortStaffedOut]
    total: int
    limit: int
    offset: int


# --- reading helpers --------------------------------------------------------------------------------


def get_key_enterprise(session: SessionDep, employer_ref: str) -> tuple[KeyEnterprise, Employer]:
    """The key enterprise and its employer row, or a 404 naming the path's ``employer_ref``."""
    row = session.get(KeyEnterprise, employer_ref)
    if row is None:
        raise field_problem(404, "path.employer_ref", "该用人单位不是重点企业", "unknown_key_enterprise",
                            "key_enterprise_not_found")
    employer = session.get(Employer, employer_ref)
    assert employer is not None, "a key enterprise is a registered employer (foreign key)"
    return row, employer


def _summary(session: SessionDep, row: KeyEnterprise, employer: Employer, today: date) -> KeyEnterpriseOut:
    open_issues = session.execute(
        select(func.count(), func.count().filter(EnterpriseIssue.due_on < today))
        .where(EnterpriseIssue.employer_ref == row.employer_ref, EnterpriseIssue.closed_on.is_(None))
    ).one()
    short = session.scalar(select(func.coalesce(func.sum(Shortage.headcount), 0)).where(
        Shortage.employer_ref == row.employer_ref, Shortage.closed_on.is_(None)))
    return KeyEnterpriseOut(
        employer_ref=row.employer_ref, name=employer.name, street_code=employer.street_code,
        officer_id=row.officer_id, officer_name=row.officer_name, enrolled_on=row.enrolled_on,
        open_issues=open_issues[0], overdue_issues=open_issues[1], shortage_headcount=int(short or 0),
    )


def issue_out(row: EnterpriseIssue, today: date) -> IssueOut:
    return IssueOut(
        issue_id=row.id, employer_ref=row.employer_ref, kind=EnterpriseIssueKind(row.kind), summary=row.summary,
        opened_on=row.opened_on, due_on=row.due_on, closed_on=row.closed_on, resolution=row.resolution,
        status="open" if row.closed_on is None else "closed",
        overdue=issue_overdue(row.due_on, row.closed_on, today),
    )


def shortage_out(session: SessionDep, row: Shortage) -> ShortageOut:
    linked = session.scalars(select(Vacancy.id).where(Vacancy.shortage_id == row.id).order_by(Vacancy.id)).all()
    return ShortageOut(
        shortage_id=row.id, employer_ref=row.employer_ref, occupation_code=row.occupation_code,
        occupation=row.occupation, headcount=row.headcount, reported_on=row.reported_on, closed_on=row.closed_on,
        status="open" if row.closed_on is None else "closed", vacancy_ids=list(linked),
    )


def _today() -> date:
    return local_date(utcnow())


# --- the register ---------------------------------------------------------------------------------


@router.post("", status_code=201, summary="登记重点企业及其专员（已登记则更换专员）", response_model=KeyEnterpriseOut,
             responses={200: {"description": "已更新"}})
def register_key_enterprise(body: KeyEnterpriseIn, session: SessionDep, response: Response) -> KeyEnterpriseOut:
    employer = session.get(Employer, body.employer_ref)
    if employer is None:
        raise field_error("body.employer_ref", "用人单位尚未登记", "unknown_employer")
    row = session.get(KeyEnterprise, body.employer_ref)
    if row is None:
        row = KeyEnterprise(employer_ref=body.employer_ref, officer_id=body.officer_id,
                            officer_name=body.officer_name, enrolled_on=body.enrolled_on)
        session.add(row)
        events.publish(session, events.key_enterprise_registered(row, employer))
    else:
        response.status_code = 200
        if body.enrolled_on != row.enrolled_on:
            raise field_conflict("body.enrolled_on", f"该企业已于{row.enrolled_on.isoformat()}列为重点企业，"
                                 "列入日期不能更改", "enrolment_fixed", "enrolment_fixed")
        if (body.officer_id, body.officer_name) != (row.officer_id, row.officer_name):
            published = row.officer_id
            row.officer_id, row.officer_name = body.officer_id, body.officer_name
            if row.officer_id != published:  # a corrected spelling of the name changes nothing on the bus
                events.publish(session, events.key_enterprise_registered(row, employer))
    return _summary(session, row, employer, _today())


@router.get("", summary="重点企业名册（可按专员、街镇筛选）", response_model=KeyEnterprisePage)
def list_key_enterprises(
    session: SessionDep,
    officer_id: Annotated[EntityId | None, Query(description="专员编号")] = None,
    street_code: Annotated[StreetCode | None, Query(description="街镇代码")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[Count, Query()] = 0,
) -> KeyEnterprisePage:
    query = select(KeyEnterprise, Employer).join(Employer, Employer.employer_ref == KeyEnterprise.employer_ref)
    if officer_id is not None:
        query = query.where(KeyEnterprise.officer_id == officer_id)
    if street_code is not None:
        query = query.where(Employer.street_code == street_code)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(KeyEnterprise.employer_ref).limit(limit).offset(offset)).all()
    today = _today()
    return KeyEnterprisePage(items=[_summary(session, row, employer, today) for row, employer in rows],
                             total=total, limit=limit, offset=offset)


@router.get("/short-staffed", summary="重点缺工企业名单（有未关闭缺工报告的重点企业，缺工人数多者在前）",
            response_model=ShortStaffedPage)
def list_short_staffed(
    session: SessionDep,
    street_code: Annotated[StreetCode | None, Query(description="街镇代码")] = None,
    officer_id: Annotated[EntityId | None, Query(description="专员编号")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[Count, Query()] = 0,
) -> ShortStaffedPage:
    short = (select(Shortage.employer_ref, func.count().label("shortages"),
                    func.sum(Shortage.headcount).label("headcount"))
             .where(Shortage.closed_on.is_(None)).group_by(Shortage.employer_ref).subquery())
    query = (select(KeyEnterprise, Employer, short.c.shortages, short.c.headcount)
             .join(short, short.c.employer_ref == KeyEnterprise.employer_ref)
             .join(Employer, Employer.employer_ref == KeyEnterprise.employer_ref))
    if street_code is not None:
        query = query.where(Employer.street_code == street_code)
    if officer_id is not None:
        query = query.where(KeyEnterprise.officer_id == officer_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(short.c.headcount.desc(), KeyEnterprise.employer_ref)
                           .limit(limit).offset(offset)).all()
    codes: dict[str, set[str]] = {}
    for ref, code in session.execute(select(Shortage.employer_ref, Shortage.occupation_code).where(
            Shortage.closed_on.is_(None), Shortage.employer_ref.in_([row.employer_ref for row, *_ in rows]))):
        codes.setdefault(ref, set()).add(code)
    items = [ShortStaffedOut(
        employer_ref=row.employer_ref, name=employer.name, street_code=employer.street_code, officer_id=row.officer_id,
        officer_name=row.officer_name, shortages=count, shortage_headcount=int(headcount),
        occupation_codes=sorted(codes.get(row.employer_ref, ())),
    ) for row, employer, count, headcount in rows]
    return ShortStaffedPage(items=items, total=total, limit=limit, offset=offset)


@router.get("/{employer_ref}", summary="查询重点企业（专员、挂账与缺工概况）", response_model=KeyEnterpriseOut)
def read_key_enterprise(employer_ref: EmployerRefPath, session: SessionDep) -> KeyEnterpriseOut:
    row, employer = get_key_enterprise(session, employer_ref)
    return _summary(session, row, employer, _today())


# --- the ledger (挂账销号) ------------------------------------------------------------------------


@router.post("/{employer_ref}/issues", status_code=201, summary="挂账：登记重点企业的用工问题",
             response_model=IssueOut)
def open_issue(employer_ref: EmployerRefPath, body: IssueIn, session: SessionDep) -> IssueOut:
    _, employer = get_key_enterprise(session, employer_ref)
    row = EnterpriseIssue(id=str(uuid_utils.uuid7()), employer_ref=employer_ref, kind=body.kind.value,
                          summary=body.summary, opened_on=body.opened_on, due_on=body.due_on)
    session.add(row)
    events.publish(session, events.issue_event(row, employer))
    return issue_out(row, _today())


@router.post("/{employer_ref}/issues/{issue_id}/close", summary="销号：问题已解决", response_model=IssueOut)
def close_issue(employer_ref: EmployerRefPath, issue_id: str, body: IssueCloseIn, session: SessionDep) -> IssueOut:
    _, employer = get_key_enterprise(session, employer_ref)
    row = session.get(EnterpriseIssue, issue_id, with_for_update=True)
    if row is None or row.employer_ref != employer_ref:
        raise ProblemError(404, "issue_not_found", "未找到该企业的这一挂账问题")
    check_issue_close(row.opened_on, row.closed_on, body.closed_on)
    row.closed_on, row.resolution = body.closed_on, body.resolution
    events.publish(session, events.issue_event(row, employer))
    return issue_out(row, _today())


@router.get("/{employer_ref}/issues", summary="重点企业台账（挂账问题，可按状态筛选）", response_model=IssuePage)
def list_issues(
    employer_ref: EmployerRefPath, session: SessionDep,
    status: Annotated[Literal["open", "closed", "overdue"] | None,
                      Query(description="open 未销号 / closed 已销号 / overdue 逾期未销号")] = None,
) -> IssuePage:
    get_key_enterprise(session, employer_ref)
    today = _today()
    query = select(EnterpriseIssue).where(EnterpriseIssue.employer_ref == employer_ref)
    if status == "closed":
        query = query.where(EnterpriseIssue.closed_on.is_not(None))
    elif status is not None:
        query = query.where(EnterpriseIssue.closed_on.is_(None))
        if status == "overdue":
            query = query.where(EnterpriseIssue.due_on < today)
    rows = session.scalars(query.order_by(EnterpriseIssue.opened_on, EnterpriseIssue.id)).all()
    return IssuePage(items=[issue_out(row, today) for row in rows], total=len(rows))


# --- shortages (用缺工) ----------------------------------------------------------------------------


@router.post("/{employer_ref}/shortages", status_code=201, summary="报告缺工（按职业）", response_model=ShortageOut)
def report_shortage(employer_ref: EmployerRefPath, body: ShortageIn, session: SessionDep) -> ShortageOut:
    _, employer = get_key_enterprise(session, employer_ref)
    row = Shortage(id=str(uuid_utils.uuid7()), employer_ref=employer_ref, occupation_code=body.occupation_code,
                   occupation=body.occupation, headcount=body.headcount, reported_on=body.reported_on)
    session.add(row)
    events.publish(session, events.shortage_event(row, employer))
    return shortage_out(session, row)


@router.post("/{employer_ref}/shortages/{shortage_id}/close", summary="关闭缺工报告（已招到或不再需要）",
             response_model=ShortageOut)
def close_shortage(employer_ref: EmployerRefPath, shortage_id: str, body: ShortageCloseIn,
                   session: SessionDep) -> ShortageOut:
    _, employer = get_key_enterprise(session, employer_ref)
    row = session.get(Shortage, shortage_id, with_for_update=True)
    if row is None or row.employer_ref != employer_ref:
        raise ProblemError(404, "shortage_not_found", "未找到该企业的这一缺工报告")
    if row.closed_on is not None:
        raise field_conflict("path.shortage_id", f"该缺工报告已于{row.closed_on.isoformat()}关闭", "already_closed",
                             "shortage_closed")
    if body.closed_on < row.reported_on:
        raise field_error("body.closed_on", "关闭日期不得早于报告日期", "closed_before_reported")
    row.closed_on = body.closed_on
    events.publish(session, events.shortage_event(row, employer))
    return shortage_out(session, row)


@router.get("/{employer_ref}/shortages", summary="重点企业的缺工报告", response_model=ShortagePage)
def list_shortages(
    employer_ref: EmployerRefPath, session: SessionDep,
    status: Annotated[Literal["open", "closed"] | None, Query(description="open 未关闭 / closed 已关闭")] = None,
) -> ShortagePage:
    get_key_enterprise(session, employer_ref)
    query = select(Shortage).where(Shortage.employer_ref == employer_ref)
    if status == "open":
        query = query.where(Shortage.closed_on.is_(None))
    elif status == "closed":
        query = query.where(Shortage.closed_on.is_not(None))
    rows = session.scalars(query.order_by(Shortage.reported_on, Shortage.id)).all()
    return ShortagePage(items=[shortage_out(session, row) for row in rows], total=len(rows))


def check_shortage_link(session: SessionDep, shortage_id: str | None, employer_ref: str) -> None:
    """A posting may answer an open shortage of its own employer (``body.shortage_id``)."""
    if shortage_id is None:
        return
    row = session.get(Shortage, shortage_id)
    if row is None or row.employer_ref != employer_ref:
        raise field_error("body.shortage_id", "该用人单位没有这一缺工报告", "unknown_shortage")
    if row.closed_on is not None:
        raise field_error("body.shortage_id", "该缺工报告已关闭", "shortage_closed")

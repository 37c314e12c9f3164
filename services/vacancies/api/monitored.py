"""失业动态监测: enrol an enterprise with its baseline headcount (建档岗位数), fixed from then on, and
see which monthly reports are overdue. The reports themselves: ``api/headcount.py``; the warning of
overdue reports: ``overdue.py``."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Path, Query, Response
from pydantic import BaseModel, Field, field_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import func, select

from schemas.fields import Count
from schemas.ids import CreditCode, StreetCode
from schemas.requests import IsoDate, RequestModel
from services.runtime.db import utcnow
from services.runtime.errors import ProblemError
from services.runtime.http import write_router

from .. import events
from ..deps import ReportDueDayDep, SessionDep
from ..domain import (
    check_baseline,
    field_conflict,
    field_error,
    local_date,
    local_today,
    month_of,
    months_due,
    next_month,
    report_deadline,
)
from ..store import Employer, MonitoredEnterprise, reported_months

router = write_router(prefix="/monitored-enterprises", tags=["失业动态监测"])


class MonitoredIn(RequestModel):
    """Enrolment; posting the same enrolment again changes nothing, another baseline is refused."""

    employer_ref: CreditCode = Field(description="已登记用人单位的统一社会信用代码")
    baseline_headcount: Annotated[int, Field(ge=1, description="建档岗位数（建档后不能更改）")]
    enrolled_on: IsoDate = Field(description="建档日期（不晚于今天）；自建档当月起每月报送")

    @field_validator("enrolled_on")
    @classmethod
    def _enrolled_by_now(cls, enrolled_on: date) -> date:
        if enrolled_on > local_today():
            raise PydanticCustomError("future_date", "建档日期不得晚于今天")
        return enrolled_on


class MonitoredOut(BaseModel):
    employer_ref: str
    street_code: str
    baseline_headcount: int
    enrolled_on: date
    overdue_months: list[str] = Field(description="已过报送期限仍未报送的月份")
    next_due_month: str = Field(description="下一个应报送的月份")
    next_due_on: date = Field(description="该月报告的报送期限")


class MonitoredPage(BaseModel):
    items: list[MonitoredOut]
    total: int
    limit: int
    offset: int


def monitored_out(row: MonitoredEnterprise, street_code: str, reported: set[str], due_day: int) -> MonitoredOut:
    today = local_date(utcnow())
    due = months_due(row.enrolled_on, today, due_day)
    pending = [m for m in due if m not in reported]
    upcoming = next_month(due[-1]) if due else month_of(row.enrolled_on)
    return MonitoredOut(
        employer_ref=row.employer_ref, street_code=street_code, baseline_headcount=row.baseline_headcount,
        enrolled_on=row.enrolled_on, overdue_months=pending, next_due_month=upcoming,
        next_due_on=report_deadline(upcoming, due_day),
    )


@router.post("", status_code=201, summary="企业纳入失业动态监测（建档岗位数建档后固定）", response_model=MonitoredOut,
             responses={200: {"description": "已建档，内容相同"}})
def enrol(body: MonitoredIn, session: SessionDep, due_day: ReportDueDayDep, response: Response) -> MonitoredOut:
    employer = session.get(Employer, body.employer_ref)
    if employer is None:
        raise field_error("body.employer_ref", "用人单位尚未登记", "unknown_employer")
    row = session.get(MonitoredEnterprise, body.employer_ref)
    if row is None:
        row = MonitoredEnterprise(employer_ref=body.employer_ref, baseline_headcount=body.baseline_headcount,
                                  enrolled_on=body.enrolled_on)
        session.add(row)
        events.publish(session, events.monitoring_enrolled(row, employer))
    else:
        check_baseline(row.baseline_headcount, body.baseline_headcount, "body.baseline_headcount")
        if body.enrolled_on != row.enrolled_on:
            raise field_conflict("body.enrolled_on", f"该企业已于{row.enrolled_on.isoformat()}建档，建档日期不能更改",
                                 "enrolment_fixed", "enrolment_fixed")
        response.status_code = 200
    return monitored_out(row, employer.street_code,
                         reported_months(session, [row.employer_ref]).get(row.employer_ref, set()), due_day)


@router.get("", summary="监测企业列表（可只列有逾期月报的）", response_model=MonitoredPage)
def list_monitored(
    session: SessionDep, due_day: ReportDueDayDep,
    street_code: Annotated[StreetCode | None, Query(description="街镇代码")] = None,
    overdue: Annotated[bool, Query(description="只列有逾期未报月份的企业")] = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[Count, Query()] = 0,
) -> MonitoredPage:
    query = select(MonitoredEnterprise, Employer.street_code).join(
        Employer, Employer.employer_ref == MonitoredEnterprise.employer_ref)
    if street_code is not None:
        query = query.where(Employer.street_code == street_code)
    query = query.order_by(MonitoredEnterprise.employer_ref)
    if not overdue:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.execute(query.limit(limit).offset(offset)).all()
        reported = reported_months(session, [row.employer_ref for row, _ in rows])
        items = [monitored_out(row, street, reported.get(row.employer_ref, set()), due_day) for row, street in rows]
        return MonitoredPage(items=items, total=total, limit=limit, offset=offset)
    # Overdue is computed from the months due, so it filters in Python (a district has hundreds of them).
    reported = reported_months(session)
    every = [monitored_out(row, street, reported.get(row.employer_ref, set()), due_day)
             for row, street in session.execute(query)]
    late = [item for item in every if item.overdue_months]
    return MonitoredPage(items=late[offset:offset + limit], total=len(late), limit=limit, offset=offset)


@router.get("/{employer_ref}", summary="查询监测企业（建档岗位数、逾期未报月份）", response_model=MonitoredOut)
def read_monitored(employer_ref: Annotated[CreditCode, Path(description="用人单位统一社会信用代码")],
                   session: SessionDep, due_day: ReportDueDayDep) -> MonitoredOut:
    row = session.get(MonitoredEnterprise, employer_ref)
    if row is None:
        raise ProblemError(404, "monitored_enterprise_not_found", "该用人单位未纳入失业动态监测")
    employer = session.get(Employer, employer_ref)
    assert employer is not None, "a monitored enterprise is a registered employer (foreign key)"
    return monitored_out(row, employer.street_code, reported_months(session, [employer_ref]).get(employer_ref, set()),
                         due_day)

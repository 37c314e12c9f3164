"""企业裁员报告: file a layoff plan; the service applies Labour Contract Law art. 41 to it."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import uuid_utils
from fastapi import Query
from pydantic import BaseModel, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import func, select

from schemas.events.layoff import assess_layoff
from schemas.fields import Count
from schemas.ids import CreditCode, StreetCode
from schemas.requests import Code, IsoDate, RequestModel
from schemas.vocab import LayoffReason
from services.runtime.errors import ProblemError
from services.runtime.http import write_router

from .. import events
from ..deps import SessionDep
from ..domain import MAX_AHEAD, declared_staff, field_error, local_today
from ..store import Employer, LayoffReport, latest_headcount_report

router = write_router(prefix="/layoffs", tags=["裁员报告"])


class LayoffIn(RequestModel):
    employer_ref: CreditCode
    staff_count: Annotated[int, Field(ge=1, description="职工人数（不得超过登记或最近月度报告的人数）")]
    planned_cuts: Annotated[int, Field(ge=1)]
    reason: Code[LayoffReason]
    notified_on: IsoDate = Field(description="向工会或全体职工说明情况的日期（不晚于今天）")
    planned_on: IsoDate = Field(description="计划裁减日期（不早于说明情况的日期，不晚于一年以后）")

    @field_validator("planned_cuts")
    @classmethod
    def _cuts_within_staff(cls, planned_cuts: int, info: ValidationInfo) -> int:
        staff_count = info.data.get("staff_count")
        if staff_count is not None and planned_cuts > staff_count:
            raise PydanticCustomError("planned_cuts", "计划裁减人数不得超过职工人数")
        return planned_cuts

    # The report follows the explanation to the union (art. 41), so that date lies in the past; a
    # cut planned before it would give negative notice.
    @field_validator("notified_on")
    @classmethod
    def _notified_by_now(cls, notified_on: date) -> date:
        if notified_on > local_today():
            raise PydanticCustomError("future_date", "向工会或职工说明情况的日期不得晚于今天")
        return notified_on

    @field_validator("planned_on")
    @classmethod
    def _planned_after_notice(cls, planned_on: date, info: ValidationInfo) -> date:
        notified_on = info.data.get("notified_on")
        if notified_on is not None and planned_on < notified_on:
            raise PydanticCustomError("planned_before_notice", "计划裁减日期不得早于向工会或职工说明情况的日期")
        if planned_on > local_today() + MAX_AHEAD:
            raise PydanticCustomError("date_too_far", "计划裁减日期不得晚于一年以后")
        return planned_on


class LayoffOut(BaseModel):
    report_id: str = Field(description="报告编号")
    employer_ref: str = Field(description="用人单位统一社会信用代码")
    street_code: str = Field(description="用人单位所在街镇代码")
    staff_count: int
    planned_cuts: int
    reason: LayoffReason
    notified_on: date
    planned_on: date
    is_mass_layoff: bool = Field(description="是否属于规模裁员（劳动合同法第四十一条）")
    notice_days: int = Field(description="提前说明的天数")
    notice_compliant: bool = Field(description="规模裁员是否提前30日说明")


class LayoffPage(BaseModel):
    """One page of layoff reports, newest notice first."""

    items: list[LayoffOut]
    total: int
    limit: int
    offset: int


def layoff_out(row: LayoffReport, street_code: str) -> LayoffOut:
    return LayoffOut(
        report_id=row.id, employer_ref=row.employer_ref, street_code=street_code, staff_count=row.staff_count,
        planned_cuts=row.planned_cuts,
        reason=LayoffReason(row.reason), notified_on=row.notified_on, planned_on=row.planned_on,
        is_mass_layoff=row.is_mass_layoff, notice_days=row.notice_days, notice_compliant=row.notice_compliant,
    )


@router.post("", status_code=201, summary="提交企业裁员报告", response_model=LayoffOut)
def report_layoff(body: LayoffIn, session: SessionDep) -> LayoffOut:
    employer = session.get(Employer, body.employer_ref)
    if employer is None:
        raise field_error("body.employer_ref", "用人单位尚未登记", "unknown_employer")
    latest = latest_headcount_report(session, employer.employer_ref)
    declared = declared_staff(employer.staff_count,
                              (latest.baseline_headcount, latest.current_headcount) if latest else None)
    if body.staff_count > declared:
        raise field_error("body.staff_count", f"职工人数超过该单位已申报的职工人数（{declared}人）；"
                          "人数增加时请先更新用人单位登记或报送月度用工情况", "staff_exceeds_declared")
    assessment = assess_layoff(body.staff_count, body.planned_cuts, body.notified_on, body.planned_on)
    row = LayoffReport(
        id=str(uuid_utils.uuid7()), employer_ref=employer.employer_ref, staff_count=body.staff_count,
        planned_cuts=body.planned_cuts, reason=body.reason.value, notified_on=body.notified_on,
        planned_on=body.planned_on, is_mass_layoff=assessment.is_mass, notice_days=assessment.notice_days,
        notice_compliant=assessment.compliant,
    )
    session.add(row)
    events.publish(session, events.layoff_reported(row, employer))
    return layoff_out(row, employer.street_code)


@router.get("", summary="裁员报告列表（某单位的或全区的，可按街镇、说明日期筛选）", response_model=LayoffPage)
def list_layoffs(
    session: SessionDep,
    employer_ref: Annotated[CreditCode | None, Query(description="只列该用人单位（统一社会信用代码）的报告")] = None,
    street_code: Annotated[StreetCode | None, Query(description="用人单位所在街镇代码")] = None,
    notified_from: Annotated[IsoDate | None, Query(description="说明情况日期不早于（YYYY-MM-DD）")] = None,
    notified_to: Annotated[IsoDate | None, Query(description="说明情况日期不晚于（YYYY-MM-DD）")] = None,
    limit: Annotated[int, Query(ge=1, le=200, description="每页条数")] = 50,
    offset: Annotated[Count, Query(description="起始位置")] = 0,
) -> LayoffPage:
    if notified_from is not None and notified_to is not None and notified_to < notified_from:
        raise field_error("query.notified_to", "截止日期不得早于起始日期", "date_order")
    query = select(LayoffReport, Employer.street_code).join(
        Employer, Employer.employer_ref == LayoffReport.employer_ref)
    if employer_ref is not None:
        query = query.where(LayoffReport.employer_ref == employer_ref)
    if street_code is not None:
        query = query.where(Employer.street_code == street_code)
    if notified_from is not None:
        query = query.where(LayoffReport.notified_on >= notified_from)
    if notified_to is not None:
        query = query.where(LayoffReport.notified_on <= notified_to)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(LayoffReport.notified_on.desc(), LayoffReport.id.desc())
                           .limit(limit).offset(offset)).all()
    return LayoffPage(items=[layoff_out(row, street) for row, street in rows], total=total, limit=limit,
                      offset=offset)


@router.get("/{report_id}", summary="查询裁员报告", response_model=LayoffOut)
def read_layoff(report_id: str, session: SessionDep) -> LayoffOut:
    row = session.get(LayoffReport, report_id)
    if row is None:
        raise ProblemError(404, "layoff_not_found", "未找到该裁员报告")
    employer = session.get(Employer, row.employer_ref)
    return layoff_out(row, employer.street_code if employer else "")

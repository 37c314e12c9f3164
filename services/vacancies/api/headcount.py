"""失业动态监测: monthly headcount reports of monitored enterprises.

Only an enterprise enrolled in the monitoring (``api/monitored.py``) reports, from the month of its
enrolment, against the baseline fixed then: a report may leave the baseline out, and one stating
another baseline is refused.

A second report for the same employer and month supersedes the first: the old row is marked
``superseded_by`` and the new event names it in ``supersedes_report_id``, so consumers keep only the
latest. A partial unique index allows one current report per employer and month.
"""

from __future__ import annotations

from typing import Annotated

import uuid_utils
from pydantic import BaseModel, Field

from schemas.fields import Count, Period
from schemas.ids import CreditCode
from schemas.requests import Code, RequestModel
from schemas.vocab import DecreaseType
from services.runtime.errors import ProblemError
from services.runtime.http import write_router

from .. import events
from ..deps import SessionDep
from ..domain import check_baseline, field_error, month_of
from ..store import Employer, HeadcountReport, MonitoredEnterprise, current_headcount_report

router = write_router(prefix="/headcount-reports", tags=["失业动态监测"])


class HeadcountIn(RequestModel):
    employer_ref: CreditCode
    month: Period = Field(description="报告月份 YYYY-MM")
    baseline_headcount: Annotated[int, Field(ge=1, description="建档时岗位数（可省略；须与建档时相同）")] | None = None
    current_headcount: Count = Field(description="本月末岗位数")
    decreases: dict[Code[DecreaseType], Count] = Field({}, description="本月减员人数，按减员类型")


class HeadcountOut(BaseModel):
    report_id: str = Field(description="报告编号")
    employer_ref: str
    month: str
    baseline_headcount: int
    current_headcount: int
    decreases: dict[DecreaseType, int]
    job_loss_rate: float = Field(description="岗位流失率 = (建档岗位数 - 本月岗位数) / 建档岗位数")
    supersedes_report_id: str | None
    superseded_by: str | None


def headcount_out(row: HeadcountReport) -> HeadcountOut:
    return HeadcountOut(
        report_id=row.id, employer_ref=row.employer_ref, month=row.month, baseline_headcount=row.baseline_headcount,
        current_headcount=row.current_headcount, decreases={DecreaseType(k): v for k, v in row.decreases.items()},
        job_loss_rate=round((row.baseline_headcount - row.current_headcount) / row.baseline_headcount, 4),
        supersedes_report_id=row.supersedes_report_id, superseded_by=row.superseded_by,
    )


@router.post("", status_code=201, summary="提交月度岗位监测报告（同月再次提交则替代前一份）",
             response_model=HeadcountOut)
def report_headcount(body: HeadcountIn,
                     session: SessionDep) -> HeadcountOut:
    employer = session.get(Employer, body.employer_ref)
    if employer is None:
        raise field_error("body.employer_ref", "用人单位尚未登记", "unknown_employer")
    monitored = session.get(MonitoredEnterprise, body.employer_ref)
    if monitored is None:
        raise field_error("body.employer_ref", "该用人单位未纳入失业动态监测，请先建档", "not_monitored")
    check_baseline(monitored.baseline_headcount, body.baseline_headcount, "body.baseline_headcount")
    first = month_of(monitored.enrolled_on)
    if body.month < first:
        raise field_error("body.month", f"报告月份早于建档月份（{first}）", "before_enrolment")
    row = HeadcountReport(
        id=str(uuid_utils.uuid7()), employer_ref=employer.employer_ref, month=body.month,
        baseline_headcount=monitored.baseline_headcount, current_headcount=body.current_headcount,
        decreases={k.value: v for k, v in body.decreases.items()},
    )
    previous = current_headcount_report(session, employer.employer_ref, body.month)
    if previous is not None:
        previous.superseded_by, row.supersedes_report_id = row.id, previous.id
    session.add(row)
    events.publish(session, events.headcount_reported(row, employer))
    return headcount_out(row)


@router.get("/{report_id}", summary="查询月度岗位监测报告", response_model=HeadcountOut)
def read_headcount(report_id: str, session: SessionDep) -> HeadcountOut:
    row = session.get(HeadcountReport, report_id)
    if row is None:
        raise ProblemError(404, "headcount_report_not_found", "未找到该监测报告")
    return headcount_out(row)

"""享受时长 (time to benefit): from the day 政策找人 found a person eligible for a programme to the first
payment on their grant, in days — median and p90 by programme. The figures are counts and days, no
person is named."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from schemas.ids import StreetCode
from services.runtime.http import write_router

from .. import domain
from ..deps import CatalogueDep, SessionDep
from ..store import Grant, Payment

router = write_router(prefix="/programmes", tags=["政策找人"])


class TimeToBenefit(BaseModel):
    programme_code: str | None = Field(description="项目代码（汇总行为空）")
    programme_name: str = Field(description="项目名称")
    grants: int = Field(description="已首次支付且有“符合条件”日期的补贴笔数")
    median_days: int | None = Field(description="从符合条件到首次支付的天数中位数（最近秩法；无数据为空）")
    p90_days: int | None = Field(description="第90百分位天数（最近秩法；无数据为空）")


class TimeToBenefitOut(BaseModel):
    year: int | None = Field(description="首次支付所在年份（未指定为全部）")
    street_code: str | None
    total: TimeToBenefit
    programmes: list[TimeToBenefit]


def _figures(code: str | None, name: str, days: list[int]) -> TimeToBenefit:
    return TimeToBenefit(programme_code=code, programme_name=name, grants=len(days),
                         median_days=domain.percentile(days, 0.5), p90_days=domain.percentile(days, 0.9))


@router.get("/stats/time-to-benefit", summary="政策找人享受时长：从符合条件到首次支付的天数（中位数与第90百分位）",
            response_model=TimeToBenefitOut)
def time_to_benefit(session: SessionDep, catalogue: CatalogueDep,
                    year: Annotated[int | None, Query(ge=2000, le=2100, description="首次支付年份")] = None,
                    street_code: Annotated[StreetCode | None, Query(description="街镇")] = None,
                    ) -> TimeToBenefitOut:
    first_paid = func.min(Payment.paid_on)
    query = (select(Grant.programme_code, Grant.eligible_on, first_paid)
             .join(Payment, Payment.grant_id == Grant.id)
             .where(Grant.eligible_on.is_not(None))
             .group_by(Grant.id, Grant.programme_code, Grant.eligible_on))
    if street_code is not None:
        query = query.where(Grant.street_code == street_code)
    by_programme: dict[str, list[int]] = {}
    for code, eligible_on, paid_on in session.execute(query):
        assert eligible_on is not None  # the WHERE clause
        if year is None or paid_on.year == year:
            by_programme.setdefault(code, []).append((paid_on - eligible_on).days)
    rows = [_figures(p.code, p.name, by_programme.get(p.code, [])) for p in catalogue.programmes if p.eligibility]
    everything = [days for values in by_programme.values() for days in values]
    return TimeToBenefitOut(year=year, street_code=street_code, total=_figures(None, "全部项目", everything),
                            programmes=rows)

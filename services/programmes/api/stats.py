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
from ..store import Grant, Payment, Placement

router = write_router(prefix="/programmes", tags=["政策找人"])

SMALL_CELL = 5
"""Figures resting on fewer people than this are marked ``small_cell`` (DOMAIN.md §6); the gateway
hides their numbers from clients outside the human-resources bureau."""


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


class Internships(BaseModel):
    placements: int = Field(description="开始实习的人次（与监测指标“大学生实习”口径一致）")
    students: int = Field(description="开始实习的学生人数（同一学生多次实习计一人）")
    small_cell: bool = Field(description="学生少于5人：对人社局以外的客户端隐藏数值")

    @classmethod
    def of(cls, people: list[str]) -> Internships:
        return cls(placements=len(people), students=len(set(people)), small_cell=len(set(people)) < SMALL_CELL)


class SchoolInternships(Internships):
    school: str = Field(description="学校")


class InternshipsOut(BaseModel):
    year: int | None = Field(description="实习开始年份（未指定为全部）")
    street_code: str | None
    total: Internships
    schools: list[SchoolInternships] = Field(description="按学校，人次多者在前")


@router.get("/stats/internships", summary="大学生实习：按学校统计开始实习的人次与学生数",
            tags=["见习、实习与公益性岗位"], response_model=InternshipsOut)
def internships_by_school(session: SessionDep,
                          year: Annotated[int | None, Query(ge=2000, le=2100, description="实习开始年份")] = None,
                          street_code: Annotated[StreetCode | None, Query(description="街镇")] = None,
                          ) -> InternshipsOut:
    # a school is an institution, not personal data; the small-cell mark keeps a school with a
    # handful of students from pointing at them outside the bureau
    query = select(Placement.school, Placement.person_ref, Placement.starts_on).where(
        Placement.programme_code == "internship", Placement.school.is_not(None))
    if street_code is not None:
        query = query.where(Placement.street_code == street_code)
    by_school: dict[str, list[str]] = {}
    for school, person_ref, starts_on in session.execute(query):
        if school is not None and (year is None or starts_on.year == year):  # the WHERE clause has it
            by_school.setdefault(school, []).append(person_ref)
    schools = sorted((SchoolInternships(school=school, **Internships.of(people).model_dump())
                      for school, people in by_school.items()), key=lambda row: (-row.placements, row.school))
    everyone = [person for people in by_school.values() for person in people]
    return InternshipsOut(year=year, street_code=street_code, total=Internships.of(everyone), schools=schools)

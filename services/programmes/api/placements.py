"""就业见习、大学生实习、公益性岗位: people placed by the placement programmes, and the end of each
placement (for 见习: whether the host kept the trainee)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import uuid_utils
from pydantic import BaseModel, Field
from sqlalchemy import select

from schemas.events.programme import PlacementEnded, PlacementStarted, ProgrammeCode
from schemas.ids import CreditCode, EntityId, PersonRef, StreetCode
from schemas.requests import IsoDate, RequestModel
from services.runtime.errors import ProblemError
from services.runtime.http import write_router

from .. import domain, events
from ..deps import CatalogueDep, SessionDep, TodayDep
from ..store import Placement, VacancyFactsRow
from .known import require_recipient

router = write_router(prefix="/programmes", tags=["见习、实习与公益性岗位"])

TRAINEESHIP, INTERNSHIP, PUBLIC_WELFARE = "traineeship", "internship", "public_welfare_post"


class PlacementIn(RequestModel):
    programme_code: ProgrammeCode = Field(description="traineeship（就业见习）、internship（大学生实习）或 "
                                                      "public_welfare_post（公益性岗位）")
    person_ref: PersonRef = Field(description="人员编号（person_ref）")
    employer_ref: CreditCode = Field(description="见习单位、实习单位或公益性岗位开发单位的统一社会信用代码")
    street_code: StreetCode = Field(description="人员所在街镇")
    vacancy_id: EntityId | None = Field(None, description="见习岗位或公益性岗位的岗位编号（岗位服务）")
    school: Annotated[str, Field(min_length=1, max_length=60)] | None = Field(None, description="学校（实习必填）")
    safety_net: bool = Field(False, description="托底安置（公益性岗位安置市场渠道难以就业的人员）")
    starts_on: IsoDate
    ends_on: IsoDate | None = Field(None, description="计划结束日期（见习须填写，期限按项目目录）")


class PlacementEndIn(RequestModel):
    ended_on: IsoDate = Field(description="实际结束日期（不早于开始日期，不晚于今天）")
    retained_after: bool | None = Field(None, description="见习期满是否被见习单位留用（见习必填）")


class PlacementOut(BaseModel):
    placement_id: str
    programme_code: str
    person_ref: str
    employer_ref: str
    street_code: str
    vacancy_id: str | None
    school: str | None
    safety_net: bool
    starts_on: date
    ends_on: date | None
    ended_on: date | None
    retained_after: bool | None


def placement_out(row: Placement) -> PlacementOut:
    return PlacementOut(placement_id=row.id, programme_code=row.programme_code, person_ref=row.person_ref,
                        employer_ref=row.employer_ref, street_code=row.street_code, vacancy_id=row.vacancy_id,
                        school=row.school, safety_net=row.safety_net, starts_on=row.starts_on, ends_on=row.ends_on,
                        ended_on=row.ended_on, retained_after=row.retained_after)


@router.post("/placements", status_code=201, summary="登记见习、实习或公益性岗位安置", response_model=PlacementOut)
def place(body: PlacementIn, session: SessionDep, catalogue: CatalogueDep) -> PlacementOut:
    programme = domain.programme_of(catalogue, body.programme_code, ("placement",))
    require_recipient(session, body.person_ref, body.employer_ref)
    if programme.code == TRAINEESHIP and body.ends_on is None:
        raise domain.field_error("body.ends_on", "就业见习须填写计划结束日期", "missing")
    if programme.code == INTERNSHIP and body.school is None:
        raise domain.field_error("body.school", "大学生实习须填写学校", "missing")
    if programme.code != INTERNSHIP and body.school is not None:
        raise domain.field_error("body.school", "只有大学生实习填写学校", "not_applicable")
    if programme.code != PUBLIC_WELFARE and body.safety_net:
        raise domain.field_error("body.safety_net", "托底安置只适用于公益性岗位", "not_applicable")
    domain.check_placement_duration(programme, body.starts_on, body.ends_on)
    if body.vacancy_id is not None:
        posting = session.get(VacancyFactsRow, body.vacancy_id)
        domain.check_vacancy(programme, (posting.employer_ref, posting.kind) if posting else None, body.employer_ref)
    ongoing = session.scalar(select(Placement.id).where(
        Placement.person_ref == body.person_ref, Placement.programme_code == programme.code,
        Placement.ended_on.is_(None)))
    if ongoing is not None:
        raise domain.field_error("body.person_ref", f"该人员已在{programme.name}中，尚未结束", "already_placed")
    row = Placement(id=str(uuid_utils.uuid7()), programme_code=programme.code, person_ref=body.person_ref,
                    employer_ref=body.employer_ref, street_code=body.street_code, vacancy_id=body.vacancy_id,
                    school=body.school, safety_net=body.safety_net, starts_on=body.starts_on, ends_on=body.ends_on)
    session.add(row)
    events.publish(session, PlacementStarted(
        placement_id=row.id, programme_code=row.programme_code, person_ref=row.person_ref,
        employer_ref=row.employer_ref, street_code=row.street_code, vacancy_id=row.vacancy_id, school=row.school,
        safety_net=row.safety_net, starts_on=row.starts_on, ends_on=row.ends_on))
    return placement_out(row)


@router.get("/placements/{placement_id}", summary="查询见习、实习或公益性岗位安置", response_model=PlacementOut)
def read_placement(placement_id: str, session: SessionDep) -> PlacementOut:
    row = session.get(Placement, placement_id)
    if row is None:
        raise ProblemError(404, "placement_not_found", "未找到该安置记录")
    return placement_out(row)


@router.post("/placements/{placement_id}/end", summary="登记见习、实习或公益性岗位结束（见习：是否留用）",
             response_model=PlacementOut)
def end_placement(placement_id: str, body: PlacementEndIn, session: SessionDep, today: TodayDep) -> PlacementOut:
    row = session.get(Placement, placement_id)
    if row is None:
        raise ProblemError(404, "placement_not_found", "未找到该安置记录")
    if row.ended_on is not None:
        raise ProblemError(409, "placement_ended", "该安置已登记结束")
    if body.ended_on < row.starts_on:
        raise domain.field_error("body.ended_on", "结束日期不得早于开始日期", "ends_before_start")
    domain.not_after_today("body.ended_on", body.ended_on, today)
    if row.programme_code == TRAINEESHIP and body.retained_after is None:
        raise domain.field_error("body.retained_after", "就业见习结束须登记是否留用", "missing")
    if row.programme_code != TRAINEESHIP and body.retained_after is not None:
        raise domain.field_error("body.retained_after", "只有就业见习登记是否留用", "not_applicable")
    row.ended_on, row.retained_after = body.ended_on, body.retained_after
    events.publish(session, PlacementEnded(
        placement_id=row.id, programme_code=row.programme_code, person_ref=row.person_ref,
        employer_ref=row.employer_ref, street_code=row.street_code, ended_on=body.ended_on,
        retained_after=body.retained_after))
    return placement_out(row)

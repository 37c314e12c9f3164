"""创业孵化基地 register (action plan §6: at least one new 市级 base a year): bases and their
recognitions (区级 → 市级 → 国家级), the firms they incubate and the jobs those firms report creating."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import uuid_utils
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from schemas.events.programme import IncubateeEntered, IncubateeJobsReported, IncubateeLeft, IncubatorRecognised
from schemas.ids import CreditCode, StreetCode
from schemas.requests import Code, IsoDate, RequestModel
from schemas.vocab import IncubatorLevel
from services.runtime.errors import ProblemError
from services.runtime.http import write_router

from .. import domain, events
from ..deps import SessionDep, TodayDep
from ..store import Incubation, IncubationJobs, Incubator, IncubatorRecognition
from .known import require_employer

router = write_router(prefix="/programmes", tags=["创业孵化基地"])


class IncubatorIn(RequestModel):
    name: Annotated[str, Field(min_length=1, max_length=100)] = Field(description="基地名称")
    street_code: StreetCode = Field(description="基地所在街镇")
    level: Code[IncubatorLevel] = Field(description="认定级别：district（区级）、municipal（市级）、national（国家级）")
    recognised_on: IsoDate = Field(description="认定日期（不晚于今天）")


class RecognitionIn(RequestModel):
    level: Code[IncubatorLevel] = Field(description="新的认定级别（须高于现有级别）")
    recognised_on: IsoDate = Field(description="认定日期（不早于现有级别的认定日期，不晚于今天）")


class RecognitionOut(BaseModel):
    level: IncubatorLevel
    recognised_on: date


class IncubatorOut(BaseModel):
    incubator_id: str
    name: str
    street_code: str
    level: IncubatorLevel
    level_since: date
    recognitions: list[RecognitionOut]
    firms_incubated: int = Field(description="在孵企业数（已入驻、尚未离开）")
    jobs_created: int = Field(description="入驻企业累计报告带动就业人数")


class IncubationIn(RequestModel):
    employer_ref: CreditCode = Field(description="入驻企业的统一社会信用代码（须已在岗位服务登记）")
    entered_on: IsoDate = Field(description="入驻日期（不晚于今天）")


class IncubationExitIn(RequestModel):
    left_on: IsoDate = Field(description="离开（出孵）日期（不早于入驻日期，不晚于今天）")


class JobsIn(RequestModel):
    headcount: Annotated[int, Field(ge=1, le=10_000)] = Field(description="自上次报告以来新带动就业人数")
    reported_on: IsoDate = Field(description="报告日期（不早于入驻日期，不晚于今天）")


class IncubationOut(BaseModel):
    incubation_id: str
    incubator_id: str
    employer_ref: str
    entered_on: date
    left_on: date | None
    jobs_created: int


class JobsOut(BaseModel):
    report_id: str
    incubation_id: str
    headcount: int
    reported_on: date


def _incubator(session: Session, incubator_id: str) -> Incubator:
    row = session.get(Incubator, incubator_id)
    if row is None:
        raise ProblemError(404, "incubator_not_found", "未找到该创业孵化基地")
    return row


def _incubation(session: Session, incubation_id: str) -> Incubation:
    row = session.get(Incubation, incubation_id)
    if row is None:
        raise ProblemError(404, "incubation_not_found", "未找到该入驻记录")
    return row


def _jobs(session: Session, where: ColumnElement[bool]) -> int:
    return int(session.scalar(select(func.coalesce(func.sum(IncubationJobs.headcount), 0)).where(where)) or 0)


def incubator_out(session: Session, row: Incubator) -> IncubatorOut:
    recognitions = session.scalars(select(IncubatorRecognition).where(IncubatorRecognition.incubator_id == row.id)
                                   .order_by(IncubatorRecognition.recognised_on, IncubatorRecognition.id)).all()
    firms = session.scalar(select(func.count()).select_from(Incubation).where(
        Incubation.incubator_id == row.id, Incubation.left_on.is_(None))) or 0
    jobs = _jobs(session, IncubationJobs.incubation_id.in_(
        select(Incubation.id).where(Incubation.incubator_id == row.id)))
    return IncubatorOut(incubator_id=row.id, name=row.name, street_code=row.street_code,
                        level=IncubatorLevel(row.level), level_since=row.level_since,
                        recognitions=[RecognitionOut(level=IncubatorLevel(r.level), recognised_on=r.recognised_on)
                                      for r in recognitions], firms_incubated=firms, jobs_created=jobs)


def incubation_out(session: Session, row: Incubation) -> IncubationOut:
    return IncubationOut(incubation_id=row.id, incubator_id=row.incubator_id, employer_ref=row.employer_ref,
                         entered_on=row.entered_on, left_on=row.left_on,
                         jobs_created=_jobs(session, IncubationJobs.incubation_id == row.id))


def _recognise(session: Session, base: Incubator, level: IncubatorLevel, on: date,
               previous: IncubatorLevel | None) -> None:
    session.add(IncubatorRecognition(id=str(uuid_utils.uuid7()), incubator_id=base.id, level=level.value,
                                     recognised_on=on))
    events.publish(session, IncubatorRecognised(incubator_id=base.id, street_code=base.street_code, level=level,
                                                previous_level=previous, recognised_on=on))


@router.post("/incubators", status_code=201, summary="登记创业孵化基地（首次认定）", response_model=IncubatorOut)
def register_incubator(body: IncubatorIn, session: SessionDep, today: TodayDep) -> IncubatorOut:
    domain.not_after_today("body.recognised_on", body.recognised_on, today)
    base = Incubator(id=str(uuid_utils.uuid7()), name=body.name, street_code=body.street_code,
                     level=body.level.value, level_since=body.recognised_on)
    session.add(base)
    session.flush()  # the recognition row refers to the base
    _recognise(session, base, body.level, body.recognised_on, None)
    return incubator_out(session, base)


@router.get("/incubators/{incubator_id}", summary="查询创业孵化基地", response_model=IncubatorOut)
def read_incubator(incubator_id: str, session: SessionDep) -> IncubatorOut:
    return incubator_out(session, _incubator(session, incubator_id))


@router.post("/incubators/{incubator_id}/recognitions", summary="登记创业孵化基地升级认定（只能逐级向上）",
             response_model=IncubatorOut)
def recognise(incubator_id: str, body: RecognitionIn, session: SessionDep, today: TodayDep) -> IncubatorOut:
    base = _incubator(session, incubator_id)
    current = IncubatorLevel(base.level)
    domain.check_recognition(current, base.level_since, body.level, body.recognised_on)
    domain.not_after_today("body.recognised_on", body.recognised_on, today)
    base.level, base.level_since = body.level.value, body.recognised_on
    _recognise(session, base, body.level, body.recognised_on, current)
    return incubator_out(session, base)


@router.post("/incubators/{incubator_id}/firms", status_code=201, summary="登记企业入驻创业孵化基地",
             response_model=IncubationOut)
def enter(incubator_id: str, body: IncubationIn, session: SessionDep, today: TodayDep) -> IncubationOut:
    base = _incubator(session, incubator_id)
    require_employer(session, body.employer_ref)
    domain.not_after_today("body.entered_on", body.entered_on, today)
    staying = session.scalar(select(Incubation.id).where(
        Incubation.incubator_id == base.id, Incubation.employer_ref == body.employer_ref,
        Incubation.left_on.is_(None)))
    if staying is not None:
        raise domain.field_error("body.employer_ref", "该企业已在本基地孵化，尚未离开", "already_incubated")
    row = Incubation(id=str(uuid_utils.uuid7()), incubator_id=base.id, employer_ref=body.employer_ref,
                     entered_on=body.entered_on)
    session.add(row)
    events.publish(session, IncubateeEntered(incubation_id=row.id, incubator_id=base.id,
                                             employer_ref=row.employer_ref, street_code=base.street_code,
                                             entered_on=row.entered_on))
    return IncubationOut(incubation_id=row.id, incubator_id=base.id, employer_ref=row.employer_ref,
                         entered_on=row.entered_on, left_on=None, jobs_created=0)


@router.get("/incubations/{incubation_id}", summary="查询入驻记录", response_model=IncubationOut)
def read_incubation(incubation_id: str, session: SessionDep) -> IncubationOut:
    return incubation_out(session, _incubation(session, incubation_id))


@router.post("/incubations/{incubation_id}/exit", summary="登记入驻企业离开（出孵）", response_model=IncubationOut)
def leave(incubation_id: str, body: IncubationExitIn, session: SessionDep, today: TodayDep) -> IncubationOut:
    row = _incubation(session, incubation_id)
    if row.left_on is not None:
        raise ProblemError(409, "incubation_ended", "该企业已登记离开基地")
    if body.left_on < row.entered_on:
        raise domain.field_error("body.left_on", "离开日期不得早于入驻日期", "left_before_entering")
    domain.not_after_today("body.left_on", body.left_on, today)
    row.left_on = body.left_on
    base = _incubator(session, row.incubator_id)
    events.publish(session, IncubateeLeft(incubation_id=row.id, incubator_id=row.incubator_id,
                                          employer_ref=row.employer_ref, street_code=base.street_code,
                                          left_on=body.left_on))
    return incubation_out(session, row)


@router.post("/incubations/{incubation_id}/jobs", status_code=201, summary="登记入驻企业带动就业人数",
             response_model=JobsOut)
def report_jobs(incubation_id: str, body: JobsIn, session: SessionDep, today: TodayDep) -> JobsOut:
    row = _incubation(session, incubation_id)
    if body.reported_on < row.entered_on:
        raise domain.field_error("body.reported_on", "报告日期不得早于入驻日期", "reported_before_entering")
    domain.not_after_today("body.reported_on", body.reported_on, today)
    report = IncubationJobs(id=str(uuid_utils.uuid7()), incubation_id=row.id, headcount=body.headcount,
                            reported_on=body.reported_on)
    session.add(report)
    base = _incubator(session, row.incubator_id)
    events.publish(session, IncubateeJobsReported(
        report_id=report.id, incubation_id=row.id, incubator_id=row.incubator_id, employer_ref=row.employer_ref,
        street_code=base.street_code, headcount=body.headcount, reported_on=body.reported_on))
    return JobsOut(report_id=report.id, incubation_id=row.id, headcount=report.headcount,
                   reported_on=report.reported_on)

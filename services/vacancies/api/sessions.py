"""招聘活动 and 直播带岗: schedule a session with its vacancies, start it, end it with its results.

While a 直播带岗 session is in progress it takes viewer samples and applications; an application's
outcome may follow later, and a hire fills one post of the vacancy through the same path as
``/vacancies/{id}/fill``. Ending a session with such live records counts its totals from them
(``source: live``); a session without them is ended with totals typed in (``source: reported``).

The vacancies service keeps no register of people: an application's ``person_ref`` is checked for
its form (the 64-hex pseudonym the registration service issues) only, as ``/vacancies/{id}/fill``
does, and never carries a name or ID number.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import uuid_utils
from fastapi import Response
from pydantic import BaseModel, Field, field_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import select

from schemas.fields import Count, ShanghaiDatetime, UniqueList
from schemas.ids import PersonRef, StreetCode
from schemas.requests import Code, IsoDatetime, RequestModel
from schemas.vocab import ApplicationOutcome, SessionKind, SessionSource
from services.runtime.db import utcnow
from services.runtime.errors import ProblemError
from services.runtime.http import write_router

from .. import events
from ..deps import SessionDep
from ..domain import (
    MAX_AHEAD,
    SessionStatus,
    advance_session,
    field_error,
    field_problem,
    live_totals,
    local_date,
    local_today,
    require_open,
)
from ..store import RecruitmentSession, SessionApplication, Vacancy, ViewerSample
from .vacancies import fill, get_vacancy

router = write_router(prefix="/recruitment-sessions", tags=["招聘活动"])


class SessionIn(RequestModel):
    kind: Code[SessionKind]
    title: Annotated[str, Field(min_length=1, max_length=100)]
    street_code: StreetCode
    scheduled_at: IsoDatetime = Field(description="计划开始时间（不晚于一年以后）")
    vacancy_ids: Annotated[UniqueList[str], Field(max_length=500)] = []

    @field_validator("scheduled_at")
    @classmethod
    def _within_a_year(cls, scheduled_at: datetime) -> datetime:
        if local_date(scheduled_at) > local_today() + MAX_AHEAD:
            raise PydanticCustomError("date_too_far", "招聘活动时间不得晚于一年以后")
        return scheduled_at


class StartIn(RequestModel):
    started_at: IsoDatetime | None = Field(None, description="缺省为当前时间")


class EndIn(RequestModel):
    ended_at: IsoDatetime | None = Field(None, description="缺省为当前时间")
    viewers: Count | None = Field(None, description="观看或到场人数；已实时记录的直播带岗由系统计算，不得填报")
    applications: Count | None = Field(None, description="投递人数；已实时记录的直播带岗由系统计算，不得填报")
    hires: Count | None = Field(None, description="录用人数；已实时记录的直播带岗由系统计算，不得填报")


class ViewersIn(RequestModel):
    sampled_at: IsoDatetime | None = Field(None, description="采样时间（活动开始后、不晚于当前时间），缺省为当前时间")
    viewers: Count = Field(description="该时刻的在线观看人数")


class ViewersOut(BaseModel):
    session_id: str
    sampled_at: ShanghaiDatetime
    viewers: int


class ApplicationIn(RequestModel):
    person_ref: PersonRef = Field(description="求职者的化名编号（登记服务签发，64位十六进制）")
    vacancy_id: str = Field(description="本场直播展示的岗位编号")
    applied_at: IsoDatetime | None = Field(None, description="投递时间，缺省为当前时间")


class OutcomeIn(RequestModel):
    outcome: Code[ApplicationOutcome]
    decided_at: IsoDatetime | None = Field(None, description="决定时间，缺省为当前时间")


class ApplicationOut(BaseModel):
    application_id: str = Field(description="投递编号")
    session_id: str
    vacancy_id: str
    person_ref: str
    applied_at: ShanghaiDatetime
    outcome: ApplicationOutcome | None
    decided_at: ShanghaiDatetime | None


class SessionOut(BaseModel):
    session_id: str = Field(description="活动编号")
    kind: SessionKind
    title: str
    street_code: str
    vacancy_ids: list[str]
    status: SessionStatus
    scheduled_at: ShanghaiDatetime
    started_at: ShanghaiDatetime | None
    ended_at: ShanghaiDatetime | None
    viewers: int | None
    applications: int | None
    hires: int | None
    source: SessionSource | None = Field(description="结束后成效的来源：live 实时记录计算，reported 结束后填报")


def session_out(row: RecruitmentSession) -> SessionOut:
    return SessionOut(
        session_id=row.id, kind=SessionKind(row.kind), title=row.title, street_code=row.street_code,
        vacancy_ids=list(row.vacancy_ids), status=SessionStatus(row.status), scheduled_at=row.scheduled_at,
        started_at=row.started_at, ended_at=row.ended_at, viewers=row.viewers, applications=row.applications,
        hires=row.hires, source=SessionSource(row.source) if row.source else None,
    )


def application_out(app: SessionApplication) -> ApplicationOut:
    return ApplicationOut(
        application_id=app.id, session_id=app.session_id, vacancy_id=app.vacancy_id, person_ref=app.person_ref,
        applied_at=app.applied_at, outcome=ApplicationOutcome(app.outcome) if app.outcome else None,
        decided_at=app.decided_at,
    )


def live_session(session: SessionDep, session_id: str) -> RecruitmentSession:
    """The session, which must be a 直播带岗 in progress (started, not ended), or a 409 naming it."""
    row = get_session_row(session, session_id, for_update=True)  # serialised with its end (PostgreSQL)
    if row.kind != SessionKind.LIVESTREAM or row.status != SessionStatus.STARTED:
        raise field_problem(409, "path.session_id", "该活动不是进行中的直播带岗，不能记录实时数据",
                            "session_not_live", "session_not_live")
    return row


def check_during(row: RecruitmentSession, moment: datetime, field: str) -> None:
    """422 naming ``field`` unless ``moment`` lies between the session's start and now."""
    assert row.started_at is not None  # a started session has its start
    if moment < row.started_at:
        raise field_error(field, "时间不得早于活动开始时间", "before_session")
    if moment > utcnow():
        raise field_error(field, "时间不得晚于当前时间", "in_future")


def get_session_row(session: SessionDep, session_id: str, *, for_update: bool = False) -> RecruitmentSession:
    row = session.get(RecruitmentSession, session_id, with_for_update=for_update)
    if row is None:
        raise ProblemError(404, "session_not_found", "未找到该招聘活动")
    return row


@router.post("", status_code=201, summary="安排招聘活动或直播带岗", response_model=SessionOut)
def schedule_session(body: SessionIn, session: SessionDep) -> SessionOut:
    known = set(session.scalars(select(Vacancy.id).where(Vacancy.id.in_(body.vacancy_ids))))
    if len(known) != len(body.vacancy_ids):
        raise field_error("body.vacancy_ids", "包含未知的岗位编号", "unknown_vacancy")
    row = RecruitmentSession(
        id=str(uuid_utils.uuid7()), kind=body.kind.value, title=body.title, street_code=body.street_code,
        vacancy_ids=list(body.vacancy_ids), status=SessionStatus.SCHEDULED, scheduled_at=body.scheduled_at,
    )
    session.add(row)
    events.publish(session, events.session_scheduled(row))
    return session_out(row)


@router.get("/{session_id}", summary="查询招聘活动", response_model=SessionOut)
def read_session(session_id: str, session: SessionDep) -> SessionOut:
    return session_out(get_session_row(session, session_id))


@router.post("/{session_id}/start", summary="开始招聘活动", response_model=SessionOut)
def start_session(session_id: str, body: StartIn,
                  session: SessionDep) -> SessionOut:
    row = get_session_row(session, session_id, for_update=True)
    advance_session(row.status, SessionStatus.STARTED)
    row.status, row.started_at = SessionStatus.STARTED, body.started_at or utcnow()
    events.publish(session, events.session_started(row, row.started_at))
    return session_out(row)


@router.post("/{session_id}/end", summary="结束招聘活动并登记成效", response_model=SessionOut)
def end_session(session_id: str, body: EndIn,
                session: SessionDep) -> SessionOut:
    row = get_session_row(session, session_id, for_update=True)
    advance_session(row.status, SessionStatus.ENDED)
    ended_at = body.ended_at or utcnow()
    if row.started_at is not None and ended_at < row.started_at:
        raise field_error("body.ended_at", "结束时间不得早于开始时间", "ended_before_start")
    samples = session.execute(select(ViewerSample.sampled_at, ViewerSample.viewers)
                              .where(ViewerSample.session_id == row.id)).all()
    applications = session.execute(select(SessionApplication.applied_at, SessionApplication.outcome)
                                   .where(SessionApplication.session_id == row.id)).all()
    typed = {"viewers": body.viewers, "applications": body.applications, "hires": body.hires}
    if samples or applications:
        for name, value in typed.items():
            if value is not None:
                raise field_error(f"body.{name}", "该直播带岗已实时记录观看人数与投递，成效由系统计算，不得另行填报",
                                  "totals_computed")
        if ended_at < max(moment for moment, _ in [*samples, *applications]):
            raise field_error("body.ended_at", "结束时间不得早于已记录的观看人数或投递时间", "ended_before_records")
        row.viewers, row.applications, row.hires = live_totals([v for _, v in samples],
                                                               [o for _, o in applications])
        row.source = SessionSource.LIVE
    else:
        for name, value in typed.items():
            if value is None:
                raise field_error(f"body.{name}", "未实时记录数据的活动须在结束时填报成效", "missing")
        row.viewers, row.applications, row.hires = body.viewers, body.applications, body.hires
        row.source = SessionSource.REPORTED
    row.status, row.ended_at = SessionStatus.ENDED, ended_at
    events.publish(session, events.session_ended(row, ended_at))
    return session_out(row)


@router.post("/{session_id}/viewers", status_code=201,
             summary="上报直播带岗的在线观看人数（同一时刻重复上报不重复记录）", response_model=ViewersOut,
             responses={200: {"description": "该时刻已上报，未重复记录"}})
def sample_viewers(session_id: str, body: ViewersIn, session: SessionDep, response: Response) -> ViewersOut:
    row = live_session(session, session_id)
    sampled_at = body.sampled_at or utcnow()
    check_during(row, sampled_at, "body.sampled_at")
    known = session.get(ViewerSample, (row.id, sampled_at))
    if known is not None:
        if known.viewers != body.viewers:
            raise field_problem(409, "body.viewers", f"该时刻已上报观看人数{known.viewers}，不能更改",
                                "sample_conflict", "sample_conflict")
        response.status_code = 200
        return ViewersOut(session_id=row.id, sampled_at=known.sampled_at, viewers=known.viewers)
    session.add(ViewerSample(session_id=row.id, sampled_at=sampled_at, viewers=body.viewers))
    events.publish(session, events.viewers_sampled(row, sampled_at, body.viewers))
    return ViewersOut(session_id=row.id, sampled_at=sampled_at, viewers=body.viewers)


@router.post("/{session_id}/applications", status_code=201,
             summary="登记直播带岗中的求职投递（同一人同一岗位只记一次）", response_model=ApplicationOut,
             responses={200: {"description": "已投递过，返回原投递"}})
def apply(session_id: str, body: ApplicationIn, session: SessionDep, response: Response) -> ApplicationOut:
    row = live_session(session, session_id)
    if body.vacancy_id not in row.vacancy_ids:
        raise field_error("body.vacancy_id", "该岗位不在本场直播带岗展示的岗位中", "vacancy_not_shown")
    applied_at = body.applied_at or utcnow()
    check_during(row, applied_at, "body.applied_at")
    known = session.scalar(select(SessionApplication).where(
        SessionApplication.session_id == row.id, SessionApplication.vacancy_id == body.vacancy_id,
        SessionApplication.person_ref == body.person_ref))
    if known is not None:
        response.status_code = 200
        return application_out(known)
    app = SessionApplication(id=str(uuid_utils.uuid7()), session_id=row.id, vacancy_id=body.vacancy_id,
                             person_ref=body.person_ref, applied_at=applied_at)
    session.add(app)
    events.publish(session, events.application_received(row, app))
    return application_out(app)


@router.post("/{session_id}/applications/{application_id}/outcome",
             summary="登记直播带岗投递的结果（录用即登记岗位招到一人）", response_model=ApplicationOut)
def decide(session_id: str, application_id: str, body: OutcomeIn, session: SessionDep) -> ApplicationOut:
    row = get_session_row(session, session_id)
    app = session.get(SessionApplication, application_id, with_for_update=True)
    if app is None or app.session_id != row.id:
        raise ProblemError(404, "application_not_found", "未找到该投递")
    decided_at = body.decided_at or utcnow()
    if app.outcome is not None:
        if app.outcome == body.outcome and (body.decided_at is None or body.decided_at == app.decided_at):
            return application_out(app)  # the same answer again: nothing to record
        raise field_problem(409, "body.outcome", f"该投递已登记结果：{ApplicationOutcome(app.outcome).label}",
                            "already_decided", "already_decided")
    if decided_at < app.applied_at:
        raise field_error("body.decided_at", "决定时间不得早于投递时间", "before_application")
    if decided_at > utcnow():
        raise field_error("body.decided_at", "时间不得晚于当前时间", "in_future")
    if body.outcome == ApplicationOutcome.HIRED:
        vacancy = get_vacancy(session, app.vacancy_id, for_update=True)
        require_open(vacancy.status, "登记录用")
        fill(session, vacancy, 1, app.person_ref)
    app.outcome, app.decided_at = body.outcome.value, decided_at
    events.publish(session, events.application_decided(row, app))
    return application_out(app)

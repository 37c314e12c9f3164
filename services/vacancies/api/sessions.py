"""招聘活动 and 直播带岗: schedule a session with its vacancies, start it, end it with its results."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import uuid_utils
from pydantic import BaseModel, Field, field_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import select

from schemas.fields import Count, ShanghaiDatetime, UniqueList
from schemas.ids import StreetCode
from schemas.requests import Code, IsoDatetime, RequestModel
from schemas.vocab import SessionKind
from services.runtime.db import utcnow
from services.runtime.errors import ProblemError
from services.runtime.http import write_router

from .. import events
from ..deps import SessionDep
from ..domain import MAX_AHEAD, SessionStatus, advance_session, field_error, local_date, local_today
from ..store import RecruitmentSession, Vacancy

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
    viewers: Count
    applications: Count
    hires: Count


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


def session_out(row: RecruitmentSession) -> SessionOut:
    return SessionOut(
        session_id=row.id, kind=SessionKind(row.kind), title=row.title, street_code=row.street_code,
        vacancy_ids=list(row.vacancy_ids), status=SessionStatus(row.status), scheduled_at=row.scheduled_at,
        started_at=row.started_at, ended_at=row.ended_at, viewers=row.viewers, applications=row.applications,
        hires=row.hires,
    )


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
    row.status, row.ended_at = SessionStatus.ENDED, ended_at
    row.viewers, row.applications, row.hires = body.viewers, body.applications, body.hires
    events.publish(session, events.session_ended(row, ended_at))
    return session_out(row)

"""/matchmakers: each 红娘's work list and the star ratings (星级评定)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import select

from services.runtime.errors import ProblemError
from services.runtime.http import write_router

from .. import domain
from ..deps import NowDep, SessionDep
from ..store import OPEN_STATUSES, Case, Station

router = write_router(prefix="/matchmakers", tags=["红娘"])


class WorkItem(BaseModel):
    case_id: str
    station_code: str
    status: str
    origin: str
    person_ref: str | None
    vacancy_id: str | None
    employer_ref: str | None
    programme_code: str | None = None  # 政策找人
    reason: str | None = None
    household_ref: str | None = None  # 一户一策
    next_due_at: datetime
    next_due: str  # contact | referral


class RatingOut(BaseModel):
    matchmaker_id: str
    deadlines_due: int
    deadlines_met: int
    cases_closed: int
    cases_placed: int
    stars: int | None


def _next_due(case: Case) -> tuple[datetime, str]:
    if case.contacted_at is None:
        return case.contact_due_at, "contact"
    return case.referral_due_at, "referral"


@router.get("/ratings", response_model=list[RatingOut], summary="红娘星级评定",
            description="星级 = 1 + round(4 × (0.6 × 时效达标率 + 0.4 × min(安置率 / 30%, 1)))。"
                        "时效达标率 = 按时完成的时限数 / 已到期或已完成的时限数（每个工单两个时限："
                        "当天联系、3日内推介）；安置率 = 有录用的已结工单 / 已结工单。尚无数据时为 null。")
def ratings(session: SessionDep, now: NowDep) -> list[RatingOut]:
    ids = sorted(set(session.scalars(select(Station.matchmaker_id))) | set(session.scalars(select(Case.matchmaker_id))))
    out = []
    for matchmaker_id in ids:
        due = met = closed = placed = 0
        for case in session.scalars(select(Case).where(Case.matchmaker_id == matchmaker_id)):
            for deadline, done in ((case.contact_due_at, case.contacted_at), (case.referral_due_at, case.referred_at)):
                if done is not None or deadline <= now:
                    due += 1
                    met += done is not None and done <= deadline
            if case.status == "closed":
                closed += 1
                placed += case.placed
        rating = domain.rate(due, met, closed, placed)
        out.append(RatingOut(matchmaker_id=matchmaker_id, **rating.__dict__))
    return out


@router.get("/{matchmaker_id}/worklist", response_model=list[WorkItem], summary="红娘待办工单（按到期时间排序）")
def worklist(matchmaker_id: str, session: SessionDep) -> list[WorkItem]:
    known = session.scalars(select(Station.station_code).where(Station.matchmaker_id == matchmaker_id).limit(1)).first()
    open_cases = list(session.scalars(select(Case).where(Case.matchmaker_id == matchmaker_id,
                                                         Case.status.in_(OPEN_STATUSES))))
    if known is None and not open_cases:
        raise ProblemError(404, "matchmaker_not_found", "未找到该红娘")
    items = []
    for case in open_cases:
        due_at, kind = _next_due(case)
        items.append(WorkItem(case_id=case.case_id, station_code=case.station_code, status=case.status,
                              origin=case.origin, person_ref=case.person_ref, vacancy_id=case.vacancy_id,
                              employer_ref=case.employer_ref, programme_code=case.programme_code,
                              reason=case.reason, household_ref=case.household_ref, next_due_at=due_at, next_due=kind))
    return sorted(items, key=lambda item: (item.next_due_at, item.case_id))

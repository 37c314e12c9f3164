"""/match: explained top-k suggestions in both directions (read-only)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import Query
from pydantic import BaseModel

from services.runtime.errors import ProblemError
from services.runtime.http import write_router

from ..cases import local_date
from ..deps import IndexDep, NowDep, SessionDep
from ..store import PersonRow, VacancyRow

router = write_router(prefix="/match", tags=["人岗匹配"])
Limit = Annotated[int, Query(ge=1, le=100)]


class MatchOut(BaseModel):
    person_ref: str
    vacancy_id: str
    score: float
    breakdown: dict[str, float]


@router.get("/vacancies/{vacancy_id}/candidates", response_model=list[MatchOut], summary="岗位的推荐求职者")
def candidates(vacancy_id: str, session: SessionDep, index: IndexDep, now: NowDep, limit: Limit = 20) -> list:
    """Best eligible job seekers for a vacancy, with the score breakdown. A vacancy that is no longer
    open has no candidates (hard requirement)."""
    row = session.get(VacancyRow, vacancy_id)
    if row is None:
        raise ProblemError(404, "vacancy_not_found", "未找到该岗位")
    return [asdict(m) for m in index.top_candidates(row.to_domain(), local_date(now), limit)]


@router.get("/persons/{person_ref}/vacancies", response_model=list[MatchOut], summary="求职者的推荐岗位")
def vacancies(person_ref: str, session: SessionDep, index: IndexDep, now: NowDep, limit: Limit = 20) -> list:
    """Best open vacancies the person is eligible for, with the score breakdown."""
    row = session.get(PersonRow, person_ref)
    if row is None:
        raise ProblemError(404, "person_not_found", "未找到该求职者")
    if not row.active:
        return []
    return [asdict(m) for m in index.top_vacancies(row.to_domain(), local_date(now), limit)]

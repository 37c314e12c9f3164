"""``/worklists``: the bureau's work lists, filtered by 街镇, key group and status, paginated.

Items carry ``person_ref`` and non-identifying attributes only; a caseworker opens a person with
``GET /persons/{person_ref}`` (audited by the gateway) to see the name and phone. ``as_of``
(default today, Asia/Shanghai) is the day the list is computed for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal

from fastapi import Depends, Query
from sqlalchemy import Select

from schemas.ids import StreetCode
from schemas.requests import IsoDate
from schemas.vocab import KeyGroup
from services.runtime.http import write_router

from .. import store
from ..deps import SessionDep
from ..domain import FOLLOWUP_INTERVAL_MONTHS, LONG_TERM_MONTHS, Status, months_before
from .models import Page, today
from .persons import summary

router = write_router(prefix="/worklists", tags=["工作台账"])


@dataclass
class ListQuery:
    """Query parameters every work list accepts."""

    street_code: Annotated[StreetCode | None, Query(description="街镇代码")] = None
    key_group: Annotated[KeyGroup | None, Query(description="重点群体")] = None
    status: Annotated[Status | None, Query(description="登记状态")] = None
    limit: Annotated[int, Query(ge=1, le=500, description="每页条数")] = 50
    offset: Annotated[int, Query(ge=0, description="起始位置")] = 0
    as_of: Annotated[IsoDate | None, Query(description="统计日期（YYYY-MM-DD），默认今天")] = None

    @property
    def filters(self) -> store.Filters:
        return store.Filters(self.street_code, self.key_group, self.status)

    @property
    def day(self) -> date:
        return self.as_of or today()


ListQueryDep = Annotated[ListQuery, Depends()]


def _page(session: SessionDep, q: ListQuery, query: Select[store.Person]) -> Page:
    total, people = store.page(session, q.filters.apply(query), q.limit, q.offset)
    return Page(total=total, limit=q.limit, offset=q.offset, items=[summary(p) for p in people])


@router.get("/followups-due", summary="待跟踪回访的登记失业人员（每月至少1次）", response_model=Page)
def followups_due(q: ListQueryDep, session: SessionDep) -> Page:
    """Registered unemployed whose last follow-up (or unemployment registration, if never followed
    up) is at least one calendar month before ``as_of``."""
    return _page(session, q, store.followups_due(months_before(q.day, FOLLOWUP_INTERVAL_MONTHS)))


@router.get("/long-term-unemployed", summary="长期失业人员（失业6个月及以上）", response_model=Page)
def long_term_unemployed(q: ListQueryDep, session: SessionDep) -> Page:
    return _page(session, q, store.long_term_unemployed(months_before(q.day, LONG_TERM_MONTHS)))


@router.get("/graduates", summary="离校未就业高校毕业生实名台账", response_model=Page)
def graduates(
    q: ListQueryDep, session: SessionDep,
    case: Annotated[Literal["open", "closed"] | None, Query(description="open 在册，closed 已销号")] = None,
) -> Page:
    return _page(session, q, store.graduates(None if case is None else case == "open"))

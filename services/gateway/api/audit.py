"""``GET /v1/audit``: the personal-data access log, for administrators (scope ``admin``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from schemas.requests import IsoDatetime

from ..auth import Principal
from ..deps import ComponentsDep, require
from ..store import query_audit, read_session

router = APIRouter(tags=["审计"])


class AuditItem(BaseModel):
    id: int
    at: datetime = Field(description="访问时间（UTC）")
    client_id: str = Field(description="客户端编号")
    method: str
    route: str = Field(description="路由模板，标识符已替换", examples=["/persons/{person_ref}/followups"])
    person_ref: str | None = Field(description="被访问人员的编号（不含身份证号、姓名）")
    household_ref: str | None = Field(None, description="被访问家庭户的编号")
    status: int = Field(description="返回给客户端的状态码")
    request_id: str | None


class AuditPage(BaseModel):
    items: list[AuditItem]
    next_before_id: int | None = Field(description="下一页的 before_id；无更多记录时为 null")


@router.get("/v1/audit", summary="查询个人数据访问审计日志",
            description="按时间倒序列出对个人数据的每次访问。所需权限范围：`admin`。审计日志只增不改。")
async def audit(
    gateway: ComponentsDep, _: Annotated[Principal, Depends(require("admin"))],
    client_id: Annotated[str | None, Query(max_length=64, description="按客户端筛选")] = None,
    person_ref: Annotated[str | None, Query(pattern=r"^[0-9a-f]{64}$", description="按人员编号筛选")] = None,
    household_ref: Annotated[str | None, Query(max_length=64, description="按家庭户编号筛选")] = None,
    since: Annotated[IsoDatetime | None, Query(description="起始时间（含），须带时区")] = None,
    until: Annotated[IsoDatetime | None, Query(description="截止时间（不含），须带时区")] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="每页条数")] = 100,
    before_id: Annotated[int | None, Query(ge=1, le=2**62, description="翻页：只列出编号小于此值的记录")] = None,
) -> AuditPage:
    def load() -> list[AuditItem]:
        with read_session(gateway.sessions) as session:
            rows = query_audit(session, client_id=client_id, person_ref=person_ref, since=since, until=until,
                               limit=limit, before_id=before_id, household_ref=household_ref)
            return [AuditItem.model_validate(row, from_attributes=True) for row in rows]

    items = await run_in_threadpool(load)
    return AuditPage(items=items, next_before_id=items[-1].id if len(items) == limit else None)

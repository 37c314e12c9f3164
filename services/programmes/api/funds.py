"""资金监管 flags: the list the bureau works through, and their resolution once reviewed. A flag names
records (a grant), never a person; reading the grant behind it is the audited grants route."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import select

from schemas.ids import StreetCode
from schemas.requests import RequestModel
from services.runtime.errors import ProblemError
from services.runtime.http import write_router

from .. import domain, funds, supervision
from ..deps import NowDep, SessionDep
from ..store import FundFlag

router = write_router(prefix="/programmes", tags=["资金监管"])

Resolution = Literal["recovered", "recovery_ordered", "no_breach", "record_corrected"]
_RESOLUTIONS_TEXT = "；".join(f"{code} {name}" for code, name in supervision.RESOLUTIONS.items())
DIRECT_CALLER = "direct-call"
"""``resolved_by`` of a resolution that did not come through the gateway (which names its client)."""


class FundFlagOut(BaseModel):
    alert_id: str = Field(description="预警编号（leye.alert 上的 alert_id）")
    rule: str = Field(description="违反的规则代码（预警的 signal）")
    rule_name: str = Field(description="违反的规则")
    level: str = Field(description="预警级别：yellow / orange / red")
    street_code: str
    subject_ref: str = Field(description="所涉记录（补贴编号）")
    summary: str = Field(description="发现的问题（中文）")
    flagged_at: datetime
    status: Literal["open", "resolved"] = Field(description="open 待复核 / resolved 已复核解除")
    resolution: Resolution | None = Field(description=f"复核结论：{_RESOLUTIONS_TEXT}")
    resolution_name: str | None
    resolution_note: str | None = Field(description="复核说明")
    resolved_by: str | None = Field(description="复核解除的客户端（经网关调用时为其客户端编号）")
    resolved_at: datetime | None


class FundFlagList(BaseModel):
    flags: list[FundFlagOut]


class FlagResolutionIn(RequestModel):
    """The bureau's review of a flag: its conclusion and why."""

    resolution: Resolution = Field(description=f"复核结论：{_RESOLUTIONS_TEXT}")
    note: Annotated[str, Field(min_length=1, max_length=500)] = Field(
        description="复核说明（依据、追回情况等；只保存在项目服务，不发布到消息总线）")


def flag_out(row: FundFlag) -> FundFlagOut:
    rule = supervision.RULES.get(row.rule)
    return FundFlagOut(
        alert_id=row.alert_id, rule=row.rule, rule_name=rule[0] if rule else row.rule, level=row.level,
        street_code=row.street_code, subject_ref=row.subject_ref, summary=row.summary, flagged_at=row.flagged_at,
        status="open" if row.resolution is None else "resolved",
        resolution=row.resolution,
        resolution_name=supervision.RESOLUTIONS.get(row.resolution) if row.resolution else None,
        resolution_note=row.resolution_note, resolved_by=row.resolved_by, resolved_at=row.resolved_at)


@router.get("/fund-flags", summary="资金监管预警列表（默认仅待复核的）", response_model=FundFlagList)
def list_flags(session: SessionDep,
               status: Annotated[Literal["open", "resolved", "all"],
                                 Query(description="open 待复核 / resolved 已复核解除 / all")] = "open",
               street_code: Annotated[StreetCode | None, Query(description="街镇")] = None,
               rule: Annotated[str | None, Query(max_length=64, description="规则代码")] = None) -> FundFlagList:
    query = select(FundFlag).order_by(FundFlag.flagged_at.desc(), FundFlag.alert_id).limit(500)
    if status == "open":
        query = query.where(FundFlag.resolution.is_(None))
    elif status == "resolved":
        query = query.where(FundFlag.resolution.is_not(None))
    if street_code is not None:
        query = query.where(FundFlag.street_code == street_code)
    if rule is not None:
        query = query.where(FundFlag.rule == rule)
    return FundFlagList(flags=[flag_out(row) for row in session.scalars(query)])


def _flag(session: SessionDep, alert_id: str) -> FundFlag:
    row = session.get(FundFlag, alert_id)
    if row is None:
        raise ProblemError(404, "fund_flag_not_found", "未找到该资金监管预警")
    return row


@router.get("/fund-flags/{alert_id}", summary="查询资金监管预警", response_model=FundFlagOut)
def read_flag(alert_id: str, session: SessionDep) -> FundFlagOut:
    return flag_out(_flag(session, alert_id))


@router.post("/fund-flags/{alert_id}/resolution", summary="复核并解除资金监管预警（记录结论与说明，发布预警解除）",
             response_model=FundFlagOut)
def resolve_flag(alert_id: str, body: FlagResolutionIn, request: Request, session: SessionDep,
                 now: NowDep) -> FundFlagOut:
    """Resolve a flag once: its conclusion, note, the client that resolved it (the gateway's
    ``X-Leye-Client``) and when are kept; ``alert.resolved`` closes the warning on ``leye.alert``, so
    it no longer shows as open here or in monitoring's ``/warnings``."""
    row = _flag(session, alert_id)
    if row.resolution is not None:
        raise ProblemError(409, "fund_flag_resolved", "该资金监管预警已复核解除，不能重复解除")
    note = body.note.strip()
    if not note:
        raise domain.field_error("body.note", "复核说明不能为空", "blank")
    resolved_by = request.headers.get("x-leye-client") or DIRECT_CALLER
    funds.resolve_flag(session, row, body.resolution, note, resolved_by[:64], now)
    return flag_out(row)

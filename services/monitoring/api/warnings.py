"""Early warnings: the current state of each warning, from the ``alerts`` table."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from ..deps import StoreDep

router = APIRouter(tags=["风险预警"])


class Warning(BaseModel):  # noqa: A001 - the resource's name
    alert_id: str
    status: str
    level: str
    scope_kind: str
    scope_code: str
    signal: str
    value: float
    threshold: float
    window: str
    source: str
    updated_at: datetime


class WarningList(BaseModel):
    warnings: list[Warning]


_LATEST = """
    SELECT alert_id, argMax(status, k), argMax(level, k), argMax(scope_kind, k), argMax(scope_code, k),
           argMax(signal, k), argMax(value, k), argMax(threshold, k), argMax(window, k), argMax(source, k),
           max(event_time)
    FROM (SELECT *, (event_time, event_id) AS k FROM alerts FINAL)
    GROUP BY alert_id
    HAVING {status:String} = 'all' OR argMax(status, k) = {status:String}
    ORDER BY max(event_time) DESC
    LIMIT 500
"""


@router.get("/warnings", summary="风险预警列表（默认仅当前未解除的预警）")
async def list_warnings(
    store: StoreDep,
    status: Annotated[Literal["open", "resolved", "all"], Query(description="open 未解除 / resolved 已解除 / all")] = (
        "open"
    ),
) -> WarningList:
    rows = await store.call(store.rows_sync, _LATEST, {"status": status})
    fields = list(Warning.model_fields)
    warnings = []
    for row in rows:
        values = dict(zip(fields, row, strict=True))
        if values["updated_at"].tzinfo is None:  # the table stores UTC; some drivers return it naive
            values["updated_at"] = values["updated_at"].replace(tzinfo=UTC)
        warnings.append(Warning(**values))
    return WarningList(warnings=warnings)

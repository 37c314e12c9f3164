"""The wall "乐业西青指挥中心" as a web page: ``/wall`` and the figures of its panels, ``/wall/data``.

Both come from ``wall.panels.wall_panels()``, the list that also generates the Grafana dashboard
(``wall/browser.py`` says how). The page draws with ECharts served from this process
(``/wall/assets/echarts.min.js``, the copy vendored in the pinned ``vizly`` wheel): it works offline.

Only aggregates are shown (the panels count people, never name them); like Grafana, the figures are
not suppressed below 5 people, so the page is for the bureau: in production it answers only
through the internal credential, unless the operator publishes it (``MONITORING_WALL_PUBLIC``,
``deploy/compose.wall.yml``).
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel

from schemas.fields import SHANGHAI
from schemas.reference import STREETS
from schemas.requests import IsoDate
from services.runtime.errors import ProblemError

from ..deps import StoreDep, TargetsDep
from ..indicators.targets import Targets
from ..store import Store
from ..wall import browser
from ..wall.dashboard import PROGRAMMES_TITLE, PanelSpec
from ..wall.panels import PROGRAMME_ROWS, programme_panels, wall_panels

router = APIRouter(prefix="/wall", tags=["指挥中心大屏"])
WALL_DIR = Path(__file__).parents[1] / "wall"
templates = Jinja2Templates(directory=WALL_DIR / "templates")
ECHARTS_FILE = "vizly/assets/echarts.min.js"
"""Apache ECharts as the pinned ``vizly`` wheel vendors it (located without importing vizly, which
would import pandas)."""


@cache
def _panels(targets: Targets) -> list[PanelSpec]:
    """The panels with the targets the service started with (``MONITORING_TARGETS``)."""
    return wall_panels(targets)


@cache
def _programme_panels(targets: Targets) -> list[PanelSpec]:
    """The programmes' dashboard (乐业西青 政策项目进度) as a page: the same specs as its Grafana JSON."""
    return programme_panels(targets)


@cache
def _assets() -> dict[str, tuple[Path, str]]:
    echarts = Path(str(importlib.metadata.distribution("vizly").locate_file(ECHARTS_FILE)))
    return {"echarts.min.js": (echarts, "text/javascript"),
            "wall.js": (WALL_DIR / "static" / "wall.js", "text/javascript"),
            "wall.css": (WALL_DIR / "static" / "wall.css", "text/css")}


Street = Annotated[str, Query(alias="street", description="街镇代码（9位）；不填为全区")]
To = Annotated[IsoDate | None, Query(alias="to", description="截止日期（含，YYYY-MM-DD）：显示该日结束时的大屏；"
                                                          "默认此刻（与 Grafana 大屏相同：当年1月1日至今）")]


def _end(to: date | None) -> datetime:
    """The moment the wall shows: now, or the end of the day ``to`` (Asia/Shanghai)."""
    if to is None:
        return datetime.now(UTC)
    return datetime(to.year, to.month, to.day, tzinfo=SHANGHAI) + timedelta(days=1, seconds=-1)


def _street(code: str) -> str:
    if code and code not in STREETS:
        raise ProblemError(422, "unknown_street", "未知的街镇代码",
                           errors=[{"field": "query.street", "message": "未知的街镇代码", "type": "street_code"}])
    return code


class PanelData(BaseModel):
    """One panel's result: its rows, each in the order of ``columns`` (times in ISO 8601, UTC)."""

    id: int
    title: str
    start: datetime
    end: datetime
    columns: list[str]
    rows: list[list[Any]]


class WallData(BaseModel):
    street_code: str | None
    generated_at: datetime
    panels: list[PanelData]


@router.get("", summary="指挥中心大屏（网页）", response_class=HTMLResponse, include_in_schema=False)
async def wall_page(request: Request, targets: TargetsDep, street: Street = "", to: To = None) -> HTMLResponse:
    # relative URLs: the page works behind a proxy that mounts the service under a prefix
    return templates.TemplateResponse(request, "wall.html", {
        "layout": browser.layout(_panels(targets)), "assets": "wall/assets/", "street": _street(street), "to": to})


@router.get("/programmes", summary="政策项目进度大屏（网页）", response_class=HTMLResponse, include_in_schema=False)
async def programmes_page(request: Request, targets: TargetsDep, street: Street = "", to: To = None) -> HTMLResponse:
    shown = browser.layout(_programme_panels(targets), title=PROGRAMMES_TITLE, rows=PROGRAMME_ROWS,
                           data_url="programmes/data")
    return templates.TemplateResponse(request, "wall.html", {
        "layout": shown, "assets": "assets/", "street": _street(street), "to": to})


@router.get("/data", summary="大屏各面板当前数据（与 Grafana 大屏同一查询）", include_in_schema=False)
async def wall_data(store: StoreDep, targets: TargetsDep, street: Street = "", to: To = None) -> WallData:
    return await _data(store, _panels(targets), street, to)


@router.get("/programmes/data", summary="政策项目进度大屏各面板当前数据", include_in_schema=False)
async def programmes_data(store: StoreDep, targets: TargetsDep, street: Street = "", to: To = None) -> WallData:
    return await _data(store, _programme_panels(targets), street, to)


async def _data(store: Store, specs: list[PanelSpec], street: str, to: date | None) -> WallData:
    street = _street(street)
    now = _end(to)
    if store.dirty:  # as /stats does: the figures are never older than the ingested facts
        await store.call(store.refresh_sync)
    panels = []
    results: dict[str, tuple[list[str], list[Sequence[Any]]]] = {}  # a query shared by panels runs once
    # One query per call: ingestion's batches get the ClickHouse thread between two panels.
    for panel_id, spec in enumerate(specs, start=1):
        start, end = browser.period(spec, now)
        sql = browser.plugin_sql(spec.sql, street=street, start=start, end=end)
        if sql not in results:
            results[sql] = await store.call(store.result_sync, sql)
        rows = spec.take(*results[sql])
        panels.append(PanelData(id=panel_id, title=spec.title, start=start, end=end, columns=list(spec.columns),
                                rows=[[browser.cell(value) for value in row] for row in rows]))
    return WallData(street_code=street or None, generated_at=datetime.now(UTC), panels=panels)


@router.get("/assets/{name}", include_in_schema=False)
async def wall_asset(name: str) -> FileResponse:
    asset = _assets().get(name)
    if asset is None:
        raise ProblemError(404, "not_found", "没有这个文件")
    path, media_type = asset
    return FileResponse(path, media_type=media_type, headers={"Cache-Control": "max-age=3600"})

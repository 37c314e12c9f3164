"""The wall in a browser, from the same ``PanelSpec``s as the Grafana dashboard.

``panels.wall_panels()`` is the one list of panels: ``dashboard.py`` turns it into Grafana's JSON,
this module into what the browser wall (``api/wall.py``, ``templates/wall.html``, ``static/wall.js``)
needs — each panel's place on the 24×26 grid, kind, unit, threshold colours and Chinese labels —
and runs each panel's own SQL over the monitoring store. A panel added to ``wall_panels()`` shows
in both, with the same figures.

The SQL is the text Grafana sends: its macros are substituted as the ClickHouse plugin does
(``$__fromTime`` / ``$__toTime`` as ``toDateTime(<unix seconds>)``, ``$__timeFilter(column)`` as the
range on that column, ``${street}`` as the 街镇 variable's value). The period is the dashboard's
default, the year to date in Asia/Shanghai (``now/y`` to ``now``), or a panel's own ``time_from``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from schemas.fields import SHANGHAI
from schemas.reference import STREETS

from .clickhouse import QueryType
from .dashboard import DASHBOARD_TITLE, GRID_COLUMNS, REFRESH, WALL_ROWS, PanelSpec

_TIME_FILTER = re.compile(r"\$__timeFilter\((\w+)\)")
_RELATIVE = re.compile(r"(\d+)([smhdw])")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
COLOURS = {"green": "#73BF69", "orange": "#FF9830", "red": "#F2495C", "blue": "#5794F2", "transparent": "transparent"}
"""Grafana's dark-theme shades of the colour names the panel specs use."""


def refresh_ms() -> int:
    """The dashboard's refresh interval (``REFRESH``, e.g. ``10s``) in milliseconds."""
    return _seconds(REFRESH) * 1000


def _seconds(relative: str) -> int:
    match = _RELATIVE.fullmatch(relative)
    if match is None:
        raise ValueError(f"unsupported relative time {relative!r}")
    return int(match[1]) * _UNIT_SECONDS[match[2]]


def period(spec: PanelSpec, now: datetime) -> tuple[datetime, datetime]:
    """The time range the panel reads at ``now``: the year to date in Asia/Shanghai, or the panel's
    ``time_from`` (e.g. ``30d``) back from now, as Grafana's dashboard does."""
    if spec.time_from is not None:
        return now - timedelta(seconds=_seconds(spec.time_from)), now
    local = now.astimezone(SHANGHAI)
    return datetime(local.year, 1, 1, tzinfo=SHANGHAI), now


def plugin_sql(sql: str, *, street: str, start: datetime, end: datetime) -> str:
    """The panel's SQL as the ClickHouse plugin sends it for this period and 街镇 (``""`` = 全部).

    ``street`` goes into a SQL string literal, so only a known 街镇 code (or none) is accepted."""
    if street and street not in STREETS:
        raise ValueError(f"unknown street code {street!r}")
    start_s, end_s = int(start.timestamp()), int(end.timestamp())
    sql = _TIME_FILTER.sub(lambda m: f"{m[1]} >= toDateTime({start_s}) AND {m[1]} <= toDateTime({end_s})", sql)
    sql = sql.replace("$__fromTime", f"toDateTime({start_s})").replace("$__toTime", f"toDateTime({end_s})")
    sql = sql.replace("${street}", street)
    if "$" in sql:
        raise ValueError("a Grafana macro or variable was left unsubstituted")
    return sql


def cell(value: Any) -> Any:
    """A result value as JSON: times as ISO 8601 in UTC (the driver returns UTC, naive), numbers as
    numbers (``None`` for NaN: JSON has none)."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@dataclass(frozen=True)
class PanelView:
    """What the page needs to draw one panel (no data: that comes from ``/wall/data``)."""

    id: int
    title: str
    kind: str
    x: int
    y: int
    w: int
    h: int
    columns: tuple[str, ...]
    labels: dict[str, str]
    mappings: dict[str, str]
    unit: str | None
    decimals: int | None
    thresholds: dict[str, Any] | None
    description: str
    horizontal: bool
    time_series: bool
    shown: tuple[str, ...] | None = None
    colours: dict[str, str] | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "title": self.title, "kind": self.kind,
            "grid": {"x": self.x, "y": self.y, "w": self.w, "h": self.h}, "columns": list(self.columns),
            "labels": self.labels, "mappings": self.mappings, "unit": self.unit, "decimals": self.decimals,
            "thresholds": self.thresholds, "description": self.description, "horizontal": self.horizontal,
            "time_series": self.time_series, "shown": None if self.shown is None else list(self.shown),
            "colours": self.colours or {},
        }


def view(spec: PanelSpec, panel_id: int) -> PanelView:
    """The page's view of one spec; ``panel_id`` as in the dashboard (its position, from 1)."""
    thresholds = None
    if spec.thresholds is not None:
        thresholds = {"base": COLOURS[spec.thresholds.base],
                      "steps": [[value, COLOURS[colour]] for value, colour in spec.thresholds.steps]}
    return PanelView(
        id=panel_id, title=spec.title, kind=spec.kind.value, x=spec.grid.x, y=spec.grid.y, w=spec.grid.w,
        h=spec.grid.h, columns=spec.columns, labels=dict(spec.overrides), mappings=dict(spec.mappings),
        unit=spec.unit, decimals=spec.decimals, thresholds=thresholds, description=spec.description,
        horizontal=spec.horizontal, time_series=spec.query_type is QueryType.TIME_SERIES, shown=spec.shown,
        colours={value: COLOURS[colour] for value, colour in spec.colours.items()},
    )


def layout(specs: list[PanelSpec], *, title: str = DASHBOARD_TITLE, rows: int = WALL_ROWS,
           data_url: str = "wall/data") -> dict[str, Any]:
    """Everything static about the page: title, grid size, refresh, the 街镇 options and the panels;
    ``data_url``: where the page fetches the panels' data, relative to the page."""
    return {
        "title": title, "columns": GRID_COLUMNS, "rows": rows, "refresh_ms": refresh_ms(), "data_url": data_url,
        "streets": [{"code": "", "name": "全部"}] + [{"code": s.code, "name": s.name} for s in STREETS.values()],
        "panels": [view(spec, panel_id).as_json() for panel_id, spec in enumerate(specs, start=1)],
    }

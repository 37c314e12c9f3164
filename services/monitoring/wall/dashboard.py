"""Turning the wall's panel specs into the Grafana dashboard, with grafana-foundation-sdk builders.

A ``PanelSpec`` says what a panel shows (title, SQL, the columns it reads, unit, threshold colours)
and where it sits on the 24-column grid; ``build_dashboard`` assembles them with the 街镇 variable.
Panel ids are the specs' positions in the list, so the output is the same on every run. Panels
that share one query (the same SQL and period: the KPIs, the per-街镇 panels) send it once: the first
carries it, the others read its result through Grafana's Dashboard data source, each keeping its own
columns by a transformation.

The wall is laid out for a 1920×1080 screen in kiosk mode: 24 columns by 26 rows of 30 px (plus the
8 px gaps) fill the screen without scrolling, which ``check_layout`` enforces.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from grafana_foundation_sdk.builders import barchart, common, gauge, geomap, stat, table, timeseries
from grafana_foundation_sdk.builders import dashboard as dash
from grafana_foundation_sdk.builders import datasource as shared_results
from grafana_foundation_sdk.cog import builder as cogbuilder
from grafana_foundation_sdk.models import common as common_model
from grafana_foundation_sdk.models import dashboard as dash_model
from grafana_foundation_sdk.models import geomap as geomap_model

from .clickhouse import DATASOURCE, ClickHouseQueryBuilder, QueryType

DASHBOARD_UID = "leye-wall"
DASHBOARD_TITLE = "乐业西青指挥中心"
REFRESH = "10s"
GRID_COLUMNS = 24
WALL_ROWS = 26
"""Grid rows that fit 1080 px under the (hidden) kiosk header: 26 × (30 px + 8 px gap) ≈ 990 px."""

STREET_VARIABLE = "street"


class Kind(StrEnum):
    """Visualisation of a panel (Grafana panel plugin ids)."""

    STAT = "stat"
    GAUGE = "gauge"
    BAR_CHART = "barchart"
    TIME_SERIES = "timeseries"
    TABLE = "table"
    GEOMAP = "geomap"


MAP_COLUMNS = ("name", "code", "lon", "lat")
"""What a map panel's first four columns are: each place's name, code, longitude and latitude; its
figures follow, the first of them drawn as the marker's size and colour, the others in its tooltip."""


@dataclass(frozen=True)
class Grid:
    """Position and size on the 24-column grid (x, y from the top left; one row is 30 px)."""

    x: int
    y: int
    w: int
    h: int


@dataclass(frozen=True)
class Thresholds:
    """Threshold colours: ``base`` below the first step, then ``(value, colour)`` steps upwards."""

    base: str
    steps: tuple[tuple[float, str], ...] = ()

    def builder(self) -> dash.ThresholdsConfig:
        steps = [dash_model.Threshold(None, self.base)]
        steps += [dash_model.Threshold(value, colour) for value, colour in self.steps]
        return dash.ThresholdsConfig().mode(dash_model.ThresholdsMode.ABSOLUTE).steps(steps)


@dataclass(frozen=True)
class PanelSpec:
    """One panel of the wall. ``columns`` are the result columns the visualisation reads."""

    title: str
    kind: Kind
    sql: str
    columns: tuple[str, ...]
    grid: Grid
    description: str = ""
    unit: str | None = None
    decimals: int | None = None
    thresholds: Thresholds | None = None
    query_type: QueryType = QueryType.TABLE
    overrides: tuple[tuple[str, str], ...] = field(default=())
    """(column, Chinese display name) pairs: table headers and legends people read."""
    mappings: dict[str, str] = field(default_factory=dict)
    """Code -> Chinese label for cell values (街镇 codes, event types, alert levels …)."""
    time_from: str | None = None
    """A panel-specific relative period (e.g. ``30d``) instead of the dashboard's time range."""
    horizontal: bool = False
    """Bar charts: bars from the left (long Chinese category names read better that way)."""
    shown: tuple[str, ...] | None = None
    """Stat panels: the columns shown as figures (default: all). The others are details: Grafana
    keeps them in the query result, the browser wall prints them under the figures."""
    colours: dict[str, str] = field(default_factory=dict)
    """Mapped value -> colour name, for a stat panel's ``status`` column (a KPI's progress): Grafana
    colours the figure showing that value; the browser wall colours the panel's figures with it."""
    prefix: str = ""
    """For panels whose columns share names in one query (the KPIs'): the panel's columns are named
    ``prefix + column`` in the result of ``sql``. Panels with the same ``sql`` (and period) share
    it, prefixed or not: Grafana sends it once, for the first of them; the others read that panel's
    result (its Dashboard data source)."""

    def take(self, column_names: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
        """The panel's own rows from the result of its ``sql``: its ``columns``, in order. (An empty
        result may come without its column names.)"""
        if not rows:
            return []
        positions = [list(column_names).index(self.prefix + column) for column in self.columns]
        return [tuple(row[i] for i in positions) for row in rows]


def _legend() -> common.VizLegendOptions:
    return (
        common.VizLegendOptions()
        .show_legend(True)
        .display_mode(common_model.LegendDisplayMode.LIST)
        .placement(common_model.LegendPlacement.BOTTOM)
    )


# The SDK's panel builders share their common methods (id, title, unit, …) but no base class declares them.
_PanelBuilder = stat.Panel | gauge.Panel | barchart.Panel | timeseries.Panel | table.Panel | geomap.Panel


OFFLINE_BASEMAP = (
    common.MapLayerOptions().type("geojson").name("底图（离线）").opacity(0)
    .config({"src": "public/maps/countries.geojson", "rules": [], "style": {"opacity": 0}})
)
"""The maps' basemap: Grafana's GeoJSON layer over the world outline Grafana itself serves, fully
transparent, so the panel fetches no tiles (every tile basemap Grafana offers, its "default"
included, loads them from the internet). The Geomap panel looks the basemap's type up among all its
layer types, so a data layer may fill the slot; Grafana's basemap selector lists tile servers only,
which is why this lives in the generated JSON."""


def _map(spec: PanelSpec) -> geomap.Panel:
    """A Geomap of one marker per place at its ``lon`` / ``lat`` (see ``MAP_COLUMNS``), sized and
    coloured by the first figure and labelled with the name; the view fits the markers. No map tiles:
    the command centre's network may have no internet, so the basemap slot holds ``OFFLINE_BASEMAP``."""
    name, _code, lon, lat = spec.columns[:4]
    if spec.columns[2:4] != MAP_COLUMNS[2:4] or len(spec.columns) < 5:
        raise ValueError(f"map panel {spec.title!r}: columns must be name, code, lon, lat, then its figures")
    figure = spec.columns[4]
    style = {
        "size": {"field": figure, "fixed": 8, "min": 8, "max": 36},
        "color": {"field": figure, "fixed": "blue"},
        "opacity": 0.75,
        "symbol": {"mode": "fixed", "fixed": "img/icons/marker/circle.svg"},
        "text": {"mode": "field", "field": name, "fixed": ""},
        "textConfig": {"fontSize": 12, "offsetY": -20, "textAlign": "center", "textBaseline": "bottom"},
    }
    markers = (
        common.MapLayerOptions().type("markers").name(spec.title).tooltip(True)
        .location(common.FrameGeometrySource().mode(common_model.FrameGeometrySourceMode.COORDS)
                  .latitude(lat).longitude(lon))
        .config({"showLegend": True, "style": style})
    )
    return (
        geomap.Panel()
        .view(geomap.MapViewConfig().id(geomap_model.MapCenterID.FIT.value).zoom(11).all_layers(True))
        .controls(geomap.ControlsOptions().show_zoom(True).mouse_wheel_zoom(False).show_attribution(False))
        .basemap(OFFLINE_BASEMAP)
        .layers([markers])
        .tooltip(geomap.TooltipOptions().mode(geomap_model.TooltipMode.DETAILS))
    )


def _panel_builder(spec: PanelSpec) -> _PanelBuilder:
    match spec.kind:
        case Kind.STAT:
            several = len(spec.shown or spec.columns) > 1  # several figures in one panel need their names shown
            text = common_model.BigValueTextMode.VALUE_AND_NAME if several else common_model.BigValueTextMode.VALUE
            reduce = common.ReduceDataOptions().calcs(["lastNotNull"]).values(False)
            if spec.shown is not None:  # by name, so text fields (a mapped status) show too
                reduce = reduce.fields("/^(" + "|".join(spec.shown) + ")$/")
            return (
                stat.Panel()
                .color_mode(common_model.BigValueColorMode.BACKGROUND)
                .graph_mode(common_model.BigValueGraphMode.NONE)
                .text_mode(text)
                .reduce_options(reduce)
            )
        case Kind.GAUGE:
            return gauge.Panel().reduce_options(common.ReduceDataOptions().calcs(["lastNotNull"]).values(True))
        case Kind.BAR_CHART:
            orientation = common_model.VizOrientation.HORIZONTAL if spec.horizontal else None
            chart = (
                barchart.Panel().x_field(spec.columns[0]).show_value(common_model.VisibilityMode.AUTO).legend(_legend())
            )
            return chart.orientation(orientation) if orientation else chart
        case Kind.TIME_SERIES:
            return timeseries.Panel().line_width(2).fill_opacity(10).legend(_legend())
        case Kind.TABLE:
            return table.Panel().cell_height(common_model.TableCellHeight.SM)
        case Kind.GEOMAP:
            return _map(spec)


DASHBOARD_DATASOURCE = dash_model.DataSourceRef(type_val="datasource", uid="-- Dashboard --")
"""Grafana's built-in source of another panel's query result."""


def build_panel(spec: PanelSpec, panel_id: int, source_id: int | None = None,
                shared: bool = False) -> cogbuilder.Builder[dash_model.Panel]:
    """The SDK builder for one spec, with its stable id and its ClickHouse target, or, given
    ``source_id``, the result of that panel's (the same query). ``shared``: other panels read the
    same result, so this one keeps its own columns (``PanelSpec.prefix``: renamed without it)."""
    panel = _panel_builder(spec).id(panel_id).title(spec.title).grid_pos(
        dash_model.GridPos(h=spec.grid.h, w=spec.grid.w, x=spec.grid.x, y=spec.grid.y))
    if source_id is None:
        panel = panel.datasource(DATASOURCE).with_target(ClickHouseQueryBuilder(spec.sql, query_type=spec.query_type))
    else:
        panel = panel.datasource(DASHBOARD_DATASOURCE).with_target(
            shared_results.Dataquery().panel_id(source_id).ref_id("A").with_transforms(False)
            .datasource(DASHBOARD_DATASOURCE))
    if spec.prefix:  # the panel's own columns of the shared result, without their prefix
        pattern = "^" + spec.prefix.replace(".", "\\.")
        panel = panel.transformations([
            dash_model.DataTransformerConfig(id_val="filterFieldsByName", options={"include": {"pattern": pattern}}),
            dash_model.DataTransformerConfig(id_val="renameByRegex",
                                             options={"regex": f"{pattern}(.*)$", "renamePattern": "$1"}),
        ])
    elif shared:
        panel = panel.transformations([dash_model.DataTransformerConfig(
            id_val="filterFieldsByName", options={"include": {"names": list(spec.columns)}})])
    if spec.description:
        panel = panel.description(spec.description)
    if spec.unit is not None:
        panel = panel.unit(spec.unit)
    if spec.decimals is not None:
        panel = panel.decimals(spec.decimals)
    if spec.thresholds is not None:
        panel = panel.thresholds(spec.thresholds.builder())
    if spec.time_from is not None:
        panel = panel.time_from(spec.time_from)
    if spec.mappings:
        panel = panel.mappings([_value_map(spec.mappings, spec.colours)])
    for column, label in spec.overrides:
        panel = panel.override_by_name(column, [dash_model.DynamicConfigValue(id_val="displayName", value=label)])
    return panel


def _value_map(labels: dict[str, str], colours: dict[str, str]) -> dash_model.ValueMap:
    options = {code: dash_model.ValueMappingResult(text=label, color=colours.get(code))
               for code, label in sorted(labels.items())}
    return dash_model.ValueMap(options=options)


def street_variable(sql: str) -> dash.QueryVariable:
    """The 街镇 selector: ``sql`` returns (code, name) rows, the first ("", "全部").

    "全部" is an ordinary option whose value is the empty string, which the indicator templates read
    as "all 街镇"; Grafana's own include-all option would expand to a list of codes instead.
    """
    return (
        dash.QueryVariable(STREET_VARIABLE)
        .label("街镇")
        .datasource(DATASOURCE)
        .query(sql)
        .refresh(dash_model.VariableRefresh.ON_DASHBOARD_LOAD)
        .include_all(False)
        .multi(False)
        .current(dash_model.VariableOption(text="全部", value="", selected=True))
    )


def check_layout(specs: list[PanelSpec], rows: int = WALL_ROWS) -> None:
    """Raise ``ValueError`` if a panel leaves the 24×26 wall (24×``rows``) or two panels overlap."""
    taken: dict[tuple[int, int], str] = {}
    for spec in specs:
        g = spec.grid
        if g.x < 0 or g.y < 0 or g.x + g.w > GRID_COLUMNS or g.y + g.h > rows:
            raise ValueError(f"panel {spec.title!r} leaves the {GRID_COLUMNS}×{rows} wall")
        for cell in ((x, y) for x in range(g.x, g.x + g.w) for y in range(g.y, g.y + g.h)):
            if cell in taken:
                raise ValueError(f"panels {taken[cell]!r} and {spec.title!r} overlap at {cell}")
            taken[cell] = spec.title


PROGRAMMES_UID = "leye-programmes"
PROGRAMMES_TITLE = "乐业西青 政策项目进度"
PROGRAMMES_DESCRIPTION = "行动计划各政策项目与政策找人的年度目标进度（由代码生成，请勿在界面修改）"


def build_dashboard(specs: list[PanelSpec], street_sql: str, *, uid: str = DASHBOARD_UID,
                    title: str = DASHBOARD_TITLE, rows: int = WALL_ROWS,
                    description: str = "西青区就业形势实时监测与规模性失业风险预警大屏（由代码生成，请勿在界面修改）",
                    ) -> dash.Dashboard:
    """The whole wall: title, uid, 10 s refresh, Shanghai time, the 街镇 variable and every panel;
    another dashboard of the same panels with its own ``uid``, ``title`` and height (``rows``).

    The default period is the year to date, the period of the yearly targets (城镇新增就业, 招聘活动…).
    """
    check_layout(specs, rows)
    board = (
        dash.Dashboard(title)
        .uid(uid)
        .description(description)
        .tags(["乐业西青", "就业监测"])
        .refresh(REFRESH)
        .time("now/y", "now")
        .timezone("Asia/Shanghai")
        .timepicker(dash.TimePicker().refresh_intervals(["10s", "30s", "1m", "5m"]))
        .readonly()
        .with_variable(street_variable(street_sql))
    )
    readers = Counter((spec.sql, spec.time_from) for spec in specs)
    sent: dict[tuple[str, str | None], int] = {}  # a shared query -> the panel that sends it
    for panel_id, spec in enumerate(specs, start=1):
        query = (spec.sql, spec.time_from)
        source_id = sent.setdefault(query, panel_id)
        board = board.with_panel(build_panel(spec, panel_id, None if source_id == panel_id else source_id,
                                             shared=readers[query] > 1))
    return board

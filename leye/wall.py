"""``leye wall``: the browser wall as a person sees it, in Debian's headless Chromium.

:func:`capture` opens ``/wall`` of a monitoring service at 1920×1080, lets the page run until every
panel has drawn (Chromium's virtual time: timers and fetches run, then the DOM is dumped and a
screenshot taken), and reads back what each panel shows. :func:`compare_kpis` sets the KPI panels'
numbers beside ``/stats/indicators``. The tests and ``leye wall screenshot`` use both.

Chromium is driven with its own ``--headless --screenshot --dump-dom`` flags rather than a
DevTools client library: one process per capture, nothing to install but the ``chromium`` package,
and no browser download. The cost: no event to wait on, so a capture whose page has not finished
drawing within the virtual-time budget is taken again with a longer one.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

import httpx
import typer
from rich.console import Console
from rich.table import Table

from .stack import DEFAULT_PORT_BASE

app = typer.Typer(help="指挥中心大屏（浏览器版）：截图与核对", no_args_is_help=True)
console = Console()
err_console = Console(stderr=True)
WINDOW = (1920, 1080)
DEFAULT_MONITORING_URL = f"http://127.0.0.1:{DEFAULT_PORT_BASE + 4}"


class WallError(RuntimeError):
    """The wall could not be captured; the message is for operators (Chinese)."""


def find_chromium() -> str | None:
    """Debian's ``chromium`` (or ``$CHROMIUM``), or None when it is not installed."""
    return os.environ.get("CHROMIUM") or shutil.which("chromium")


@dataclass
class Stat:
    column: str
    value: float | None
    text: str


@dataclass
class PanelShown:
    id: int
    title: str = ""
    kind: str = ""
    state: str = ""
    rows: int | None = None
    stats: list[Stat] = field(default_factory=list)


@dataclass
class Capture:
    """What the page showed: the body's state, each panel, and where the screenshot is."""

    state: str
    panels: list[PanelShown]
    screenshot: Path
    dom: str

    def kpis(self) -> dict[str, Stat]:
        """The single-figure stat panels (the KPIs) by title, which is the indicator's name."""
        return {p.title: p.stats[0] for p in self.panels
                if p.kind == "stat" and len(p.stats) == 1 and p.stats[0].column == "value"}


class _WallParser(HTMLParser):
    """Reads the rendered wall's DOM: the panels' sections, titles and stat tiles (see wall.js)."""

    def __init__(self) -> None:
        super().__init__()
        self.state = ""
        self.panels: list[PanelShown] = []
        self._in: str | None = None  # "title" or "number" while reading their text
        self._stat: Stat | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {name: value or "" for name, value in attrs}
        classes = a.get("class", "").split()
        if tag == "body":
            self.state = a.get("data-wall", "")
        elif tag == "section" and "data-panel-id" in a:
            rows = a.get("data-rows")
            self.panels.append(PanelShown(id=int(a["data-panel-id"]), kind=a.get("data-kind", ""),
                                          state=a.get("data-state", ""), rows=int(rows) if rows else None))
        elif tag == "h2" and self.panels:
            self._in = "title"
        elif tag == "div" and "stat" in classes and self.panels:
            raw = a.get("data-value", "")
            self._stat = Stat(column=a.get("data-column", ""), value=float(raw) if raw else None, text="")
            self.panels[-1].stats.append(self._stat)
        elif tag == "div" and "number" in classes and self._stat is not None:
            self._in = "number"

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h2", "div"):
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "title":
            self.panels[-1].title += data
        elif self._in == "number" and self._stat is not None:
            self._stat.text += data


def parse(dom: str) -> tuple[str, list[PanelShown]]:
    parser = _WallParser()
    parser.feed(dom)
    return parser.state, parser.panels


def capture(monitoring_url: str, out: Path, *, street: str = "", to: date | None = None, budget_ms: int = 15000,
            attempts: int = 3, chromium: str | None = None) -> Capture:
    """Open the wall (of the 街镇 ``street``, at the end of the day ``to``; default: the district, now)
    in headless Chromium and save a 1920×1080 screenshot to ``out``; raise :class:`WallError` when
    Chromium is missing or the page never drew every panel."""
    binary = chromium or find_chromium()
    if binary is None:
        raise WallError("未找到 chromium：请安装 Debian 的 chromium 软件包（apt-get install chromium）")
    query = urlencode({k: v for k, v in (("street", street), ("to", to.isoformat() if to else "")) if v})
    url = f"{monitoring_url.rstrip('/')}/wall" + (f"?{query}" if query else "")
    out.parent.mkdir(parents=True, exist_ok=True)
    last = ""
    for attempt in range(attempts):
        budget = budget_ms * 2**attempt
        with tempfile.TemporaryDirectory(prefix="leye-chromium-") as profile:
            # --no-sandbox: CI and operators' containers run as root, where Chromium's sandbox refuses to
            # start. Virtual time lets the page fetch and draw (and refresh) before the dump and screenshot.
            result = subprocess.run(
                [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                 "--hide-scrollbars", f"--user-data-dir={profile}", f"--window-size={WINDOW[0]},{WINDOW[1]}",
                 f"--virtual-time-budget={budget}", f"--screenshot={out.resolve()}", "--dump-dom", url],
                capture_output=True, text=True, timeout=120 + budget / 1000, check=False,
            )
        if result.returncode != 0:
            raise WallError(f"chromium 退出码 {result.returncode}：{result.stderr[-2000:]}")
        state, panels = parse(result.stdout)
        if state == "rendered" and panels and all(p.state == "rendered" for p in panels):
            return Capture(state=state, panels=panels, screenshot=out, dom=result.stdout)
        last = f"页面状态 {state or '未知'}，已绘制 {sum(p.state == 'rendered' for p in panels)}/{len(panels)} 个面板"
    raise WallError(f"大屏未能绘制全部面板（{last}）：请检查监测服务 {monitoring_url} 是否就绪")


@dataclass
class KpiCheck:
    title: str
    shown: str
    expected: str
    value: float | None
    api_value: float | None

    @property
    def equal(self) -> bool:
        if self.shown != self.expected:
            return False
        if self.value is None or self.api_value is None:
            return self.value is None and self.api_value is None
        return math.isclose(self.value, self.api_value, rel_tol=1e-9, abs_tol=1e-9)


def shown_text(value: float | None, decimals: int | None, unit: str | None) -> str:
    """How wall.js writes a number (``formatNumber``), for comparing what the page shows."""
    if value is None:
        return "无数据"
    places = (0 if float(value).is_integer() else 2) if decimals is None else decimals
    suffix = "%" if unit == "percent" else (unit.removeprefix("suffix:") if unit and unit.startswith("suffix:")
                                             else "")
    return f"{value:.{places}f}{suffix}"


def compare_kpis(shot: Capture, monitoring_url: str, layout: list[dict[str, Any]], *, street: str = "",
                 to: date | None = None, client: httpx.Client | None = None) -> list[KpiCheck]:
    """Each KPI panel's figure beside ``/stats/indicators`` for the same 街镇 (the indicators without a
    街镇 breakdown are district figures on the wall, as in Grafana). ``layout`` is the page's panels
    (``wall.browser.layout``): their decimals and units."""
    http = client or httpx.Client(timeout=60)
    try:
        base = monitoring_url.rstrip("/")
        period = {"from": date(to.year, 1, 1).isoformat(), "to": to.isoformat()} if to else {}
        district = http.get(f"{base}/stats/indicators", params=period).raise_for_status().json()["indicators"]
        scoped = (http.get(f"{base}/stats/indicators", params=period | {"street_code": street}).raise_for_status()
                  .json()["indicators"] if street else district)
    finally:
        if client is None:
            http.close()
    by_name = {row["name"]: row for row in district}
    scoped_by_name = {row["name"]: row for row in scoped}
    panels = {panel["title"]: panel for panel in layout}
    checks = []
    for title, stat in shot.kpis().items():
        row = scoped_by_name.get(title) or by_name[title]
        if not row["applicable"]:
            row = by_name[title]
        panel = panels[title]
        checks.append(KpiCheck(title=title, shown=stat.text, expected=shown_text(row["value"], panel["decimals"],
                                                                                  panel["unit"]),
                               value=stat.value, api_value=row["value"]))
    return checks


@app.command()
def screenshot(
    out: Annotated[Path, typer.Option("--out", help="截图保存路径（PNG，1920×1080）")],
    url: Annotated[str, typer.Option(help="监测服务地址（leye up 的默认端口）")] = DEFAULT_MONITORING_URL,
    street: Annotated[str, typer.Option(help="街镇代码（9位）；不填为全区")] = "",
    to: Annotated[datetime | None, typer.Option(help="截止日期（YYYY-MM-DD）：该日结束时的大屏；不填为此刻",
                                                formats=["%Y-%m-%d"])] = None,
    strict: Annotated[bool, typer.Option("--strict", help="大屏指标与统计接口不一致时以退出码 1 结束")] = False,
) -> None:
    """用无头 Chromium 打开浏览器版大屏，等全部面板绘制完成后截图，并与统计接口 /stats/indicators 核对各项核心指标。"""
    from schemas.reference import STREETS
    from services.monitoring.wall.browser import layout
    from services.monitoring.wall.panels import wall_panels

    if street and street not in STREETS:
        err_console.print(f"未知的街镇代码：{street}", highlight=False)
        raise typer.Exit(2)
    day = to.date() if to else None
    try:
        shot = capture(url, out, street=street, to=day)
    except WallError as exc:
        err_console.print(str(exc), soft_wrap=True, highlight=False)
        raise typer.Exit(1) from None
    except (subprocess.TimeoutExpired, OSError) as exc:
        err_console.print(f"无法运行 chromium：{exc}", soft_wrap=True, highlight=False)
        raise typer.Exit(1) from None
    console.print(f"已保存截图：{out}（{len(shot.panels)} 个面板均已绘制）")
    try:
        checks = compare_kpis(shot, url, layout(wall_panels())["panels"], street=street, to=day)
    except httpx.HTTPError as exc:
        err_console.print(f"无法读取统计接口：{exc}", soft_wrap=True, highlight=False)
        raise typer.Exit(1) from None
    table = Table("核心指标", "大屏显示", "统计接口", "一致")
    for check in checks:
        table.add_row(check.title, check.shown, check.expected, "是" if check.equal else "[red]否[/red]")
    console.print(table)
    if not all(check.equal for check in checks):
        err_console.print("部分指标不一致：截图与读取统计接口之间若有新事件入库，数字会略有差别，可再运行一次核对",
                          soft_wrap=True)
        if strict:
            raise typer.Exit(1)

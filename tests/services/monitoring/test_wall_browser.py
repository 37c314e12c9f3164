"""The browser wall as a user sees it: the real monitoring worker, fed the monitoring tests' varied
event set through the real broker, serves ``/wall``; Debian's headless Chromium opens it at
1920×1080, every panel draws, and the KPI panels show the figures ``/stats/indicators`` gives.

Also: the page and its data come from the same ``wall_panels()`` as the Grafana dashboard, and the
page loads nothing from outside the service.
"""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import httpx
import pytest

from leye.bench.data.event_set import STREET_CODES, varied_events
from leye.wall import WallError, capture, compare_kpis, find_chromium, shown_text
from schemas.events.vacancy import VacancyPosted, VacancyUpdated
from schemas.fields import SHANGHAI
from services.monitoring.app import build
from services.monitoring.settings import Settings
from services.monitoring.wall import browser
from services.monitoring.wall.panels import (
    GROUP_KPI_CODES,
    KPI_CODES,
    LOWEST_COMMUNITIES,
    PLAN_KPI_CODES,
    programme_panels,
    wall_panels,
)
from services.runtime.broker import EmbeddedBroker, ensure_topics, free_port
from tests.services.monitoring.harness import MonitoringProcess, publish

PANELS = wall_panels()
TO = date(2026, 12, 31)
"""The wall at the end of the event set's year: the same figures whatever day the test runs."""
LAYOUT = browser.layout(PANELS)
KPIS = len(KPI_CODES) + len(GROUP_KPI_CODES) + len(PLAN_KPI_CODES)


@pytest.fixture(scope="module")
def worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MonitoringProcess]:
    events = varied_events(seed=7)
    broker = EmbeddedBroker(free_port())
    broker.start()
    try:
        ensure_topics(broker.bootstrap)
        publish(broker.bootstrap, events)
        process = MonitoringProcess(broker.bootstrap, Path(tmp_path_factory.mktemp("monitoring"))).start()
        try:
            process.wait_ingested(len(events))
            yield process
        finally:
            process.stop()
    finally:
        broker.stop()


def chromium_or_skip() -> str:
    chromium = find_chromium()
    if chromium is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing: .ci/run installs it")
        pytest.skip("chromium is not installed here (apt-get install chromium); CI installs it")
    return chromium


# --- the page's definition: the same panels as the dashboard -----------------------------------------


def test_the_page_has_every_panel_of_the_dashboard_in_its_place() -> None:
    assert [(p["id"], p["title"], p["kind"]) for p in LAYOUT["panels"]] == [
        (n, spec.title, spec.kind.value) for n, spec in enumerate(PANELS, start=1)]
    assert [tuple(p["grid"].values()) for p in LAYOUT["panels"]] == [
        (spec.grid.x, spec.grid.y, spec.grid.w, spec.grid.h) for spec in PANELS]
    assert (LAYOUT["columns"], LAYOUT["rows"], LAYOUT["refresh_ms"]) == (24, 26, 10_000)
    assert [s["name"] for s in LAYOUT["streets"]][0] == "全部" and len(LAYOUT["streets"]) == 13


def test_grafana_macros_are_substituted_as_the_plugin_does() -> None:
    start, end = datetime(2026, 1, 1, tzinfo=SHANGHAI), datetime(2026, 12, 7, 9, tzinfo=SHANGHAI)
    sql = browser.plugin_sql("SELECT 1 FROM t WHERE $__timeFilter(event_time) AND s = '${street}' "
                             "AND d >= toDate($__fromTime) AND d <= toDate($__toTime)",
                             street=STREET_CODES[0], start=start, end=end)
    s, e = int(start.timestamp()), int(end.timestamp())
    assert sql == (f"SELECT 1 FROM t WHERE event_time >= toDateTime({s}) AND event_time <= toDateTime({e}) "
                   f"AND s = '{STREET_CODES[0]}' AND d >= toDate(toDateTime({s})) AND d <= toDate(toDateTime({e}))")


@pytest.mark.parametrize("street", ["x' OR '1'='1", "120111999"], ids=["injection", "unknown code"])
def test_only_a_known_street_reaches_the_sql(street: str) -> None:
    with pytest.raises(ValueError, match="unknown street"):
        browser.plugin_sql("SELECT '${street}'", street=street, start=datetime.now(SHANGHAI),
                           end=datetime.now(SHANGHAI))


def test_the_period_is_the_dashboards() -> None:
    now = datetime(2026, 1, 1, 3, tzinfo=SHANGHAI)  # still 2025 in UTC: the year is Shanghai's
    kpi = next(spec for spec in PANELS if spec.time_from is None)
    assert browser.period(kpi, now) == (datetime(2026, 1, 1, tzinfo=SHANGHAI), now)
    layoffs = next(spec for spec in PANELS if spec.time_from == "30d")
    assert browser.period(layoffs, now) == (datetime(2025, 12, 2, 3, tzinfo=SHANGHAI), now)


@pytest.mark.parametrize(("value", "decimals", "unit", "text"), [
    pytest.param(141.0, 0, "suffix:人", "141人", id="people"),
    pytest.param(45.238095, 2, "percent", "45.24%", id="percent"),
    pytest.param(None, 2, "percent", "无数据", id="no value"),
])
def test_numbers_are_written_as_the_page_writes_them(value, decimals, unit, text) -> None:
    assert shown_text(value, decimals, unit) == text


@pytest.mark.parametrize(("public", "open_paths"), [(False, []), (True, ["/wall"])], ids=["default", "published"])
def test_production_opens_the_wall_only_when_the_operator_publishes_it(
        monkeypatch: pytest.MonkeyPatch, public: bool, open_paths: list[str]) -> None:
    monkeypatch.setenv("MONITORING_WALL_PUBLIC", str(public).lower())  # as deploy/compose.wall.yml sets it
    settings = Settings(LEYE_ENV="production", LEYE_INTERNAL_TOKEN="internal-token-from-the-vault-0123456789")
    assert list(build(settings).open_paths) == open_paths


# --- the running service --------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "title", "base"), [("/wall", "乐业西青指挥中心", "/"),
                                                    ("/wall/programmes", "乐业西青 政策项目进度", "/wall/")],
                         ids=["wall", "programmes"])
def test_page_loads_only_assets_the_service_serves(worker: MonitoringProcess, path: str, title: str,
                                                   base: str) -> None:
    page = worker.get(path)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert title in page.text
    urls = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
    assert sorted(f"{base}{url}" for url in urls) == [
        "/wall/assets/echarts.min.js", "/wall/assets/wall.css", "/wall/assets/wall.js"]  # relative to the page
    for url in urls:
        response = worker.get(f"{base}{url}")
        assert response.status_code == 200, url
    echarts = worker.get("/wall/assets/echarts.min.js")
    assert "javascript" in echarts.headers["content-type"] and "Apache" in echarts.text[:1000]
    assert worker.get("/wall/assets/secrets.txt").status_code == 404


def test_data_has_every_panel_with_its_columns(worker: MonitoringProcess) -> None:
    data = worker.get("/wall/data", to=TO.isoformat()).json()
    assert [(p["id"], p["title"], p["columns"]) for p in data["panels"]] == [
        (n, spec.title, list(spec.columns)) for n, spec in enumerate(PANELS, start=1)]
    rows = {p["title"]: p["rows"] for p in data["panels"]}
    assert len(rows["各街镇就业失业情况"]) == len(rows["求职电子地图"]) == len(rows["用工电子地图"]) == 12
    assert all(len(row) == len(spec.columns) for spec in PANELS for row in rows[spec.title])
    # the 直播带岗 in progress names its vacancies by their titles (the event set's postings)
    titles = {e.data.title for e in varied_events(seed=7) if isinstance(e.data, VacancyPosted | VacancyUpdated)}
    live = rows["直播带岗实况：各岗位投递与录用"]
    assert live and {row[0] for row in live} <= titles
    # aggregates only: no person reference (a keyed HMAC, 64 hex digits) in any cell
    cells = [cell for panel in data["panels"] for row in panel["rows"] for cell in row]
    assert not [cell for cell in cells if isinstance(cell, str) and re.fullmatch(r"[0-9a-f]{64}", cell)]


def test_the_programmes_page_has_its_dashboard_s_panels(worker: MonitoringProcess) -> None:
    data = worker.get("/wall/programmes/data", to=TO.isoformat()).json()
    assert [(p["title"], p["columns"]) for p in data["panels"]] == [
        (spec.title, list(spec.columns)) for spec in programme_panels()]
    assert all(len(p["rows"]) == 1 for p in data["panels"])  # one figure (and its progress) each


@pytest.mark.parametrize(("path", "params", "field"), [
    pytest.param("/wall/data", {"street": "120111999"}, "query.street", id="unknown 街镇"),
    pytest.param("/wall/data", {"to": "0"}, "query.to", id="not a date"),
    pytest.param("/wall", {"street": "x' OR '1'='1"}, "query.street", id="the page, unknown 街镇"),
    pytest.param("/wall/programmes/data", {"to": "0"}, "query.to", id="programmes, not a date"),
])
def test_bad_input_is_422_naming_the_field(worker: MonitoringProcess, path: str, params: dict, field: str) -> None:
    response = worker.get(path, **params)
    assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"
    assert [error["field"] for error in response.json()["errors"]] == [field]


@pytest.mark.parametrize("street", ["", STREET_CODES[0]], ids=["全区", "one 街镇"])
def test_chromium_draws_every_panel_and_the_kpis_equal_the_statistics_api(
        worker: MonitoringProcess, tmp_path: Path, street: str) -> None:
    chromium = chromium_or_skip()
    out = tmp_path / "wall.png"
    try:
        shot = capture(worker.url, out, street=street, to=TO, chromium=chromium)
    except WallError as exc:
        pytest.fail(str(exc))
    assert [(p.id, p.title, p.state) for p in shot.panels] == [
        (n, spec.title, "rendered") for n, spec in enumerate(PANELS, start=1)]
    rows = {p.title: p.rows for p in shot.panels}
    assert rows["各街镇就业失业情况"] == rows["求职电子地图"] == rows["用工电子地图"] == 12
    assert (rows["就业红娘星级排名（按站点）"] and rows["岗位流失率（按行业）"]) or street  # a 街镇 may have none
    # the 直播带岗 in progress on the set's last day, in the first 街镇: its viewers and its vacancies
    assert rows["直播带岗实况：在线人数"] and rows["直播带岗实况：各岗位投递与录用"]
    # 充分就业社区: the communities below 90 %, the lowest drawn and this year's certifications, as /stats gives them
    shown = {p.title: {stat.column: stat.value for stat in p.stats} for p in shot.panels if p.kind == "stat"}
    communities = worker.get("/stats/communities", to=TO.isoformat(),
                             street_code=street or None).json()["communities"]
    rated = [row for row in communities if row["rate"] is not None]
    assert shown["充分就业社区：就业率未达90%"] == {"below_standard": sum(1 for row in rated if row["below_standard"])}
    assert rows["就业率最低的社区"] == min(len(rated), LOWEST_COMMUNITIES) > 0
    levels = {row["level"]: row["certified"] for row in
              worker.get("/stats/communities/certifications", year=TO.year).json()["levels"]}
    assert shown["充分就业社区认定（本年）"] == {"municipal": levels["municipal"], "national": levels["national"]} == {
        "municipal": 2, "national": 1}
    width, height = struct.unpack(">II", out.read_bytes()[16:24])  # the PNG's IHDR
    assert (width, height) == (1920, 1080)
    checks = compare_kpis(shot, worker.url, LAYOUT["panels"], street=street, to=TO,
                          client=httpx.Client(timeout=60))
    assert len(checks) == KPIS
    assert [(c.title, c.shown) for c in checks if not c.equal] == [], [
        (c.title, c.shown, c.expected) for c in checks]
    assert all(c.api_value for c in checks if c.title != "城镇调查失业率" or not street), [
        (c.title, c.api_value) for c in checks]  # the event set gives every KPI a figure
    print(f"screenshot: {out}")


def test_leye_wall_screenshot_for_operators(worker: MonitoringProcess, tmp_path: Path) -> None:
    chromium_or_skip()
    out = tmp_path / "operator.png"
    result = subprocess.run(
        [sys.executable, "-m", "leye.cli", "wall", "screenshot", "--out", str(out), "--url", worker.url,
         "--to", TO.isoformat(), "--strict"],
        capture_output=True, text=True, timeout=600, check=False, env=os.environ | {"COLUMNS": "200"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "已保存截图" in result.stdout and out.stat().st_size > 0
    assert result.stdout.count("│ 是") == KPIS, result.stdout

"""Targets set for 2026–2030 in a file the service is pointed at (``MONITORING_TARGETS``) appear in
``/stats/indicators``, on the browser wall and in the exported Grafana dashboard; and the progress
``/stats/indicators`` returns is what the pure function gives for the values it read. The real
monitoring worker, fed through the real broker."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
import yaml

from leye.wall import WallError, capture, find_chromium
from schemas import CloudEvent, new_event
from schemas.events import registration
from schemas.fields import SHANGHAI
from schemas.ids import credit_code_check_char
from schemas.vocab import EmploymentForm, KeyGroup, RegistrationPlace, UnemploymentReason
from services.monitoring.indicators.targets import DEFAULT_PATH, Targets, load, progress
from services.monitoring.wall import export
from services.runtime.broker import EmbeddedBroker, ensure_topics, free_port
from tests.services.monitoring.harness import MonitoringProcess, publish

A, B = "120111001", "120111101"  # 西营门街道, 杨柳青镇
SOURCE = "/services/registration"
EMPLOYER = "91120111000000001" + credit_code_check_char("91120111000000001")
JUNE = date(2026, 6, 30)


def _ref(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI)


def _employed(name: str, day: date, street: str) -> CloudEvent:
    return new_event(registration.EmploymentRegistered(
        person_ref=_ref(name), street_code=street, key_groups=[KeyGroup.REGISTERED_UNEMPLOYED],
        form=EmploymentForm.EMPLOYED, employer_ref=EMPLOYER, employed_on=day, was_registered_unemployed=True,
    ), source=SOURCE, time=_at(day))


def _unemployed(name: str, day: date) -> CloudEvent:
    return new_event(registration.UnemploymentRegistered(
        person_ref=_ref(name), street_code=A, key_groups=[KeyGroup.REGISTERED_UNEMPLOYED], unemployed_since=day,
        reason=UnemploymentReason.CONTRACT_ENDED, registered_on=day, registration_place=RegistrationPlace.RESIDENCE,
    ), source=SOURCE, time=_at(day))


def events() -> list[CloudEvent]:
    """40 people employed in 2025; in 2026 10 registered unemployed in February, 9 of them employed in
    March, and 51 more employed from January to June (30 in 西营门街道, 30 in 杨柳青镇 in all)."""
    stream = [_employed(f"y{n}", date(2025, 3 + n % 9, 10), A) for n in range(40)]
    stream += [_unemployed(f"u{n}", date(2026, 2, 2 + n)) for n in range(10)]
    stream += [_employed(f"u{n}", date(2026, 3, 2 + n), A) for n in range(9)]
    stream += [_employed(f"e{n}", date(2026, 1 + n % 6, 15), A if n < 21 else B) for n in range(51)]
    return stream


def changed_targets(path: Path) -> Path:
    """The shipped file with the bureau's own 2026–2030 figures for two indicators."""
    raw = yaml.safe_load(DEFAULT_PATH.read_text("utf-8"))
    for entry in raw["targets"]:
        if (entry["indicator"], entry["period"]) == ("new_employment", "2026-2030"):
            entry.update(yearly=30000, total=150000, source="十五五规划（测试）", provisional=False)
        if (entry["indicator"], entry["period"]) == ("reemployment_rate", "2026-2030"):
            entry.update(target=92, source="十五五规划（测试）", provisional=False)
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), "utf-8")
    return path


@pytest.fixture(scope="module")
def targets_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return changed_targets(tmp_path_factory.mktemp("targets") / "targets.yaml")


@pytest.fixture(scope="module")
def targets(targets_file: Path) -> Targets:
    return load(targets_file)


@pytest.fixture(scope="module")
def worker(tmp_path_factory: pytest.TempPathFactory, targets_file: Path) -> Iterator[MonitoringProcess]:
    stream = events()
    broker = EmbeddedBroker(free_port())
    broker.start()
    try:
        ensure_topics(broker.bootstrap)
        publish(broker.bootstrap, stream)
        process = MonitoringProcess(broker.bootstrap, Path(tmp_path_factory.mktemp("monitoring")),
                                    MONITORING_TARGETS=str(targets_file)).start()
        try:
            process.wait_ingested(len(stream))
            yield process
        finally:
            process.stop()
    finally:
        broker.stop()


_READ: dict[tuple, dict[str, dict]] = {}


def indicators(worker: MonitoringProcess, start: date, end: date, **params: str) -> dict[str, dict]:
    """``/stats/indicators`` for the period, asked once per period: the worker's events do not change
    after the fixture, and each flow's period figure is asked by several tests."""
    key = (worker.url, start, end, *sorted(params.items()))
    if key not in _READ:
        body = worker.get("/stats/indicators", **{"from": start.isoformat(), "to": end.isoformat()}, **params).json()
        _READ[key] = {row["code"]: row for row in body["indicators"]}
    return _READ[key]


@pytest.mark.parametrize(("start", "end", "params"), [
    pytest.param(date(2026, 1, 1), JUNE, {}, id="year to date"),
    pytest.param(date(2026, 3, 1), JUNE, {}, id="from March: progress is still the year's"),
    pytest.param(date(2025, 1, 1), date(2025, 12, 31), {}, id="2025, in 2021–2025"),
    pytest.param(date(2025, 7, 1), date(2025, 8, 31), {}, id="summer 2025"),
    pytest.param(date(2026, 1, 1), JUNE, {"street_code": A}, id="one 街道"),
])
def test_stats_progress_is_the_pure_functions_over_the_values_read(
        worker: MonitoringProcess, targets: Targets, start: date, end: date, params: dict[str, str]) -> None:
    rows = indicators(worker, start, end, **params)
    year = indicators(worker, date(end.year, 1, 1), end, **params)
    district = not params
    with_progress = {code: row for code, row in rows.items() if row["progress"] is not None}
    assert {code for code, row in rows.items() if row["applicable"] and targets.entry(code, end)} == set(with_progress)
    for code, row in with_progress.items():
        entry, shown = targets.entry(code, end), row["progress"]
        assert entry is not None
        assert (shown["period"], shown["plan"], shown["kind"], shown["direction"], shown["target"]) == (
            entry.period, entry.plan, entry.kind, entry.direction, entry.value), code
        assert (row["target"], row["target_op"]) == (entry.value, entry.direction)
        assert shown["ytd_value"] == year[code]["value"], code  # the year to date, whatever the period asked
        period_value = None
        if entry.kind == "flow" and district:
            period_value = indicators(worker, entry.start, end)[code]["value"]
            assert shown["period_value"] == period_value and shown["period_target"] == entry.period_target
        figures = progress(entry, end, ytd_value=shown["ytd_value"], period_value=period_value,
                           tolerance=targets.tolerance, district=district)
        assert (shown["status"], shown["expected"], shown["elapsed_share"]) == (
            figures.status, figures.expected, figures.elapsed_share), code


def test_the_figures_of_the_sample(worker: MonitoringProcess) -> None:
    june = indicators(worker, date(2026, 1, 1), JUNE)
    employment = june["new_employment"]["progress"]
    assert (employment["ytd_value"], employment["period_value"]) == (60, 60)  # 十五五 began this year
    assert (employment["target"], employment["period_target"], employment["provisional"]) == (30000, 150000, False)
    assert employment["expected"] == pytest.approx(30000 * 181 / 365) and employment["status"] == "behind"
    assert june["reemployment_rate"]["progress"]["ytd_value"] == 90  # 9 of 10, short of the new 92 %
    assert june["reemployment_rate"]["progress"]["status"] == "behind"
    old = indicators(worker, date(2025, 7, 1), date(2025, 8, 31))["new_employment"]["progress"]
    assert (old["period"], old["target"], old["period_target"]) == ("2021–2025", 24000, 120000)
    assert old["ytd_value"] == 28 and old["period_value"] == 28  # March–August 2025; September–November not yet
    street = indicators(worker, date(2026, 1, 1), JUNE, street_code=A)["new_employment"]["progress"]
    assert (street["ytd_value"], street["expected"], street["status"]) == (30, None, None)


def test_the_changed_target_is_on_the_wall_and_in_the_dashboard(worker: MonitoringProcess, targets: Targets) -> None:
    page = worker.get("/wall").text
    assert "十五五 2026–2030：每年 ≥ 30000 人，期间合计 ≥ 150000 人" in page
    stats = indicators(worker, date(2026, 1, 1), JUNE)
    panels = {panel["title"]: panel for panel in worker.get("/wall/data", to=JUNE.isoformat()).json()["panels"]}
    for title, code in [("城镇新增就业", "new_employment"), ("登记失业人员就业率", "reemployment_rate")]:
        shown = dict(zip(panels[title]["columns"], panels[title]["rows"][0], strict=True))
        row = stats[code]
        assert (shown["value"], shown["status"], shown["target"]) == (
            row["value"], row["progress"]["status"], row["progress"]["target"])
    employment = dict(zip(panels["城镇新增就业"]["columns"], panels["城镇新增就业"]["rows"][0], strict=True))
    assert (employment["target"], employment["period_target"], employment["period_value"]) == (30000, 150000, 60)
    assert employment["expected"] == stats["new_employment"]["progress"]["expected"]

    def kpi_sql(files: dict[str, bytes], title: str) -> tuple[str, str]:
        """The SQL Grafana sends for the KPI: its own, or that of the panel whose result it reads."""
        panels = json.loads(files[export.DASHBOARD_FILE])["panels"]
        [panel] = [p for p in panels if p["title"] == title]
        [source] = [p for p in panels if p["id"] == panel["targets"][0].get("panelId", panel["id"])]
        return source["targets"][0]["rawSql"], panel["description"]

    sql, description = kpi_sql(export.render_files(targets), "城镇新增就业")
    assert "BETWEEN 2026 AND 2030, toFloat64(30000.0)" in sql and "toFloat64(150000.0)" in sql
    assert "BETWEEN 2021 AND 2025, toFloat64(24000.0)" in sql and "每年 ≥ 30000 人" in description
    assert "BETWEEN 2026 AND 2030, toFloat64(92.0)" in kpi_sql(export.render_files(targets), "登记失业人员就业率")[0]
    shipped, _ = kpi_sql(export.render_files(), "城镇新增就业")
    assert "30000" not in shipped and "BETWEEN 2026 AND 2030, toFloat64(24000.0)" in shipped


def test_the_browser_wall_shows_the_progress_in_its_colour(worker: MonitoringProcess, tmp_path: Path) -> None:
    chromium = find_chromium()
    if chromium is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing: .ci/run installs it")
        pytest.skip("chromium is not installed here (apt-get install chromium); CI installs it")
    try:
        shot = capture(worker.url, tmp_path / "wall.png", to=JUNE, chromium=chromium)
    except WallError as exc:
        pytest.fail(str(exc))
    [panel_id] = [p.id for p in shot.panels if p.title == "城镇新增就业"]
    section = re.search(rf'<section[^>]*data-panel-id="{panel_id}".*?</section>', shot.dom, re.S)
    assert section is not None
    html = section[0]
    assert ">60人<" in html and "进度：滞后" in html and "年目标≥：30000人" in html and "进度应达：14877人" in html
    assert "期内累计：60人" in html and "期目标：150000人" in html
    assert "background: rgb(242, 73, 92)" in html  # 滞后: red (#F2495C), the figure's colour

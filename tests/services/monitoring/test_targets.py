"""Targets per plan period as data (``targets.yaml``): the shipped file, the loader's refusals (one
Chinese line naming the entry; the service does not start, the export writes nothing), and the
progress arithmetic (pure)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from services.monitoring.cli import app as grafana_cli
from services.monitoring.indicators.catalogue import BY_CODE
from services.monitoring.indicators.targets import (
    DEFAULT_PATH,
    Entry,
    TargetsError,
    expected,
    load,
    parse,
    progress,
    status,
    year_elapsed,
)
from services.monitoring.settings import Settings

ROOT = Path(__file__).resolve().parents[3]
TOLERANCE = 0.10


def raw_targets() -> dict:
    return yaml.safe_load(DEFAULT_PATH.read_text("utf-8"))


def test_the_shipped_file_has_both_plan_periods_for_every_indicator() -> None:
    targets = load()
    assert targets.tolerance == TOLERANCE
    codes = {entry.indicator for entry in targets.targets}
    assert {"new_employment", "survey_unemployment_rate", "reemployment_rate", "traineeship_posts",
            "recruitment_sessions", "sla_contact_rate"} <= codes
    for code in codes:
        old, new = targets.entries(code)
        assert (old.period, new.period) == ("2021–2025", "2026–2030")
        assert (old.plan, new.plan) == ("十四五", "十五五")
        assert (new.kind, new.direction, new.value) == (old.kind, old.direction, old.value)  # carried over
        assert new.provisional or "劳动合同法" in new.source, code
        assert old.source and (old.provisional or "行动计划" in old.source or "劳动合同法" in old.source), code
    employment = targets.entry("new_employment", date(2026, 12, 7))
    assert employment is not None and employment.period == "2026–2030" and employment.provisional
    assert (employment.kind, employment.yearly_target, employment.period_target) == ("flow", 24000, 120000)
    rate = targets.entry("survey_unemployment_rate", date(2023, 5, 1))
    assert rate is not None
    assert (rate.kind, rate.direction, rate.target, rate.provisional) == ("level", "<=", 5.5, False)
    assert targets.entry("new_employment", date(2031, 1, 1)) is None


def test_a_settings_variable_points_to_another_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    other = tmp_path / "targets.yaml"
    monkeypatch.setenv("MONITORING_TARGETS", str(other))
    assert Settings().targets == other
    monkeypatch.delenv("MONITORING_TARGETS")
    assert Settings().targets == DEFAULT_PATH


def _set(index: int, **fields: object):
    return lambda raw: raw["targets"][index].update(fields)


@pytest.mark.parametrize(
    ("change", "named", "why"),
    [
        pytest.param(_set(1, indicator="new_jobs"), "第 2 项（new_jobs 2026-2030）", "未知的指标代码 new_jobs",
                     id="unknown indicator"),
        pytest.param(_set(1, period="2025-2029"), "第 2 项（new_employment 2025–2029）", "第 1 项（2021–2025）时期重叠",
                     id="overlapping periods"),
        pytest.param(_set(3, direction="=>"), "第 4 项（survey_unemployment_rate 2026-2030）", "direction",
                     id="not a direction"),
        pytest.param(_set(3, direction=">="), "第 4 项（survey_unemployment_rate 2026–2030）", "方向 >= 与同一指标",
                     id="direction turned round"),
        pytest.param(_set(1, yearly=None, total=None), "第 2 项（new_employment 2026-2030）", "yearly",
                     id="flow without a figure"),
        pytest.param(_set(4, kind="flow", target=None, yearly=90), "第 5 项（reemployment_rate 2021-2025）",
                     "kind 须为 level", id="a rate as a flow"),
        pytest.param(_set(2, target=None), "第 3 项（survey_unemployment_rate 2021-2025）", "target",
                     id="level without a target"),
        pytest.param(_set(0, period="2025"), "第 1 项（new_employment 2025）", "起始年-结束年", id="not a period"),
        pytest.param(_set(0, period="2025-2021"), "第 1 项（new_employment 2025-2021）", "起始年不得晚于结束年",
                     id="period backwards"),
        pytest.param(_set(0, yearly=-1), "第 1 项（new_employment 2021-2025）", "yearly", id="negative figure"),
        pytest.param(_set(0, source=""), "第 1 项（new_employment 2021-2025）", "source", id="no source"),
    ],
)
def test_a_bad_file_is_refused_with_one_line_naming_the_entry(change, named: str, why: str) -> None:
    raw = raw_targets()
    change(raw)
    with pytest.raises(TargetsError) as refused:
        parse(raw, "targets.yaml")
    message = str(refused.value)
    assert message.startswith("目标文件 targets.yaml 无效：") and "\n" not in message
    assert named in message and why in message, message


def test_unreadable_and_malformed_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(TargetsError, match="无法读取"):
        load(tmp_path / "missing.yaml")
    malformed = tmp_path / "targets.yaml"
    malformed.write_text("tolerance: 0.1\ntargets: [\n", "utf-8")
    with pytest.raises(TargetsError, match="不是合法的 YAML"):
        load(malformed)


def _bad_file(tmp_path: Path) -> Path:
    raw = raw_targets()
    raw["targets"][1]["period"] = "2025-2029"
    bad = tmp_path / "targets.yaml"
    bad.write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")
    return bad


def test_the_service_does_not_start_on_a_bad_file(tmp_path: Path) -> None:
    env = {**os.environ, "MONITORING_TARGETS": str(_bad_file(tmp_path)), "LEYE_VAR_DIR": str(tmp_path),
           "MONITORING_PORT": "1", "KAFKA_BOOTSTRAP": "127.0.0.1:1"}
    done = subprocess.run([sys.executable, "-m", "services.monitoring"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert lines == [lines[-1]] and "第 2 项（new_employment 2025–2029）" in lines[0] and "重叠" in lines[0]


def test_the_export_writes_nothing_from_a_bad_file(tmp_path: Path) -> None:
    out = tmp_path / "grafana"
    result = CliRunner().invoke(grafana_cli, ["export", "--out", str(out), "--targets", str(_bad_file(tmp_path))])
    assert result.exit_code == 1 and "第 2 项（new_employment 2025–2029）" in result.output
    assert not out.exists()


# --- the arithmetic --------------------------------------------------------------------------------


@pytest.mark.parametrize(("day", "elapsed"), [
    (date(2026, 1, 1), (1, 365)), (date(2026, 7, 2), (183, 365)), (date(2026, 12, 31), (365, 365)),
    (date(2028, 2, 29), (60, 366)), (date(2028, 3, 1), (61, 366)), (date(2028, 12, 31), (366, 366)),
])
def test_elapsed_days_count_the_day_itself_and_leap_years(day: date, elapsed: tuple[int, int]) -> None:
    assert year_elapsed(day) == elapsed


def _entry(**fields: object) -> Entry:
    defaults: dict[str, object] = {"indicator": "new_employment", "period": "2026-2030", "kind": "flow",
                                   "direction": ">=", "yearly": 24000, "source": "测试"}
    return Entry.model_validate(defaults | fields)


@pytest.mark.parametrize(("day", "goal"), [
    (date(2026, 1, 1), 24000 / 365), (date(2026, 7, 2), 24000 * 183 / 365), (date(2026, 12, 31), 24000.0),
    (date(2028, 2, 29), 24000 * 60 / 366), (date(2028, 12, 31), 24000.0),
])
def test_a_flow_is_expected_pro_rata_of_its_yearly_target(day: date, goal: float) -> None:
    assert expected(_entry(), day) == pytest.approx(goal)


def test_yearly_and_period_figures_derive_from_each_other() -> None:
    only_total = _entry(yearly=None, total=120000)
    assert (only_total.yearly_target, only_total.period_target) == (24000, 120000)
    only_yearly = _entry(indicator="traineeship_posts", yearly=2000)
    assert (only_yearly.yearly_target, only_yearly.period_target) == (2000, 10000)


@pytest.mark.parametrize(("share", "extra", "wanted"), [
    (0, 0, "behind"), (0.9, -1, "behind"), (0.9, 0, "on_track"), (1, 0, "on_track"), (1.1, 0, "on_track"),
    (1.1, 1, "ahead"), (2, 0, "ahead"),
])
def test_a_flow_within_the_tolerance_of_its_expectation_is_on_track(share: float, extra: float, wanted: str) -> None:
    entry, day = _entry(), date(2026, 7, 2)
    goal = expected(entry, day)
    assert goal == pytest.approx(24000 * 183 / 365)
    # the bounds computed as status computes them: goal × (1 ∓ tolerance), both included in on_track
    bound = goal * (1 - TOLERANCE) if share == 0.9 else goal * (1 + TOLERANCE) if share == 1.1 else goal * share
    assert status(entry, bound + extra, day, TOLERANCE) == wanted
    assert status(entry, None, day, TOLERANCE) is None


@pytest.mark.parametrize(("value", "wanted"), [(2, "ahead"), (6, "on_track"), (8, "behind")])
def test_an_at_most_flow_is_ahead_below_its_expectation(value: float, wanted: str) -> None:
    entry = _entry(indicator="mass_layoff_reports", direction="<=", yearly=12)
    assert status(entry, value, date(2026, 7, 2), TOLERANCE) == wanted  # expected ≈ 6.0


@pytest.mark.parametrize(("code", "direction", "target", "value", "wanted"), [
    ("reemployment_rate", ">=", 90, 90.0, "on_track"), ("reemployment_rate", ">=", 90, 89.9, "behind"),
    ("reemployment_rate", ">=", 90, 100.0, "on_track"), ("survey_unemployment_rate", "<=", 5.5, 5.5, "on_track"),
    ("survey_unemployment_rate", "<=", 5.5, 5.6, "behind"), ("long_term_unemployed", "<=", 0, 0, "on_track"),
    ("long_term_unemployed", "<=", 0, 1, "behind"), ("reemployment_rate", ">=", 90, None, None),
])
def test_a_level_is_compared_with_its_target_directly(code: str, direction: str, target: float,
                                                      value: float | None, wanted: str | None) -> None:
    entry = _entry(indicator=code, kind="level", direction=direction, yearly=None, target=target)
    for day in (date(2026, 1, 1), date(2026, 7, 2), date(2028, 12, 31)):  # the day does not matter
        assert status(entry, value, day, TOLERANCE) == wanted


def test_progress_of_a_flow_for_the_district_and_for_a_street() -> None:
    entry = _entry()
    day = date(2028, 2, 29)
    figures = progress(entry, day, ytd_value=3000, period_value=60000, tolerance=TOLERANCE)
    assert figures.elapsed_share == pytest.approx(60 / 366) and figures.expected == pytest.approx(24000 * 60 / 366)
    assert (figures.ytd_value, figures.period_value, figures.status) == (3000, 60000, "behind")
    street = progress(entry, day, ytd_value=3000, period_value=None, tolerance=TOLERANCE, district=False)
    assert (street.ytd_value, street.expected, street.period_value, street.status) == (3000, None, None, None)
    level = progress(_entry(indicator="reemployment_rate", kind="level", yearly=None, target=90), day,
                     ytd_value=95.0, tolerance=TOLERANCE, district=False)
    assert (level.expected, level.status) == (None, "on_track")


def test_every_entry_names_an_indicator_of_the_catalogue() -> None:
    assert {entry.indicator for entry in load().targets} <= set(BY_CODE)

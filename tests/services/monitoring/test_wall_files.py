"""The generated Grafana files: fresh, deterministic, a valid dashboard, well-formed provisioning."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from grafana_foundation_sdk.cog import runtime as cogruntime
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models.dashboard import Dashboard
from grafana_foundation_sdk.models.datasource import Dataquery as SharedResult
from grafana_foundation_sdk.models.datasource import variant_config as shared_result_variant

from schemas.events import EVENT_TYPES
from services.monitoring.settings import DEFAULT_THRESHOLDS
from services.monitoring.wall import browser, export, panels, sql
from services.monitoring.wall.alert_rules import CONTACT_POINT_NAME, ENV_WEBHOOK_TOKEN, WEBHOOK_PATH
from services.monitoring.wall.clickhouse import DATASOURCE_UID, PLUGIN_ID, ClickHouseQuery, register_variant
from services.monitoring.wall.dashboard import GRID_COLUMNS, WALL_ROWS, Grid, Kind, PanelSpec, check_layout
from services.monitoring.wall.labels import EVENT_TYPE_LABELS
from services.monitoring.wall.panels import PROGRAMME_KPI_CODES, PROGRAMME_ROWS, programme_panels, wall_panels
from services.monitoring.warnings.thresholds import Thresholds

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy" / "grafana"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _load_yaml(relative: str) -> dict:
    return yaml.safe_load((DEPLOY / relative).read_text("utf-8"))


@pytest.mark.parametrize("relative", sorted(export.render_files()), ids=str)
def test_committed_file_is_fresh(relative: str) -> None:
    committed = DEPLOY / relative
    assert committed.exists(), f"{committed} is missing: run `leye grafana export`"
    assert committed.read_bytes() == export.render_files()[relative], (
        f"{committed} is stale: run `leye grafana export` and commit the result"
    )


def test_cli_export_is_byte_identical_on_rerun(tmp_path: Path) -> None:
    outputs = []
    for run in ("first", "second"):
        out = tmp_path / run
        done = subprocess.run([sys.executable, "-m", "leye.cli", "grafana", "export", "--out", str(out)],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert "已写入" in done.stdout
        outputs.append({p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert outputs[0] == outputs[1]
    assert outputs[0] == export.render_files()


def test_dashboard_round_trips_through_the_sdk_model() -> None:
    register_variant()
    cogruntime.register_dataquery_variant(shared_result_variant())
    data = json.loads((DEPLOY / export.DASHBOARD_FILE).read_text("utf-8"))
    model = Dashboard.from_json(data)
    again = json.loads(json.dumps(model, cls=JSONEncoder))
    assert again == data
    queried: set[int] = set()
    for panel in model.panels:  # a ClickHouse query, or the result of an earlier panel's (the KPIs share one)
        [target] = panel.targets
        if isinstance(target, ClickHouseQuery):
            queried.add(panel.id_val)
        else:
            assert isinstance(target, SharedResult) and target.panel_id in queried, panel.title
    assert queried


def test_dashboard_is_the_wall() -> None:
    data = json.loads((DEPLOY / export.DASHBOARD_FILE).read_text("utf-8"))
    assert (data["title"], data["uid"], data["refresh"]) == ("乐业西青指挥中心", "leye-wall", "10s")
    [street] = data["templating"]["list"]
    assert (street["name"], street["label"], street["type"]) == ("street", "街镇", "query")
    assert street["current"] == {"selected": True, "text": "全部", "value": ""}
    assert [panel["id"] for panel in data["panels"]] == list(range(1, len(data["panels"]) + 1))
    for panel in data["panels"]:
        assert CJK.search(panel["title"]), panel["title"]
        own_query = panel["datasource"] == {"type": PLUGIN_ID, "uid": DATASOURCE_UID}
        assert own_query or panel["datasource"] == {"type": "datasource", "uid": "-- Dashboard --"}, panel["title"]
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= GRID_COLUMNS and grid["y"] + grid["h"] <= WALL_ROWS, panel["title"]
    titles = {panel["title"] for panel in data["panels"]}
    for wanted in ("城镇新增就业", "城镇调查失业率", "登记失业人员", "求人倍率", "各街镇就业失业情况",
                   "重点群体登记失业人员", "离校未就业高校毕业生服务率", "零就业家庭未就业人员",
                   "近30日规模裁员（按行业）", "招聘活动与直播带岗", "就业红娘服务时效", "当前预警", "最新动态",
                   "求职电子地图", "用工电子地图", "岗位流失率（按街镇）", "岗位流失率（按行业）", "见习岗位",
                   "公益性岗位", "长期失业人员占比", "就业红娘星级排名（按站点）", "充分就业社区：就业率未达90%",
                   "充分就业社区认定（本年）", "就业率最低的社区"):
        assert wanted in titles


def test_the_maps_load_nothing_from_the_internet() -> None:
    """The command centre's network may be offline: the Geomap panels' basemap is a file Grafana
    serves itself, not a tile server, and nothing in their options points outside."""
    data = json.loads((DEPLOY / export.DASHBOARD_FILE).read_text("utf-8"))
    maps = [panel for panel in data["panels"] if panel["type"] == "geomap"]
    assert [panel["title"] for panel in maps] == ["求职电子地图", "用工电子地图"]
    for panel in maps:
        basemap = panel["options"]["basemap"]
        assert (basemap["type"], basemap["config"]["src"]) == ("geojson", "public/maps/countries.geojson")
        assert "//" not in json.dumps(panel["options"]), panel["title"]


def test_the_per_street_panels_read_one_query_and_keep_their_own_columns() -> None:
    """The maps, the 12 街镇 and 岗位流失率 by 街镇 share one query (``STREET_SQL``): the first panel
    sends it, the others read its result; each keeps only the columns it shows."""
    data = json.loads((DEPLOY / export.DASHBOARD_FILE).read_text("utf-8"))
    specs = {spec.title: spec for spec in wall_panels() if spec.sql == panels.STREET_SQL}
    shown = [panel for panel in data["panels"] if panel["title"] in specs]
    assert len(shown) == len(specs) == 4
    sender, *readers = shown
    assert sender["datasource"]["uid"] == DATASOURCE_UID
    for panel in readers:
        assert panel["datasource"]["uid"] == "-- Dashboard --"
        assert [target["panelId"] for target in panel["targets"]] == [sender["id"]]
    for panel in shown:
        assert panel["transformations"] == [{"id": "filterFieldsByName", "options": {
            "include": {"names": list(specs[panel["title"]].columns)}}}], panel["title"]


def test_kpi_colours_follow_the_progress_against_the_targets_file() -> None:
    """A KPI with targets shows its year to date and its progress, coloured by the progress; the
    colours and labels are the browser wall's too, and every period's targets are in its SQL."""
    data = json.loads((DEPLOY / export.DASHBOARD_FILE).read_text("utf-8"))
    by_title = {panel["title"]: panel for panel in data["panels"]}
    by_id = {panel["id"]: panel for panel in data["panels"]}
    layout = {panel["title"]: panel for panel in browser.layout(wall_panels())["panels"]}
    progress = {"ahead": ("超前", "blue"), "on_track": ("正常", "green"), "behind": ("滞后", "red")}
    for title, figures in [
        ("城镇新增就业", ["toFloat64(24000.0)", "toFloat64(120000.0)", "toDate('2021-01-01')", "toDate('2026-01-01')"]),
        ("登记失业人员就业率", ["toYear(toDate($__toTime, 'Asia/Shanghai')) BETWEEN 2026 AND 2030, toFloat64(90.0)"]),
        ("城镇调查失业率", ["BETWEEN 2021 AND 2025, toFloat64(5.5)",
                     "survey_unemployment_rate__value <= survey_unemployment_rate__target"]),
        ("零就业家庭未就业人员", ["toFloat64(0.0)"]),
    ]:
        panel = by_title[title]
        [mapping] = panel["fieldConfig"]["defaults"]["mappings"]
        assert {code: (option["text"], option["color"]) for code, option in mapping["options"].items()} == progress
        assert panel["options"]["reduceOptions"]["fields"] == "/^(value|status)$/"
        sql = by_id[panel["targets"][0].get("panelId", panel["id"])]["targets"][0]["rawSql"]  # the KPIs share one
        assert all(figure in sql for figure in figures), title
        assert "十四五 2021–2025" in panel["description"] and "十五五 2026–2030，暂定" in panel["description"]
        assert layout[title]["colours"] == {code: browser.COLOURS[colour] for code, (_, colour) in progress.items()}
        assert layout[title]["shown"] == ["value", "status"]
    assert "每年 ≥ 24000 人，期间合计 ≥ 120000 人" in by_title["城镇新增就业"]["description"]
    plain = by_title["登记失业人员"]  # no target: a reference figure, in no progress colour
    assert plain["fieldConfig"]["defaults"]["thresholds"]["steps"] == [{"color": "transparent", "value": None}]
    assert layout["登记失业人员"]["colours"] == {}


def test_the_gauge_takes_the_latest_periods_target() -> None:
    data = json.loads((DEPLOY / export.DASHBOARD_FILE).read_text("utf-8"))
    [gauge] = [panel for panel in data["panels"] if panel["title"] == "就业红娘服务时效"]
    steps = [(step["value"], step["color"]) for step in gauge["fieldConfig"]["defaults"]["thresholds"]["steps"]]
    assert steps == [(None, "red"), (90.0, "orange"), (100.0, "green")]


def test_every_event_type_has_a_chinese_label() -> None:
    assert set(EVENT_TYPE_LABELS) == set(EVENT_TYPES)


def test_datasource_provisioning_takes_connection_from_the_environment() -> None:
    document = _load_yaml(export.DATASOURCE_FILE)
    assert document["apiVersion"] == 1
    [source] = document["datasources"]
    assert (source["uid"], source["type"]) == (DATASOURCE_UID, PLUGIN_ID)
    assert source["jsonData"]["host"] == "${CLICKHOUSE_HOST}"
    assert source["jsonData"]["port"] == "${CLICKHOUSE_PORT}"
    assert source["jsonData"]["username"] == "${CLICKHOUSE_USER}"
    assert source["secureJsonData"] == {"password": "${CLICKHOUSE_PASSWORD}"}


def test_dashboard_provider_points_at_the_dashboards_folder() -> None:
    document = _load_yaml(export.PROVIDER_FILE)
    [provider] = document["providers"]
    assert provider["type"] == "file" and provider["options"]["path"] == "/var/lib/grafana/dashboards"


def test_warnings_provisioning_is_well_formed() -> None:
    document = _load_yaml(export.ALERTING_FILE)
    assert document["apiVersion"] == 1
    [group] = document["groups"]
    assert {"name", "folder", "interval", "orgId", "rules"} <= set(group)
    uids = [rule["uid"] for rule in group["rules"]]
    assert len(uids) == len(set(uids))
    for rule in group["rules"]:
        assert {"uid", "title", "condition", "data", "noDataState", "execErrState", "for"} <= set(rule)
        refs = {query["refId"] for query in rule["data"]}
        assert rule["condition"] in refs
        for query in rule["data"]:
            assert query["datasourceUid"] in (DATASOURCE_UID, "__expr__")
            if query["datasourceUid"] == DATASOURCE_UID:
                window = query["relativeTimeRange"]
                assert window["from"] > window["to"] == 0  # Grafana rejects an empty range
            assert query["model"]["refId"] == query["refId"]
        models = {query["refId"]: query["model"] for query in rule["data"]}
        assert models[rule["condition"]]["type"] == "threshold" and models[rule["condition"]]["expression"] == "B"
        assert models["B"] == {**models["B"], "type": "reduce", "expression": "A"}  # the measured value
        labels = rule["labels"]
        assert {"signal", "level", "scope_kind", "threshold", "window"} <= set(labels)
        assert labels["scope_kind"] in ("street", "industry", "district")
        assert labels["level"] in ("yellow", "orange", "red")
        assert "scope_code" in models["A"]["rawSql"]
    [contact] = document["contactPoints"]
    [receiver] = contact["receivers"]
    assert contact["name"] == CONTACT_POINT_NAME and receiver["type"] == "webhook"
    assert receiver["settings"]["url"] == "${LEYE_GATEWAY_URL}" + WEBHOOK_PATH
    assert receiver["settings"]["authorization_scheme"] == "Bearer"
    assert receiver["settings"]["authorization_credentials"] == "${" + ENV_WEBHOOK_TOKEN + "}"
    [policy] = document["policies"]
    assert policy["receiver"] == contact["name"]


def _rule_thresholds() -> dict[tuple[str, str, str], tuple[str, float, str]]:
    group = _load_yaml(export.ALERTING_FILE)["groups"][0]
    found = {}
    for rule in group["rules"]:
        condition = next(q["model"] for q in rule["data"] if q["refId"] == rule["condition"])
        evaluator = condition["conditions"][0]["evaluator"]
        labels = rule["labels"]
        assert labels["threshold"] == f"{evaluator['params'][0]:g}"  # the label the gateway reads says the same
        found[(labels["signal"], labels["scope_kind"], labels["level"])] = (
            evaluator["type"], evaluator["params"][0], labels["window"])
    return found


def test_alert_thresholds_match_the_monitoring_defaults() -> None:
    """Every rule on an aggregate in thresholds.yaml is a Grafana rule with its levels and direction."""
    defaults = Thresholds.load(DEFAULT_THRESHOLDS)
    watched = {"registration_surge": ("street",), "job_loss_rate": ("street", "industry"),
               "vacancy_ratio": ("street", "district"), "long_term_unemployment": ("street",),
               "survey_rate": ("district",)}
    windows = {"registration_surge": "7d", "job_loss_rate": "30d", "vacancy_ratio": "1d",
               "long_term_unemployment": "1d", "survey_rate": "30d"}
    expected = {}
    for signal, scope_kinds in watched.items():
        rule = defaults.rule(signal)
        for scope_kind in scope_kinds:
            for level, value in rule.levels.items():
                comparison = "lte" if rule.direction == "below" else "gte"
                expected[(signal, scope_kind, level.value)] = (comparison, value, windows[signal])
    assert _rule_thresholds() == expected
    assert expected[("vacancy_ratio", "district", "yellow")] == ("lte", 1.0, "1d")
    assert expected[("survey_rate", "district", "red")] == ("gte", 5.5, "30d")


def test_alert_rules_carry_the_floors_of_the_thresholds_file() -> None:
    group = _load_yaml(export.ALERTING_FILE)["groups"][0]
    defaults = Thresholds.load(DEFAULT_THRESHOLDS).rules
    floors = {"registration_surge": defaults.registration_surge.min_registrations,
              "vacancy_ratio": defaults.vacancy_ratio.min_seekers,
              "long_term_unemployment": defaults.long_term_unemployment.min_long_term}
    for rule in group["rules"]:
        raw = next(q["model"]["rawSql"] for q in rule["data"] if q["refId"] == "A")
        signal = rule["labels"]["signal"]
        if signal in floors:
            assert raw.rstrip().endswith(f"WHERE value IS NOT NULL AND base >= {floors[signal]} ORDER BY scope_code")
        else:
            assert raw.rstrip().endswith("WHERE value IS NOT NULL ORDER BY scope_code")


@pytest.mark.parametrize(("specs", "rows"), [(wall_panels, WALL_ROWS), (programme_panels, PROGRAMME_ROWS)],
                         ids=["wall", "programmes"])
def test_panels_tile_the_whole_wall(specs, rows: int) -> None:
    laid_out = specs()
    check_layout(laid_out, rows)  # inside the wall, no overlap
    assert sum(spec.grid.w * spec.grid.h for spec in laid_out) == GRID_COLUMNS * rows  # and no gap


def test_the_programmes_dashboard_shows_every_programme_kpi_from_one_query() -> None:
    data = json.loads((DEPLOY / export.PROGRAMMES_FILE).read_text("utf-8"))
    assert (data["title"], data["uid"], data["refresh"]) == ("乐业西青 政策项目进度", "leye-programmes", "10s")
    assert [panel["title"] for panel in data["panels"]] == [sql.indicator(code).name for code in PROGRAMME_KPI_CODES]
    own = [panel for panel in data["panels"] if panel["datasource"] == {"type": PLUGIN_ID, "uid": DATASOURCE_UID}]
    assert len(own) == 1  # the others read its result
    specs = {spec.title: spec for spec in programme_panels()}
    # with a yearly target: year to date and its progress, coloured as on the main wall
    assert specs["马兰花创业培训"].shown == ("value", "status") and specs["马兰花创业培训"].colours
    assert specs["政策找人享受时长中位数"].shown != ("value", "status")  # no target: the figure alone


@pytest.mark.parametrize(
    "grids",
    [
        pytest.param([Grid(0, 0, 12, 4), Grid(6, 2, 12, 4)], id="overlapping panels"),
        pytest.param([Grid(20, 0, 6, 4)], id="wider than 24 columns"),
        pytest.param([Grid(0, 24, 6, 4)], id="below the 1080 px screen"),
    ],
)
def test_layout_check_rejects(grids: list[Grid]) -> None:
    specs = [PanelSpec(f"面板{n}", Kind.STAT, "SELECT 1 AS value", ("value",), grid) for n, grid in enumerate(grids)]
    with pytest.raises(ValueError):
        check_layout(specs)

"""The live terminal view: Chinese names for 街镇, industries, signals and levels; errors shown, not raised."""

from __future__ import annotations

import httpx
from rich.console import Console

from leye.live import fetch, render

DATA = {
    "indicators": {
        "new_employment": {"code": "new_employment", "name": "城镇新增就业", "unit": "人", "value": 1234,
                           "target": 24000, "target_op": ">="},
        "sla_contact_rate": {"code": "sla_contact_rate", "name": "红娘当天联系率", "unit": "%", "value": 100.0,
                             "target": 100, "target_op": ">="},
    },
    "streets": [{"street_name": "中北镇", "indicators": [{"code": "new_employment", "unit": "人", "value": 7}]}],
    "warnings": [
        {"alert_id": "a", "level": "orange", "scope_kind": "street", "scope_code": "120111100",
         "signal": "mass_layoff", "value": 40, "threshold": 20, "window": "30d"},
        {"alert_id": "b", "level": "red", "scope_kind": "industry", "scope_code": "C",
         "signal": "registration_surge", "value": 3.2, "threshold": 2, "window": "7d"},
    ],
}


def screen(data: dict) -> str:
    console = Console(width=140, record=True)
    console.print(render(data, {"网关接口文档": "http://127.0.0.1:8000/docs"}, "按 Ctrl-C 停止"))
    return console.export_text()


def test_view_shows_indicators_targets_streets_and_warnings_in_chinese() -> None:
    text = screen(DATA)
    assert "城镇新增就业" in text and "1,234" in text and "未达标" in text
    assert "红娘当天联系率" in text and "100.0%" in text and "达标" in text
    assert "中北镇" in text and "二级" in text and "规模裁员" in text
    assert "行业 C 制造业" in text and "一级" in text and "失业登记激增" in text
    assert "120111100" not in text
    assert "http://127.0.0.1:8000/docs" in text


def test_view_shows_progress_against_the_pro_rated_expectation() -> None:
    behind = {"status": "behind", "expected": 21500.0, "target": 24000, "direction": ">="}
    on_track = {"status": "on_track", "expected": None, "target": 100, "direction": ">="}
    data = DATA | {"indicators": {
        "new_employment": DATA["indicators"]["new_employment"] | {"progress": behind},
        "sla_contact_rate": DATA["indicators"]["sla_contact_rate"] | {"progress": on_track},
    }}
    text = screen(data)
    assert "滞后（按进度应达 21,500）" in text and "正常（目标 >= 100）" in text and "未达标" not in text


def test_view_shows_the_programmes_and_policy_matches() -> None:
    data = DATA | {"indicators": DATA["indicators"] | {
        "policy_matches": {"code": "policy_matches", "name": "政策找人", "unit": "人次", "value": 17},
        "programme_funds_paid": {"code": "programme_funds_paid", "name": "就业补助资金支付额", "unit": "元",
                                 "value": 78550.0},
        "incubators_new_municipal": {"code": "incubators_new_municipal", "name": "新认定市级及以上创业孵化基地",
                                     "unit": "个", "value": 1},
    }}
    text = screen(data)
    assert "就业创业项目与政策找人" in text and "政策找人" in text and "17" in text
    assert "78,550 元" in text and "新认定市级及以上创业孵化基地" in text


def test_unreachable_statistics_become_a_message() -> None:
    with httpx.Client(timeout=0.5) as client:
        data = fetch("http://127.0.0.1:9", client)
    assert "统计服务暂不可用" in data["error"]
    assert "统计服务暂不可用" in screen(data)


def test_a_plain_line_for_output_that_is_not_a_terminal() -> None:
    from leye.live import plain_line

    line = plain_line(DATA)
    assert "\n" not in line
    assert "城镇新增就业 1,234" in line and "红娘当天联系率 100.0%" in line and "当前预警 2 条" in line
    assert "统计服务暂不可用" in plain_line({"error": "统计服务暂不可用：ConnectError"})

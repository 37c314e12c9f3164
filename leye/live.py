"""The live terminal view of ``make run``: headline indicators, the 12 街镇, open warnings and 红娘 SLA,
refreshed in place from the monitoring service's statistics API (an operator's local view: it reads
the monitoring service directly on loopback, like the wall reads ClickHouse)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from schemas.reference import INDUSTRY_SECTIONS, STREETS

SHANGHAI = ZoneInfo("Asia/Shanghai")
HEADLINE = ("new_employment", "registered_unemployed", "unemployment_registrations", "reemployment_rate",
            "vacancy_ratio", "job_loss_rate", "mass_layoff_reports", "long_term_unemployed",
            "traineeship_posts", "recruitment_sessions", "livestream_sessions", "survey_unemployment_rate")
SLA = ("sla_contact_rate", "sla_referral_rate", "sla_breach_rate")
PROGRAMMES = ("malanhua_trained", "skills_trained", "startup_loans_issued", "startup_subsidies_granted",
              "trainees_taken_on", "trainees_retained", "interns_placed", "public_welfare_placed",
              "programme_funds_paid", "policy_matches", "incubators_new_municipal", "startup_jobs_created",
              "zero_employment_family_unemployed")
# Short column labels: the 12 街镇 table must fit a terminal.
STREET_COLUMNS = {"registered_unemployed": "登记失业", "unemployment_registrations": "新增失业登记",
                  "new_employment": "新增就业", "vacancy_ratio": "求人倍率", "mass_layoff_reports": "规模裁员",
                  "sla_contact_rate": "当天联系率"}
SIGNALS = {"mass_layoff": "规模裁员", "registration_surge": "失业登记激增", "job_loss_rate": "岗位流失率",
           "sla_breach": "红娘服务超时", "vacancy_ratio": "求人倍率偏低", "long_term_unemployment": "长期失业上升",
           "survey_rate": "调查失业率偏高"}
SCOPES = {"district": "全区", "street": "街镇", "industry": "行业"}
LEVELS = {"red": ("一级", "bold white on red"), "orange": ("二级", "bold black on dark_orange"),
          "yellow": ("三级", "bold black on yellow")}


def fetch(monitoring_url: str, client: httpx.Client) -> dict[str, Any]:
    """Everything the view shows, in three calls; an error becomes a message in the view."""
    try:
        indicators = client.get(f"{monitoring_url}/stats/indicators").json()["indicators"]
        streets = client.get(f"{monitoring_url}/stats/streets").json()["streets"]
        warnings = client.get(f"{monitoring_url}/warnings", params={"status": "open"}).json()["warnings"]
    except (httpx.HTTPError, KeyError, ValueError) as exc:
        return {"error": f"统计服务暂不可用：{type(exc).__name__}"}
    return {"indicators": {i["code"]: i for i in indicators}, "streets": streets, "warnings": warnings}


COUNT_UNITS = {"人", "个", "场", "起", "人次"}


def _value(item: dict[str, Any] | None) -> str:
    if not item or item.get("value") is None:
        return "—"
    value, unit = item["value"], item.get("unit", "")
    if unit in COUNT_UNITS:
        return f"{value:,.0f}"
    if unit == "元":
        return f"{value:,.0f} 元"
    return f"{value:.1f}%" if unit == "%" else f"{value:.2f}"


_PROGRESS = {"ahead": ("超前", "blue"), "on_track": ("正常", "green"), "behind": ("滞后", "red")}


def _meets(item: dict[str, Any]) -> Text:
    """The progress against the plan period's target when monitoring gives one (a yearly flow against
    its pro-rated expectation for today), else the value against the target."""
    progress = item.get("progress") or {}
    if progress.get("status") in _PROGRESS:
        label, style = _PROGRESS[progress["status"]]
        expected, target = progress.get("expected"), progress.get("target")
        goal = (f"按进度应达 {expected:,.0f}" if expected is not None else
                f"目标 {progress.get('direction')} {target:g}" if target is not None else "")
        return Text(f"{label}（{goal}）" if goal else label, style=style)
    target, op, value = item.get("target"), item.get("target_op"), item.get("value")
    if target is None or op is None or value is None:
        return Text("")
    ok = value >= target if op == ">=" else value <= target
    return Text(f"{'达标' if ok else '未达标'}（目标 {op} {target:g}）", style="green" if ok else "red")


def render(data: dict[str, Any], urls: dict[str, str], footer: str = "") -> Group:
    now = datetime.now(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
    title = Text(f"乐业西青指挥中心  ·  {now}", style="bold")
    if "error" in data:
        return Group(title, Text(data["error"], style="red"), _links(urls), Text(footer))
    indicators = data["indicators"]

    headline = _indicator_table("核心指标（本年度）", HEADLINE, indicators)
    sla = _indicator_table("就业红娘服务时效", SLA, indicators)
    programmes = _indicator_table("就业创业项目与政策找人（本年度）", PROGRAMMES, indicators)

    streets = Table(title="12个街镇", expand=True)
    streets.add_column("街镇")
    for label in STREET_COLUMNS.values():
        streets.add_column(label, justify="right")
    for street in data["streets"]:
        by_code = {i["code"]: i for i in street["indicators"]}
        streets.add_row(street["street_name"], *(_value(by_code.get(code)) for code in STREET_COLUMNS))

    warnings = Table(title=f"当前预警（{len(data['warnings'])}）", expand=True)
    for column in ("级别", "范围", "信号", "数值 / 阈值", "窗口"):
        warnings.add_column(column)
    for w in data["warnings"][:10]:
        label, style = LEVELS.get(w["level"], (w["level"], ""))
        warnings.add_row(Text(label, style=style), _scope(w["scope_kind"], w["scope_code"]),
                         SIGNALS.get(w["signal"], w["signal"]),
                         f"{w['value']:g} / {w['threshold']:g}", w["window"])
    if not data["warnings"]:
        warnings.add_row("—", "暂无预警", "", "", "")

    return Group(title, headline, sla, programmes, streets, warnings, _links(urls), Text(footer, style="dim"))


PLAIN = ("registered_unemployed", "new_employment", "vacancy_ratio", "sla_contact_rate", "sla_referral_rate",
         "policy_matches", "programme_funds_paid")


def plain_line(data: dict[str, Any]) -> str:
    """One line of the view for output that is not a terminal (a log file, a pipe): the time, a few
    headline figures and the open warnings; the full view is on a terminal."""
    now = datetime.now(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
    if "error" in data:
        return f"{now}  {data['error']}"
    indicators = data["indicators"]
    figures = [f"{indicators[code]['name']} {_value(indicators[code])}" for code in PLAIN if code in indicators]
    return f"{now}  " + "  ·  ".join([*figures, f"当前预警 {len(data['warnings'])} 条"])


def _scope(kind: str, code: str) -> str:
    if kind == "street" and code in STREETS:
        return STREETS[code].name
    if kind == "industry" and code in INDUSTRY_SECTIONS:
        return f"行业 {code} {INDUSTRY_SECTIONS[code].name}"
    return f"{SCOPES.get(kind, kind)} {code}".strip()


def _indicator_table(title: str, codes: tuple[str, ...], indicators: dict[str, Any]) -> Table:
    table = Table(title=title, expand=True)
    table.add_column("指标")
    table.add_column("数值", justify="right")
    table.add_column("目标")
    for code in codes:
        if code in indicators:
            table.add_row(indicators[code]["name"], _value(indicators[code]), _meets(indicators[code]))
    return table


def _links(urls: dict[str, str]) -> Panel:
    lines = "\n".join(f"{name}: {url}" for name, url in urls.items())
    return Panel(lines, title="大屏、接口与文档", expand=True)

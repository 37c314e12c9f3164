"""The panels of the wall "乐业西青指挥中心": what each shows and where (24 columns × 26 rows).

Rows, top to bottom:
  0–2    eight headline KPIs and their progress against their targets (colour = the progress);
  3–5    five more KPIs: two key-group ones (离校未就业毕业生服务率, 零就业家庭未就业人员) and three plan
         figures (长期失业人员占比, 见习岗位, 公益性岗位) | 招聘活动 and 直播带岗 (with the working days
         covered) | 充分就业社区: communities below the 90 % standard | this year's 市级 / 国家级 certifications;
  6–12   the 求职 map | the 用工 map (电子地图) | the 直播带岗 in progress: viewers over time | its
         applications and hires per vacancy (by title) | the communities with the lowest 就业率;
  13–19  the 12 街镇 side by side | 12-week trends | 重点群体 | 岗位流失率 by 街镇 | 岗位流失率 by 行业;
  20–25  open warnings | 红娘 star ranking by station | 红娘 SLA | 规模裁员 by industry (30 days) | the latest events.

The live panels have a 5 × 7 cell each (they had 3 × 3, where a chart's axis labels ran into each
other); the maps and the 12 街镇 gave up a column or more for them.

The maps place the 街镇 on the schematic tile layout of the reference data (``schemas/reference/
xiqing_divisions.json``: relative positions, not surveyed centroids; the civil-affairs division list
it extends has codes and names only, no coordinates).

Figures come from ``services/monitoring/indicators/catalogue.py`` through ``sql.py``; targets, per
plan period, come from the targets file (``targets.yaml``, ``indicators/targets.py``). A KPI with
targets shows its year-to-date value and its progress (超前 / 正常 / 滞后), computed in its SQL by the
same rule as the statistics API's ``progress``; its colour is the progress's, defined once here
(``STATUS_COLOURS``) for Grafana and the browser wall alike. The KPIs of both rows share one query
(``sql.kpis``): Grafana sends it for the first and the others read its result.
"""

from __future__ import annotations

from collections.abc import Mapping

from schemas.reference import Community, load_communities
from services.monitoring.indicators.catalogue import Indicator
from services.monitoring.indicators.community import MUNICIPAL_PER_YEAR, NATIONAL_PER_YEAR, STANDARD_PERCENT
from services.monitoring.indicators.targets import STATUS_LABELS, Entry, Targets
from services.monitoring.indicators.targets import default as default_targets

from . import sql
from .clickhouse import QueryType
from .dashboard import GRID_COLUMNS, Grid, Kind, PanelSpec, Thresholds
from .labels import EVENT_TYPE_LABELS, alert_labels, street_labels
from .sql import Read

GREEN, ORANGE, RED, BLUE, NEUTRAL = "green", "orange", "red", "blue", "transparent"
TREND_WEEKS = 12
LATEST_EVENTS = 30
LATEST_DAYS = 7
RANKED_STATIONS = 20
KPI_HEIGHT = 3
STATUS_COLOURS = {"ahead": BLUE, "on_track": GREEN, "behind": RED}
"""Progress colours (blue / green / red: ahead, on track, behind), for Grafana's value mappings and
the browser wall's KPI panels."""


def thresholds_for(entry: Entry | None) -> Thresholds:
    """Static colours from a level target (the gauges, whose colours cannot follow the period):
    ``>=`` targets are red below 90 % of the target, orange up to it and green from it; ``<=``
    targets the reverse (a zero target turns red from 1)."""
    if entry is None or entry.kind != "level":
        return Thresholds(BLUE)
    target = entry.value
    if entry.direction == ">=":
        return Thresholds(RED, ((0.9 * target, ORANGE), (target, GREEN)))
    if target == 0:
        return Thresholds(GREEN, ((1, RED),))
    return Thresholds(GREEN, ((0.9 * target, ORANGE), (target, RED)))


def _unit(ind: Indicator) -> str:
    return "percent" if ind.unit == "%" else f"suffix:{ind.unit}"


def _figure(value: float, ind: Indicator) -> str:
    return f"{value:.12g}{'' if ind.unit == '%' else ' '}{ind.unit}"


def _target_text(ind: Indicator, targets: Targets) -> str:
    """Every period's target, as the panel's description says it."""
    entries = targets.entries(ind.code)
    if not entries:
        return "参考指标，无目标值"
    op = "≥" if entries[0].direction == ">=" else "≤"
    periods = []
    for entry in entries:
        when = f"{entry.label}{'，暂定' if entry.provisional else ''}"
        if entry.kind == "flow":
            yearly, total = entry.yearly_target, entry.period_target
            assert yearly is not None and total is not None
            periods.append(f"{when}：每年 {op} {_figure(yearly, ind)}，期间合计 {op} {_figure(total, ind)}")
        else:
            periods.append(f"{when}：{op} {_figure(entry.value, ind)}")
    if entries[0].kind == "flow":
        rule = (f"本年累计与按时间进度应达值（年度目标×已过天数÷全年天数）相差 {targets.tolerance:.0%} 以内为正常，"
                "超出为超前或滞后；按全区目标计，选定街镇时不计进度")
    else:
        rule = "年初至今的值达到目标为正常，否则为滞后"
    return "目标（" + "；".join(periods) + "）；" + rule


KPI_CODES = (
    "new_employment", "survey_unemployment_rate", "registered_unemployed", "reemployment_rate",
    "hardship_employment_rate", "graduate_employment_rate", "vacancy_ratio", "long_term_unemployed",
)


GROUP_KPI_CODES = ("graduate_service_rate", "zero_employment_family_unemployed")
"""Key-group KPIs, first in the second row: 离校未就业 graduates served (§8) and 零就业家庭 清零 (§9)."""
PLAN_KPI_CODES = ("long_term_unemployed_share", "traineeship_posts", "public_welfare_posts")
"""Plan figures after them: 长期失业人员占比, and the 见习 and 公益性岗位 posts of the year (≥ 2000, ≥ 300)."""
_NOTES = {
    "graduate_service_rate": "所选时段内登记的离校未就业高校毕业生中，同期有跟踪回访、红娘联系或人岗推介记录的比例"
                             "（平台外的服务无记录，不计入）",
    "zero_employment_family_unemployed": "期末登记失业人员中的零就业家庭成员（按人计，按本人的重点群体标识；"
                                         "按户计的零就业家庭见求职电子地图）",
}


def kpi(code: str, column: int, grid: Grid | None = None, targets: Targets | None = None,
        strip: tuple[str, ...] = ()) -> PanelSpec:
    """A stat panel: one indicator over the dashboard period; by default the ``column``-th headline KPI
    of the top row. With targets (``targets``, by default the shipped file) it shows the year to date
    at the period's end and its progress, coloured by the progress (``sql.kpis``); the browser
    wall also shows the target, the expectation for the day and the period's figures. ``strip``: the
    KPIs whose one query this panel shares (by default its own alone)."""
    ind = sql.indicator(code)
    targets = targets or default_targets()
    entries = targets.entries(code)
    where = grid or Grid(x=3 * column, y=0, w=3, h=KPI_HEIGHT)
    description = "；".join(text for text in (_target_text(ind, targets), _NOTES.get(code)) if text)
    decimals = 0 if ind.unit in ("人", "个", "起", "场") else 2
    shared = sql.kpis(strip or (code,), targets)
    prefix = f"{code}{sql.KPI_SEPARATOR}"
    if not entries:
        return PanelSpec(
            title=ind.name, kind=Kind.STAT, sql=shared, prefix=prefix, columns=("value",), grid=where,
            unit=_unit(ind), description=description, decimals=decimals, thresholds=Thresholds(NEUTRAL),
        )
    kind, op = entries[0].kind, "≥" if entries[0].direction == ">=" else "≤"
    # short: the browser wall prints them two to a line under the figure of a 3-column panel
    labels = {"value": "本年累计" if kind == "flow" else "年初至今", "status": "进度",
              "target": f"{'年目标' if kind == 'flow' else '目标'}{op}", "expected": "进度应达",
              "period_value": "期内累计", "period_target": "期目标"}
    columns = sql.PROGRESS_COLUMNS[kind]
    return PanelSpec(
        title=ind.name, kind=Kind.STAT, sql=shared, prefix=prefix, columns=columns, grid=where,
        unit=_unit(ind), description=description, decimals=decimals, thresholds=Thresholds(NEUTRAL),
        shown=("value", "status"), mappings=dict(STATUS_LABELS), colours=STATUS_COLOURS,
        overrides=tuple((column, labels[column]) for column in columns),
    )


def second_row_kpis(targets: Targets | None = None, strip: tuple[str, ...] = ()) -> list[PanelSpec]:
    """The second row of KPIs: the key-group ones, then the plan figures, left of 招聘活动."""
    codes = (*GROUP_KPI_CODES, *PLAN_KPI_CODES)
    return [kpi(code, 0, Grid(x=3 * n, y=KPI_HEIGHT, w=3, h=KPI_HEIGHT), targets, strip or codes)
            for n, code in enumerate(codes)]


STREET_COLUMNS: dict[str, sql.Column] = {
    "job_seekers": Read("vacancy_ratio", column="people"), "registered_unemployed": "registered_unemployed",
    "unemployment_registrations": "unemployment_registrations", "new_employment": "new_employment",
    "long_term": "long_term_unemployed", "hardship": Read("registered_unemployed", group="hardship"),
    "graduates": Read("registered_unemployed", group="graduate_unemployed"),
    "zero_employment_family": "zero_employment_family_unemployed",
    "zero_employment_families": "zero_employment_families",
    "open_posts": "open_vacancy_headcount", "vacancy_ratio": "vacancy_ratio", "job_loss_rate": "job_loss_rate",
}
"""Every figure the per-街镇 panels show (the two maps, the 12 街镇 side by side, 岗位流失率 by 街镇),
in the order each panel lists its own: they share one query (``STREET_SQL``), one scan per family."""
STREET_SQL = sql.street_map(STREET_COLUMNS, stations=True)


def streets_side_by_side() -> PanelSpec:
    columns = ("registered_unemployed", "unemployment_registrations", "new_employment")
    return PanelSpec(
        title="各街镇就业失业情况", kind=Kind.BAR_CHART, sql=STREET_SQL,
        columns=("street", "street_code", *columns), grid=Grid(x=0, y=13, w=7, h=7),
        description="12个街镇并列：登记失业人员（期末）、新增失业登记与城镇新增就业（所选时段）",
        overrides=(("street_code", "街镇代码"), ("registered_unemployed", "登记失业人员"),
                   ("unemployment_registrations", "新增失业登记"), ("new_employment", "城镇新增就业")),
    )


def trends() -> PanelSpec:
    columns = {"unemployment_registrations": "unemployment_registrations", "new_employment": "new_employment",
               "registered_unemployed": "registered_unemployed"}
    return PanelSpec(
        title=f"近{TREND_WEEKS}周趋势", kind=Kind.TIME_SERIES, sql=sql.weekly(columns, TREND_WEEKS),
        columns=("time", *columns), grid=Grid(x=7, y=13, w=5, h=7), query_type=QueryType.TIME_SERIES,
        description="按周统计：新增失业登记、城镇新增就业；登记失业人员为每周末存量",
        overrides=(("unemployment_registrations", "新增失业登记"), ("new_employment", "城镇新增就业"),
                   ("registered_unemployed", "登记失业人员")),
    )


def key_groups() -> PanelSpec:
    return PanelSpec(
        title="重点群体登记失业人员", kind=Kind.BAR_CHART, sql=sql.per_group("registered_unemployed"),
        columns=("key_group", "value"), grid=Grid(x=12, y=13, w=4, h=7), horizontal=True,
        description="期末登记失业人员中各重点群体人数（一人可属多个群体）",
        overrides=(("value", "登记失业人员"),),
    )


def layoffs_by_industry() -> PanelSpec:
    return PanelSpec(
        title="近30日规模裁员（按行业）", kind=Kind.BAR_CHART,
        sql=sql.per_industry({"planned_cuts": "mass_layoff_cuts", "reports": "mass_layoff_reports",
                              "short_notice": "short_notice_layoffs"}),
        columns=("industry", "planned_cuts", "reports", "short_notice"), grid=Grid(x=17, y=20, w=3, h=6),
        horizontal=True,
        time_from="30d", description="《劳动合同法》第41条规模裁员报告：计划裁减人数、报告数、未提前30日报告数",
        overrides=(("planned_cuts", "计划裁减人数"), ("reports", "报告数"), ("short_notice", "未提前30日")),
    )


def sessions() -> PanelSpec:
    columns = {"livestream": "livestream_sessions", "workdays": "live_workday_share",
               "sessions": "recruitment_sessions", "applications": "session_applications", "hires": "session_hires"}
    return PanelSpec(
        title="招聘活动与直播带岗", kind=Kind.STAT, sql=sql.values(columns), columns=tuple(columns),
        grid=Grid(x=15, y=KPI_HEIGHT, w=3, h=KPI_HEIGHT), thresholds=Thresholds(BLUE), decimals=0,
        shown=("livestream", "workdays"),  # two figures fit 3 columns; the others are printed under them
        description="所选时段已结束的直播带岗场次、有直播带岗的工作日占全部工作日（周一至周五，未计节假日）的比例"
                    "（目标每个工作日一场），招聘活动（年目标≥120场）场次与其求职申请、达成录用",
        # short: the details are printed two to a line in 3 columns
        overrides=(("livestream", "直播带岗（场）"), ("workdays", "工作日覆盖%"), ("sessions", "招聘活动场次"),
                   ("applications", "求职申请人次"), ("hires", "达成录用人数")),
    )


LIVE_DAYS = 7
"""The live panels show the latest 直播带岗 with live records of the last week up to the period's end."""


def live_viewers() -> PanelSpec:
    return PanelSpec(
        title="直播带岗实况：在线人数", kind=Kind.TIME_SERIES, sql=sql.live_viewers(LIVE_DAYS),
        columns=("time", "viewers"), grid=Grid(x=10, y=6, w=5, h=7),
        query_type=QueryType.TIME_SERIES, decimals=0,
        description=f"正在进行（或近{LIVE_DAYS}日最近一场）的直播带岗各采样时刻的在线观看人数",
        overrides=(("viewers", "在线人数"),),
    )


def live_vacancies() -> PanelSpec:
    return PanelSpec(
        title="直播带岗实况：各岗位投递与录用", kind=Kind.BAR_CHART, sql=sql.live_vacancies(LIVE_DAYS),
        columns=("vacancy", "applications", "hires"), grid=Grid(x=15, y=6, w=5, h=7),
        horizontal=True, decimals=0,
        description=f"正在进行（或近{LIVE_DAYS}日最近一场）的直播带岗展示岗位的求职投递，及至今已录用人数"
                    "（录用可在直播结束后登记）",
        overrides=(("applications", "投递（人次）"), ("hires", "录用（人）")),
    )


COMMUNITY_STATUS_LABELS = {"met": "已达标", "open": "未达标"}
COMMUNITY_STATUS_COLOURS = {"met": GREEN, "open": ORANGE}
LOWEST_COMMUNITIES = 8


def community_standard(communities: Mapping[str, Community] | None = None) -> PanelSpec:
    """充分就业社区: how many communities are below the 90 % standard (target: none), with the
    communities measured printed under the figure; as ``/stats/communities`` counts them."""
    return PanelSpec(
        title="充分就业社区：就业率未达90%", kind=Kind.STAT,
        sql=sql.community_standard(communities or load_communities()),
        columns=("below_standard", "measured"), grid=Grid(x=18, y=KPI_HEIGHT, w=3, h=KPI_HEIGHT), unit="suffix:个",
        decimals=0, thresholds=Thresholds(GREEN, ((1, RED),)), shown=("below_standard",),
        description=f"截至期末，就业率（已就业 ÷ 有劳动能力和就业意愿的居民）低于充分就业社区标准"
                    f"{STANDARD_PERCENT:g}%的社区数（目标：每个社区都达标），及有此类居民的社区数",
        overrides=(("below_standard", "未达标社区"), ("measured", "有数据社区")),
    )


def community_certifications() -> PanelSpec:
    """充分就业社区 certified this year, 市级 and 国家级, against the plan's 3 and 1 a year."""
    return PanelSpec(
        title="充分就业社区认定（本年）", kind=Kind.STAT, sql=sql.certifications(),
        columns=("municipal", "national", "status", "municipal_target", "national_target"),
        grid=Grid(x=21, y=KPI_HEIGHT, w=3, h=KPI_HEIGHT), unit="suffix:个", decimals=0,
        thresholds=Thresholds(NEUTRAL), shown=("municipal", "national", "status"),
        mappings=COMMUNITY_STATUS_LABELS, colours=COMMUNITY_STATUS_COLOURS,
        description=f"期末所在年度认定的充分就业社区：市级（年目标{MUNICIPAL_PER_YEAR}个）、国家级"
                    f"（年目标{NATIONAL_PER_YEAR}个），两项均达到年目标为已达标；按全区计，不随街镇筛选",
        overrides=(("municipal", "市级"), ("national", "国家级"), ("status", "年度目标"),
                   ("municipal_target", "市级目标"), ("national_target", "国家级目标")),
    )


def lowest_communities(communities: Mapping[str, Community] | None = None) -> PanelSpec:
    return PanelSpec(
        title="就业率最低的社区", kind=Kind.BAR_CHART,
        sql=sql.lowest_communities(communities or load_communities(), LOWEST_COMMUNITIES),
        columns=("community", "rate"), grid=Grid(x=20, y=6, w=4, h=7), horizontal=True, unit="percent",
        decimals=1,
        description=f"截至期末就业率最低的{LOWEST_COMMUNITIES}个社区（社区名称为公开的区划名称，不含个人信息）；"
                    f"充分就业社区标准为不低于{STANDARD_PERCENT:g}%",
        overrides=(("rate", "就业率"),),
    )


def matchmaker_sla(targets: Targets | None = None) -> PanelSpec:
    columns = {"contact_rate": "sla_contact_rate", "referral_rate": "sla_referral_rate"}
    return PanelSpec(
        title="就业红娘服务时效", kind=Kind.GAUGE, sql=sql.values(columns), columns=tuple(columns),
        grid=Grid(x=14, y=20, w=3, h=6), unit="percent", decimals=1,
        thresholds=thresholds_for((targets or default_targets()).latest("sla_contact_rate")),
        description="所选时段派单中：当天主动联系的比例、3日内人岗双向推介的比例（目标100%）",
        overrides=(("contact_rate", "当天联系率"), ("referral_rate", "3日内推介率")),
    )


def open_warnings() -> PanelSpec:
    return PanelSpec(
        title="当前预警", kind=Kind.TABLE, sql=sql.OPEN_WARNINGS,
        columns=("updated_at", "level", "signal", "scope", "value", "threshold", "window"),
        grid=Grid(x=0, y=20, w=8, h=6), mappings=alert_labels(),
        description="尚未解除的规模性失业风险预警，按级别和时间排序",
        overrides=(("updated_at", "更新时间"), ("level", "级别"), ("signal", "信号"), ("scope", "范围"),
                   ("value", "当前值"), ("threshold", "阈值"), ("window", "窗口")),
    )


def latest_events() -> PanelSpec:
    return PanelSpec(
        title="最新动态", kind=Kind.TABLE, sql=sql.latest_events(LATEST_EVENTS, LATEST_DAYS),
        columns=("time", "type", "street_code"), grid=Grid(x=20, y=20, w=4, h=6),
        mappings={**EVENT_TYPE_LABELS, **street_labels()},
        description=f"平台最新{LATEST_EVENTS}条业务事件（最新一条之前{LATEST_DAYS}日内；不含个人信息）",
        overrides=(("time", "时间"), ("type", "事件"), ("street_code", "街镇")),
    )


def jobseeker_map() -> PanelSpec:
    """求职电子地图: per 街镇, the active job seekers (a marker's size and colour), the registered
    unemployed and the key groups among them, and the 零就业家庭 not cleared at the end (families). The
    job-seeker stock carries no key groups (only the registered-unemployed one does), so the groups are
    those of the registered unemployed."""
    columns = ("job_seekers", "registered_unemployed", "long_term", "hardship", "graduates", "zero_employment_family",
               "zero_employment_families")
    return PanelSpec(
        title="求职电子地图", kind=Kind.GEOMAP, sql=STREET_SQL,
        columns=("street", "street_code", *sql.POSITION_COLUMNS, *columns), grid=Grid(x=0, y=6, w=5, h=7),
        decimals=0, thresholds=Thresholds(BLUE),
        description="各街镇期末求职人员（圆点大小，即求人倍率的分母），及登记失业人员与其中长期失业、就业困难、"
                    "离校未就业高校毕业生、零就业家庭成员人数（求职人员无重点群体标识，群体按登记失业人员计），"
                    "以及期末尚未清零的零就业家庭户数（按户计，目标动态清零）；街镇位置为示意布局",
        overrides=(("street_code", "街镇代码"), ("job_seekers", "求职人员（人）"),
                   ("registered_unemployed", "登记失业人员（人）"), ("long_term", "长期失业人员（人）"),
                   ("hardship", "就业困难人员（人）"), ("graduates", "离校未就业高校毕业生（人）"),
                   ("zero_employment_family", "零就业家庭成员（人）"),
                   ("zero_employment_families", "零就业家庭（户）")),
    )


def employer_map() -> PanelSpec:
    """用工电子地图: per 街镇, the open posts (a marker's size and colour), 求人倍率 and the 红娘 stations
    monitoring knows of (those that have had a case: stations themselves are the matching service's)."""
    columns = ("open_posts", "vacancy_ratio")
    return PanelSpec(
        title="用工电子地图", kind=Kind.GEOMAP, sql=STREET_SQL,
        columns=("street", "street_code", *sql.POSITION_COLUMNS, *columns, "stations"), grid=Grid(x=5, y=6, w=5, h=7),
        thresholds=Thresholds(BLUE),
        description="各街镇期末空缺岗位数（圆点大小）、求人倍率，以及截至期末有过派单的就业红娘站点数"
                    "（站点由人岗匹配服务管理，监测服务只从工单事件得知站点）；街镇位置为示意布局",
        overrides=(("street_code", "街镇代码"), ("open_posts", "空缺岗位（个）"), ("vacancy_ratio", "求人倍率（倍）"),
                   ("stations", "红娘站点（个）")),
    )


def job_loss_by_street() -> PanelSpec:
    return PanelSpec(
        title="岗位流失率（按街镇）", kind=Kind.BAR_CHART, sql=STREET_SQL,
        columns=("street", "street_code", "job_loss_rate"), grid=Grid(x=16, y=13, w=4, h=7), horizontal=True,
        unit="percent", decimals=1,
        description="监测企业最新用工月报中（基期人数 − 当期人数）/ 基期人数；无监测企业的街镇无数据",
        overrides=(("street_code", "街镇代码"), ("job_loss_rate", "岗位流失率")),
    )


def job_loss_by_industry() -> PanelSpec:
    return PanelSpec(
        title="岗位流失率（按行业）", kind=Kind.BAR_CHART,
        sql=sql.per_industry({"job_loss_rate": "job_loss_rate"}, shown="IS NOT NULL"),
        columns=("industry", "job_loss_rate"), grid=Grid(x=20, y=13, w=4, h=7), horizontal=True, unit="percent",
        decimals=1, description="有监测企业的行业：（基期人数 − 当期人数）/ 基期人数，高者在前",
        overrides=(("job_loss_rate", "岗位流失率"),),
    )


def station_stars() -> PanelSpec:
    return PanelSpec(
        title="就业红娘星级排名（按站点）", kind=Kind.TABLE, sql=sql.station_ranking(RANKED_STATIONS),
        columns=("station_code", "street_code", "stars", "cases", "deadlines_met", "deadlines_due", "cases_closed",
                 "cases_placed"),
        grid=Grid(x=8, y=20, w=6, h=6), mappings=street_labels(),
        description="所选时段派单的工单，按站点（一站一红娘）评定星级：1 + round(4 × (0.6 × 时效达标率 + "
                    "0.4 × min(安置率 / 30%, 1)))，与人岗匹配服务的红娘星级评定同一公式；数据来自工单事件",
        overrides=(("station_code", "站点"), ("street_code", "街镇"), ("stars", "星级"), ("cases", "派单"),
                   ("deadlines_met", "时限达标"), ("deadlines_due", "时限到期"), ("cases_closed", "已结"),
                   ("cases_placed", "安置")),
    )


def wall_panels(targets: Targets | None = None) -> list[PanelSpec]:
    """Every panel of the wall, in a fixed order (which fixes the panel ids); the KPIs' targets from
    ``targets`` (by default the shipped file)."""
    targets = targets or default_targets()
    strip = (*KPI_CODES, *GROUP_KPI_CODES, *PLAN_KPI_CODES)  # one query for both rows of KPIs
    return [
        *(kpi(code, column, targets=targets, strip=strip) for column, code in enumerate(KPI_CODES)),
        streets_side_by_side(), trends(), key_groups(), *second_row_kpis(targets, strip), sessions(),
        matchmaker_sla(targets), open_warnings(), layoffs_by_industry(), latest_events(), jobseeker_map(),
        employer_map(), job_loss_by_street(), job_loss_by_industry(), station_stars(), live_viewers(),
        live_vacancies(), community_standard(), community_certifications(), lowest_communities(),
    ]


PROGRAMME_KPI_CODES = (
    "malanhua_trained", "skills_trained", "startup_loans_issued", "startup_subsidies_granted",
    "trainees_taken_on", "trainees_retained", "interns_placed", "public_welfare_placed",
    "programme_funds_paid", "policy_matches", "policy_contacted_same_day", "policy_granted",
    "policy_benefit_days_median", "policy_benefit_days_p90",
    "startup_loans_count", "flexible_insurance_granted", "flexible_insurance_amount", "incubators_new_municipal",
    "startup_jobs_created",
)
"""The programmes' dashboard (乐业西青 政策项目进度): the plan's programmes, then 政策找人, then
创业担保贷款 counted, 灵活就业社保补贴, 创业孵化基地 and 创业带动就业."""
PROGRAMME_ROWS = 3 * KPI_HEIGHT
"""Its height: three rows of KPIs, the first eight 3 columns wide, the second six 4 wide, the third five
(four 5 wide and the last 4; tiled exactly)."""


def programme_panels(targets: Targets | None = None) -> list[PanelSpec]:
    """Every panel of the programmes' dashboard: each programme indicator as the main wall's KPIs
    (``kpi``: year to date against the yearly target, coloured by progress), all from one query."""
    targets = targets or default_targets()
    first, second, third = PROGRAMME_KPI_CODES[:8], PROGRAMME_KPI_CODES[8:14], PROGRAMME_KPI_CODES[14:]
    width = GRID_COLUMNS // len(second)
    widths = (5, 5, 5, 5, 4)
    assert len(third) == len(widths) and sum(widths) == GRID_COLUMNS
    return [
        *(kpi(code, column, targets=targets, strip=PROGRAMME_KPI_CODES) for column, code in enumerate(first)),
        *(kpi(code, 0, Grid(x=width * n, y=KPI_HEIGHT, w=width, h=KPI_HEIGHT), targets, PROGRAMME_KPI_CODES)
          for n, code in enumerate(second)),
        *(kpi(code, 0, Grid(x=sum(widths[:n]), y=2 * KPI_HEIGHT, w=widths[n], h=KPI_HEIGHT), targets,
              PROGRAMME_KPI_CODES) for n, code in enumerate(third)),
    ]


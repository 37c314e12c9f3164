"""Statistics: the indicators of ``indicators.py`` by period, 街镇, group and industry.

Rows about people carry ``small_cell: true`` when the figure rests on fewer than 5 people; the
gateway hides those values from clients outside the human-resources bureau. Values here are never
suppressed: this API is internal (loopback / internal network only).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from schemas.fields import SHANGHAI
from schemas.reference import STREETS, load_communities
from schemas.requests import IsoDate, IsoDatetime
from schemas.vocab import CertificationLevel, IndustrySection, KeyGroup
from services.runtime.errors import ProblemError

from ..deps import StoreDep, TargetsDep
from ..indicators import targets as plan
from ..indicators.catalogue import BY_CODE, INDICATORS, SMALL_CELL_LIMIT, Indicator
from ..indicators.certificates import LEVEL_NAMES
from ..indicators.community import MUNICIPAL_PER_YEAR, NATIONAL_PER_YEAR, STANDARD_PERCENT, nearest_rank
from ..indicators.community import rate as community_rate
from ..store import Store

router = APIRouter(prefix="/stats", tags=["统计指标"])
# the shipped list, which `leye reference load communities` rewrites (registration checks codes against it)
_COMMUNITIES = load_communities()


class Progress(BaseModel):
    """Progress against the target of the plan period containing the end date (``targets.yaml``).
    Every number may be null: the gateway hides them (and ``status``) in a small cell."""

    plan: str = Field(description="规划期名称，如 十五五")
    period: str = Field(description="规划期（起止年份，含），如 2026–2030")
    period_start: date
    period_end: date
    kind: Literal["flow", "level"] = Field(
        description="flow：按年累计的目标（城镇新增就业、见习岗位……）；level：需保持的水平或比率（失业率、就业率……）")
    direction: Literal[">=", "<="]
    target: float | None = Field(description="flow 为年度目标；level 为目标值")
    period_target: float | None = Field(description="flow：规划期合计目标")
    provisional: bool = Field(description="暂定目标（沿用上一规划期或参考值，待区人社局确认）")
    source: str = Field(description="目标出处")
    ytd_value: float | None = Field(description="截止日期所在年份1月1日至截止日期的值（年初至今）")
    elapsed_share: float | None = Field(description="flow：当年已过天数占全年天数的比例（含截止日期当天）")
    expected: float | None = Field(description="flow：按时间进度应达值 = 年度目标 × elapsed_share")
    period_value: float | None = Field(description="flow：规划期开始至截止日期的累计值")
    status: Literal["ahead", "on_track", "behind"] | None = Field(
        description="进度：ahead 超前、on_track 正常、behind 滞后。flow 与应达值相差在容差（默认10%）以内为正常；"
        "level 达到目标为正常，否则滞后。无数据，或 flow 按街镇、群体、行业筛选（目标为全区目标）时为 null")
    small_cell: bool = Field(description="年初至今或规划期累计的值涉及不足5人")


class IndicatorValue(BaseModel):
    code: str
    name: str
    unit: str
    value: float | None
    target: float | None = Field(description="截止日期所在规划期的目标（flow 为年度目标）；无目标为 null")
    target_op: str | None = Field(description="目标方向：>= 或 <=")
    small_cell: bool
    applicable: bool
    progress: Progress | None = Field(
        None, description="对照规划期目标的进度（仅 /stats/indicators 给出）；无目标为 null")


class StreetValue(BaseModel):
    street_code: str
    street_name: str
    value: float | None
    small_cell: bool


class IndicatorList(BaseModel):
    start: date
    end: date
    street_code: str | None
    group: str | None
    industry: str | None
    indicators: list[IndicatorValue]


class IndicatorDetail(BaseModel):
    start: date
    end: date
    district: IndicatorValue
    streets: list[StreetValue]


class StreetIndicators(BaseModel):
    street_code: str
    street_name: str
    indicators: list[IndicatorValue]


class StreetsTable(BaseModel):
    start: date
    end: date
    streets: list[StreetIndicators]


# IsoDate: lax parsing would read "0" (or any number) as Unix time, 1970-01-01.
From = Annotated[IsoDate | None, Query(alias="from", description="起始日期（含，YYYY-MM-DD），默认当年1月1日")]
To = Annotated[IsoDate | None, Query(alias="to", description="截止日期（含，YYYY-MM-DD），默认今天（北京时间）")]


def _period(start: date | None, end: date | None) -> tuple[date, date]:
    today = datetime.now(SHANGHAI).date()
    end = end or today
    start = start or date(end.year, 1, 1)
    if start > end:
        raise ProblemError(422, "bad_period", "起始日期不得晚于截止日期",
                           errors=[{"field": "query.from", "message": "起始日期不得晚于截止日期", "type": "period"}])
    return start, end


def _street(code: str | None) -> str:
    if code is not None and code not in STREETS:
        raise ProblemError(422, "unknown_street", "未知的街镇代码",
                           errors=[{"field": "query.street_code", "message": "未知的街镇代码", "type": "street_code"}])
    return code or ""


async def _value(store: Store, targets: plan.Targets, indicator: Indicator, start: date, end: date,
                 **filters: str) -> IndicatorValue:
    applicable = indicator.applies(**filters)
    value, people = (await store.call(store.indicator_sync, indicator, start, end, **filters)
                     if applicable else (None, None))
    return _row(targets, indicator, end, value, people, applicable)


def _row(targets: plan.Targets, indicator: Indicator, end: date, value: float | None, people: int | None,
         applicable: bool = True) -> IndicatorValue:
    entry = targets.entry(indicator.code, end)
    return IndicatorValue(code=indicator.code, name=indicator.name, unit=indicator.unit, value=value,
                          target=entry.value if entry else None, target_op=entry.direction if entry else None,
                          small_cell=indicator.small_cell(people), applicable=applicable)


async def _by_street(store: Store, targets: plan.Targets, indicator: Indicator, start: date,
                     end: date) -> dict[str, IndicatorValue]:
    values = await store.call(store.indicator_by_street_sync, indicator, start, end)
    return {street: _row(targets, indicator, end, value, people) for street, (value, people) in values.items()}


Read = dict[str, tuple[float | None, int | None]]


async def _progress(store: Store, targets: plan.Targets, indicators: list[Indicator], start: date, end: date,
                    read: Read, filters: dict[str, str]) -> dict[str, Progress]:
    """Progress of the ``indicators`` (applicable, with ``read`` their values over [start, end]) that
    have a target for ``end``: the values from 1 January and from the plan period's start are read
    only when they differ from ``read``; a flow's period value only for the whole district."""
    entries = {ind.code: entry for ind in indicators if (entry := targets.entry(ind.code, end)) is not None}
    if not entries:
        return {}
    year_start = date(end.year, 1, 1)
    with_targets = [ind for ind in indicators if ind.code in entries]
    ytd = read if start == year_start else await store.call(store.indicators_sync, with_targets, year_start, end,
                                                            **filters)
    district = not any(filters.values())
    earlier = [ind for ind in with_targets if entries[ind.code].kind == "flow" and entries[ind.code].start < year_start]
    since: dict[date, Read] = {}  # by the periods' first day: the values from it to ``end``
    for first in sorted({entries[ind.code].start for ind in earlier} if district else ()):
        flows = [ind for ind in earlier if entries[ind.code].start == first]
        since[first] = await store.call(store.indicators_sync, flows, first, end, **filters)
    result = {}
    for ind in with_targets:
        entry = entries[ind.code]
        ytd_value, ytd_people = ytd[ind.code]
        period_value, period_people = None, None
        if entry.kind == "flow" and district:
            period_value, period_people = since[entry.start][ind.code] if ind in earlier else ytd[ind.code]
        figures = plan.progress(entry, end, ytd_value=ytd_value, period_value=period_value,
                                tolerance=targets.tolerance, district=district)
        result[ind.code] = Progress(
            plan=entry.plan, period=entry.period, period_start=entry.start, period_end=entry.end, kind=entry.kind,
            direction=entry.direction, target=entry.value, period_target=entry.period_target,
            provisional=entry.provisional, source=entry.source, ytd_value=figures.ytd_value,
            elapsed_share=figures.elapsed_share, expected=figures.expected, period_value=figures.period_value,
            status=figures.status, small_cell=ind.small_cell(ytd_people) or ind.small_cell(period_people))
    return result


@router.get("/indicators", summary="全部监测指标（可按时段、街镇、重点群体、行业筛选）")
async def list_indicators(
    store: StoreDep, targets: TargetsDep, start: From = None, end: To = None,
    street_code: Annotated[str | None, Query(description="街镇代码（9位）")] = None,
    group: Annotated[KeyGroup | None, Query(description="重点群体")] = None,
    industry: Annotated[IndustrySection | None, Query(description="行业门类（GB/T 4754）")] = None,
) -> IndicatorList:
    start, end = _period(start, end)
    filters = {"street": _street(street_code), "group": str(group or ""), "industry": str(industry or "")}
    applicable = [indicator for indicator in INDICATORS if indicator.applies(**filters)]
    read = await store.call(store.indicators_sync, applicable, start, end, **filters)
    progress = await _progress(store, targets, applicable, start, end, read, filters)
    values = [_row(targets, indicator, end, *read[indicator.code]) if indicator.code in read
              else _row(targets, indicator, end, None, None, applicable=False) for indicator in INDICATORS]
    values = [row.model_copy(update={"progress": progress.get(row.code)}) for row in values]
    return IndicatorList(start=start, end=end, street_code=street_code, group=filters["group"] or None,
                         industry=filters["industry"] or None, indicators=values)


@router.get("/indicators/{code}", summary="单项指标：全区及各街镇分解",
            responses={404: {"description": "未知指标"}})
async def indicator_by_street(store: StoreDep, targets: TargetsDep, code: str, start: From = None,
                              end: To = None) -> IndicatorDetail:
    indicator = BY_CODE.get(code)
    if indicator is None:
        raise ProblemError(404, "unknown_indicator", "未知的指标代码")
    start, end = _period(start, end)
    district = await _value(store, targets, indicator, start, end)
    by_street = await _by_street(store, targets, indicator, start, end) if "street" in indicator.dimensions else {}
    streets = []
    for street in STREETS.values():
        row = by_street.get(street.code) or _row(targets, indicator, end, None, None, applicable=False)
        streets.append(StreetValue(street_code=street.code, street_name=street.name, value=row.value,
                                   small_cell=row.small_cell))
    return IndicatorDetail(start=start, end=end, district=district, streets=streets)


@router.get("/streets", summary="12个街镇指标并列对比")
async def streets_side_by_side(store: StoreDep, targets: TargetsDep, start: From = None,
                               end: To = None) -> StreetsTable:
    start, end = _period(start, end)
    by_street = [indicator for indicator in INDICATORS if "street" in indicator.dimensions]
    read = await store.call(store.indicators_by_street_sync, by_street, start, end)
    columns = [{street: _row(targets, indicator, end, value, people)
                for street, (value, people) in read[indicator.code].items()} for indicator in by_street]
    rows = []
    for street in STREETS.values():
        values = [column[street.code] for column in columns]
        rows.append(StreetIndicators(street_code=street.code, street_name=street.name, indicators=values))
    return StreetsTable(start=start, end=end, streets=rows)


class IngestLag(BaseModel):
    """Seconds from an event's time to its row being queryable (raw-log insert), over the events
    whose time is at or after ``since``."""

    since: datetime
    events: int
    p50_s: float | None
    p95_s: float | None
    p99_s: float | None


class IngestStatus(BaseModel):
    events: int
    by_topic: dict[str, int]
    latest_event_time: datetime | None
    lag: IngestLag | None


def _aware(moment: datetime | None) -> datetime | None:
    # stored in UTC; the embedded driver returns it naive
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


class CommunityRow(BaseModel):
    """One 社区/行政村 at the end date (充分就业社区, DOMAIN.md §6)."""

    community_code: str
    community_name: str
    street_code: str
    street_name: str
    able_and_willing: int | None = Field(description="有劳动能力和就业意愿的居民（在平台登记、求职、登记失业或已就业）")
    employed: int | None = Field(description="其中已就业")
    rate: float | None = Field(description="就业率（%）= employed ÷ able_and_willing；无人时为 null")
    below_standard: bool | None = Field(description="就业率低于充分就业社区标准（90%）")
    small_cell: bool = Field(description="有劳动能力和就业意愿的居民不足5人")


class CommunitiesTable(BaseModel):
    end: date
    street_code: str | None
    standard_percent: float = Field(description="充分就业社区标准：就业率不低于该值（%）")
    communities: list[CommunityRow] = Field(description="社区名单中的每个社区（按代码），及名单外仍有人员的社区代码")


@router.get("/communities", summary="充分就业社区：各社区有劳动能力和就业意愿的居民、已就业人数与就业率")
async def communities(store: StoreDep, street_code: Annotated[str | None, Query(description="街镇代码（9位）")] = None,
                      end: To = None) -> CommunitiesTable:
    """Every community of the list (of one 街镇, if given) at the end date: residents able and
    willing to work, the employed among them, the rate and whether it is below the 90 % standard."""
    street = _street(street_code)
    _, end = _period(None, end)
    listed = _COMMUNITIES
    found = {code: (in_street, able, employed)
             for code, in_street, able, employed in await store.call(store.communities_sync, end)}
    codes = sorted(set(listed) | set(found))
    rows = []
    for code in codes:
        entry = listed.get(code)
        in_street = entry.street_code if entry else found[code][0]
        if street and in_street != street:
            continue
        _, able, employed = found.get(code, ("", 0, 0))
        value = community_rate(able, employed)
        rows.append(CommunityRow(
            community_code=code, community_name=entry.name if entry else code, street_code=in_street,
            street_name=STREETS[in_street].name if in_street in STREETS else in_street, able_and_willing=able,
            employed=employed, rate=value, below_standard=None if value is None else value < STANDARD_PERCENT,
            small_cell=able < SMALL_CELL_LIMIT))
    return CommunitiesTable(end=end, street_code=street or None, standard_percent=STANDARD_PERCENT, communities=rows)


class CommunityFigure(BaseModel):
    """One 零就业家庭 figure of a community: its indicator's code and name (as on ``/stats/indicators``),
    its value and whether it rests on fewer than 5 families."""

    code: str
    name: str
    unit: str
    value: float | None
    small_cell: bool = Field(description="涉及不足5户（清零用时：当期清零不足5户）")


class CommunityHouseholdsRow(BaseModel):
    """零就业家庭 in one 社区/行政村 (DOMAIN.md §2 "Households")."""

    community_code: str
    community_name: str
    street_code: str
    street_name: str
    figures: list[CommunityFigure] = Field(
        description="零就业家庭户数（截止日期）、当期新认定、当期清零、清零用时中位数与P90（天）")


class CommunityHouseholdsTable(BaseModel):
    start: date
    end: date
    street_code: str | None
    communities: list[CommunityHouseholdsRow] = Field(
        description="社区名单中的每个社区（按代码），及名单外有零就业家庭记录的社区代码")


HOUSEHOLD_FIGURES = ("zero_employment_families", "zero_employment_families_identified",
                     "zero_employment_families_cleared", "zero_employment_clear_days_median",
                     "zero_employment_clear_days_p90")
"""The 零就业家庭 indicators given per community, in this order (their 街镇 figures: ``/stats/indicators``)."""


def _household_figures(families: int, identified: int, cleared: int, days: list[int]) -> list[CommunityFigure]:
    # (value, families it rests on): the days to clear rest on the families cleared in the period
    values = {"zero_employment_families": (float(families), families),
              "zero_employment_families_identified": (float(identified), identified),
              "zero_employment_families_cleared": (float(cleared), cleared),
              "zero_employment_clear_days_median": (nearest_rank(days, 1, 2), len(days)),
              "zero_employment_clear_days_p90": (nearest_rank(days, 9, 10), len(days))}
    return [CommunityFigure(code=code, name=BY_CODE[code].name, unit=BY_CODE[code].unit, value=values[code][0],
                            small_cell=BY_CODE[code].small_cell(values[code][1])) for code in HOUSEHOLD_FIGURES]


@router.get("/communities/households", summary="零就业家庭（按社区）：现有户数、当期新认定与清零、清零用时")
async def community_households(
        store: StoreDep, street_code: Annotated[str | None, Query(description="街镇代码（9位）")] = None,
        start: From = None, end: To = None) -> CommunityHouseholdsTable:
    """Every community of the list (of one 街镇, if given): its 零就业家庭 at the end date, those
    identified and cleared in the period and the days clearing took (median and p90, nearest rank),
    each figure marked when it rests on fewer than 5 families."""
    street = _street(street_code)
    start, end = _period(start, end)
    found = {row[0]: row for row in await store.call(store.community_households_sync, start, end)}
    rows = []
    for code in sorted(set(_COMMUNITIES) | set(found)):
        entry = _COMMUNITIES.get(code)
        in_street = entry.street_code if entry else found[code][1]
        if street and in_street != street:
            continue
        _, _, families, identified, cleared, days = found.get(code, (code, in_street, 0, 0, 0, []))
        rows.append(CommunityHouseholdsRow(
            community_code=code, community_name=entry.name if entry else code, street_code=in_street,
            street_name=STREETS[in_street].name if in_street in STREETS else in_street,
            figures=_household_figures(families, identified, cleared, days)))
    return CommunityHouseholdsTable(start=start, end=end, street_code=street or None, communities=rows)


class CertificationRow(BaseModel):
    community_code: str
    community_name: str
    street_code: str
    level: CertificationLevel
    year: int


class LevelProgress(BaseModel):
    level: CertificationLevel
    certified: int = Field(description="当年认定的社区数")
    target: int | None = Field(description="年度目标（市级3个、国家级1个；区级无年度目标）")
    met: bool | None = Field(description="已达到年度目标")


class CertificationProgress(BaseModel):
    year: int
    levels: list[LevelProgress]
    communities: int = Field(description="社区名单中的社区数")
    certified_communities: int = Field(description="截至该年度已取得区级（及以上）认定的社区数")
    certified_share: float | None = Field(description="已认定社区占全部社区的比例（%），全部社区认定为目标")
    certifications: list[CertificationRow] = Field(description="该年度的认定")


@router.get("/communities/certifications", summary="充分就业社区认定进度（市级每年3个、国家级每年1个）")
async def certification_progress(
        store: StoreDep, year: Annotated[int | None, Query(ge=2000, le=2100, description="认定年度，默认今年")] = None,
) -> CertificationProgress:
    """The year's certifications by level against the yearly targets, and the communities certified
    (区级 or above) by the end of that year against all of the list."""
    year = year or datetime.now(SHANGHAI).year
    rows = await store.call(store.certifications_sync, year)
    in_year = [(code, street, level) for code, street, level, y in rows if y == year]
    targets = {CertificationLevel.MUNICIPAL: MUNICIPAL_PER_YEAR, CertificationLevel.NATIONAL: NATIONAL_PER_YEAR}
    levels = []
    for level in CertificationLevel:
        count = len({code for code, _, held in in_year if held == level.value})
        target = targets.get(level)
        levels.append(LevelProgress(level=level, certified=count, target=target,
                                    met=None if target is None else count >= target))
    certified = len({code for code, _, level, _ in rows if level == CertificationLevel.DISTRICT.value})
    listed = len(_COMMUNITIES)
    return CertificationProgress(
        year=year, levels=levels, communities=listed, certified_communities=certified,
        certified_share=round(100.0 * certified / listed, 1) if listed else None,
        certifications=[CertificationRow(community_code=code, street_code=street, level=CertificationLevel(level),
                                         year=year, community_name=_COMMUNITIES[code].name
                                         if code in _COMMUNITIES else code)
                        for code, street, level in in_year])


class CertificateFigures(BaseModel):
    """Counts that point at people: hidden outside the bureau when fewer than 5 hold them."""

    certificates: int | None = Field(description="期间颁发的证书数（张）")
    holders: int | None = Field(description="持证人数（同一职业、等级多张证书的人计一次）")
    small_cell: bool = Field(description="持证人不足5人")


class CertificateRow(BaseModel):
    occupation_code: str = Field(description="职业代码（职业分类大典）")
    level: int = Field(description="职业技能等级：1 一级/高级技师 … 5 五级/初级工")
    level_name: str
    figures: CertificateFigures


class CertificatesTable(BaseModel):
    start: date
    end: date
    street_code: str | None
    total: CertificateFigures = Field(description="合计（持证人跨职业、等级计一次）")
    occupations: list[CertificateRow] = Field(description="按职业代码、等级排列；期间无证书的组合不列出")


def _certificate_figures(certificates: int, holders: int) -> CertificateFigures:
    return CertificateFigures(certificates=certificates, holders=holders, small_cell=holders < SMALL_CELL_LIMIT)


@router.get("/certificates", summary="职业技能等级证书：按职业和等级统计期间颁发的证书数与持证人数")
async def certificates_by_occupation(
        store: StoreDep, start: From = None, end: To = None,
        street_code: Annotated[str | None, Query(description="街镇代码（9位）")] = None) -> CertificatesTable:
    """The 职业技能 certificates issued in the period (on their issue day), in a 街镇 if given, per
    occupation and level: certificates and distinct holders, and the totals."""
    street = _street(street_code)
    start, end = _period(start, end)
    rows, (total, holders) = await store.call(store.certificates_sync, start, end, street)
    return CertificatesTable(
        start=start, end=end, street_code=street or None, total=_certificate_figures(total, holders),
        occupations=[CertificateRow(occupation_code=code, level=level, level_name=LEVEL_NAMES.get(level, str(level)),
                                    figures=_certificate_figures(n, people)) for code, level, n, people in rows])


@router.get("/ingest", summary="事件入库情况（已入库事件数、最新事件时间、入库延迟分位数）")
async def ingest_status(
    store: StoreDep,
    since: Annotated[IsoDatetime | None, Query(description="统计入库延迟的起始事件时间（含时区）")] = None,
) -> IngestStatus:
    rows = await store.call(store.rows_sync, "SELECT topic, count(), max(event_time) FROM events FINAL GROUP BY topic")
    by_topic = {topic: count for topic, count, _ in rows}
    latest = _aware(max((at for _, _, at in rows), default=None))
    lag = None
    if since is not None:
        [(count, quantiles)] = await store.call(store.rows_sync, """
            SELECT count(), quantilesExact(0.5, 0.95, 0.99)(dateDiff('millisecond', event_time, ingested_at))
            FROM events FINAL WHERE event_time >= {since:DateTime64(3, 'UTC')}""",
            {"since": since.astimezone(UTC).replace(tzinfo=None)})
        p50, p95, p99 = (q / 1000 for q in quantiles) if count else (None, None, None)
        lag = IngestLag(since=since, events=count, p50_s=p50, p95_s=p95, p99_s=p99)
    return IngestStatus(events=sum(by_topic.values()), by_topic=by_topic, latest_event_time=latest, lag=lag)

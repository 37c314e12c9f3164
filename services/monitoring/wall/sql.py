"""Composing Grafana panel SQL from the indicator definitions (``services/monitoring/indicators/catalogue.py``).

Every figure on the wall is an indicator's own query, rendered for the ClickHouse plugin by
``Indicator.grafana_sql`` (period = the dashboard's time range, 街镇 = the ``street`` variable) and only
wrapped here: picking its ``value`` column, putting several side by side, or one per 街镇 / group /
industry / week. Those breakdowns join the indicator's grouped form (one scan for every scope:
``Indicator.render(by_street=…, by_industry=…, by_group=…, weeks=…)``) to the list of scopes, and
fall back to one subquery per scope (``UNION ALL``) for an indicator without one. Nothing here
restates how an indicator is computed.

The one rendering done here rather than by ``grafana_sql`` is ``weekly``: a trend needs the same
indicator over shifted periods, so it substitutes the template's ``$start`` / ``$end`` itself, with the
same filter values ``grafana_sql`` uses.

Two panels are lists rather than indicators and have their queries here: the open warnings (from
the ``alerts`` table) and the latest events (from the raw ``events`` log).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, TypedDict, Unpack

from schemas.reference import DISTRICT_CODE, INDUSTRY_SECTIONS, STREETS, Community
from schemas.vocab import AlertLevel, KeyGroup
from services.monitoring.indicators import community
from services.monitoring.indicators.catalogue import BY_CODE, Indicator, family_query, figures_query
from services.monitoring.indicators.targets import Entry, Targets, status_sql

if TYPE_CHECKING:
    from services.monitoring.warnings.thresholds import Floor

STREET_VALUE = "'${street}'"
"""The ``street`` dashboard variable as a SQL string literal; its "全部" option is the empty string."""
TO_DAY = "toDate($__toTime, 'Asia/Shanghai')"
_FILTERS = {"start": "toDate($__fromTime, 'Asia/Shanghai')", "end": TO_DAY, "group": "''", "industry": "''"}


def indicator(code: str) -> Indicator:
    """The definition of one indicator by its code (``KeyError`` for an unknown code)."""
    return BY_CODE[code]


def _quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


class _Filters(TypedDict, total=False):
    """The filters ``Indicator.grafana_sql`` takes as SQL expressions."""

    street: str
    group: str
    industry: str


def value_of(code: str, **filters: Unpack[_Filters]) -> str:
    """A scalar subquery: the indicator's ``value`` for the dashboard period and 街镇 variable."""
    return f"(SELECT value FROM ({indicator(code).grafana_sql(**filters)}))"


def values(columns: dict[str, str]) -> str:
    """One row, one column per indicator: ``{column alias: indicator code}``. Indicators that are
    all parts of one family are read in one scan of it (``family_query``); an indicator without
    rows there is worth its value over nothing."""
    read = [indicator(code) for code in columns.values()]
    families = {ind.part.family if ind.part else None for ind in read}
    if len(read) > 1 and None not in families and len(families) == 1:
        selected = ",\n".join(
            f"if(countIf(code = {_quote(code)}) = 0, {_empty(indicator(code))}, anyIf(value, code = {_quote(code)}))"
            f" AS {alias}" for alias, code in columns.items())
        return f"SELECT\n{selected}\nFROM ({family_query(read, values=_FILTERS | {'street': STREET_VALUE})})"
    selected = ",\n".join(f"{value_of(code)} AS {alias}" for alias, code in columns.items())
    return f"SELECT\n{selected}"


@dataclass(frozen=True)
class Read:
    """What a breakdown column reads of an indicator: its ``value``, or the ``people`` it rests on (for
    求人倍率, the active job seekers), for everybody or for one key group (``group``, a ``KeyGroup`` code)."""

    code: str
    group: str = ""
    column: Literal["value", "people"] = "value"


Column = str | Read
"""A breakdown column: an indicator code (its value) or a :class:`Read`."""


def _read(column: Column) -> Read:
    return column if isinstance(column, Read) else Read(column)


def _grouped(read: Read, alias: str, key: str, codes: str, *, street: str) -> tuple[str, str]:
    """The join and the column of one indicator for every 街镇 (``key`` = ``street_code``) or every
    industry (``industry_code``) from its grouped form: one scan, not one query per scope. A scope
    without rows is worth what the indicator gives over no rows (``Indicator.empty_value``)."""
    ind = indicator(read.code)
    group = _quote(read.group)
    grouped = ind.grafana_sql(by_street=True, group=group) if key == "street_code" else \
        ind.grafana_sql(street=street, group=group, by_industry=True)
    table = f"j_{alias}"
    join = f"LEFT JOIN (SELECT {key} AS code, {read.column} AS v FROM ({grouped})) AS {table} ON {table}.code = {codes}"
    return join, f"if({table}.code = '', {_empty(ind, read.column)}, toNullable(toFloat64({table}.v)))"


def _empty(ind: Indicator, column: str = "value") -> str:
    """The indicator's value (or ``people``) over nothing, as SQL of the value column's type: the
    people over nothing are none for an indicator that counts people, and unknown for one that does not."""
    if column == "people":
        return "toNullable(toFloat64(0))" if ind.counts_people else "CAST(NULL AS Nullable(Float64))"
    return "CAST(NULL AS Nullable(Float64))" if ind.empty_value is None else \
        f"toNullable(toFloat64({ind.empty_value}))"


def _breakdown(columns: Mapping[str, Column], key: str, codes: str, *, street: str) -> tuple[list[str], list[str]]:
    """The joins and the columns of a breakdown by 街镇 (``key`` = ``street_code``) or industry
    (``industry_code``) of ``codes``: the indicators that are parts of one family with another
    column read in one scan of it (``family_query``, grouped by scope), the others, and any read for
    one key group, from their own grouped form (:func:`_grouped`). The columns are aggregates: the
    caller groups by scope."""
    reads = {alias: _read(column) for alias, column in columns.items()}
    families: dict[str, list[str]] = {}
    for read in reads.values():
        part = indicator(read.code).part
        if part is not None and not read.group and read.code not in families.get(part.family, []):
            families.setdefault(part.family, []).append(read.code)
    shared = {code: family for family, codes_ in families.items() if len(codes_) > 1 for code in codes_}
    joins: list[str] = []
    for family in dict.fromkeys(shared.values()):
        scan = family_query([indicator(code) for code in families[family]], by_street=key == "street_code",
                            by_industry=key == "industry_code", values=_FILTERS | {"street": street})
        joins.append(f"LEFT JOIN ({scan}) AS f_{family} ON f_{family}.{key} = {codes}")
    selected: list[str] = []
    for alias, read in reads.items():
        if read.code in shared and not read.group:
            f, code = f"f_{shared[read.code]}", _quote(read.code)
            selected.append(f"if(countIf({f}.code = {code}) = 0, {_empty(indicator(read.code), read.column)}, "
                            f"toNullable(toFloat64(anyIf({f}.{read.column}, {f}.code = {code})))) AS {alias}")
        else:
            join, column = _grouped(read, alias, key, codes, street=street)
            joins.append(join)
            selected.append(f"any({column}) AS {alias}")
    return joins, selected


def _scalar(read: Read, street: str) -> str:
    """A scalar subquery: what ``read`` reads of its indicator for one 街镇 (a SQL expression)."""
    if read == Read(read.code):
        return value_of(read.code, street=street)
    sql = indicator(read.code).grafana_sql(street=street, group=_quote(read.group))
    return f"(SELECT toNullable(toFloat64({read.column})) FROM ({sql}))"


POSITION_COLUMNS = ("lon", "lat")
"""Where a map draws each 街镇 (``Street.position``: the schematic tile in degrees), after its code."""


def per_street(columns: Mapping[str, Column], *, positions: bool = False) -> str:
    """One row per 街镇 (``street`` = its name) with the given indicators; ignores the 街镇 variable,
    since the point is to show all 12 side by side. Indicators with a grouped form are read for all
    街镇 in one scan each. ``positions``: ``lon`` and ``lat`` after the code, for a map."""
    reads = {alias: _read(column) for alias, column in columns.items()}
    if not all(indicator(read.code).groups_by_street for read in reads.values()):
        parts = []
        for street in STREETS.values():
            code = _quote(street.code)
            selected = ", ".join(f"{_scalar(read, code)} AS {alias}" for alias, read in reads.items())
            place = f"{street.position[0]} AS lon, {street.position[1]} AS lat, " if positions else ""
            parts.append(f"SELECT {_quote(street.name)} AS street, {code} AS street_code, {place}{selected}")
        union = "\nUNION ALL\n".join(parts)
        return f"SELECT * FROM (\n{union}\n) ORDER BY street_code"  # UNION ALL alone keeps no order
    rows = ", ".join(f"({_quote(s.name)}, {_quote(s.code)}, {s.position[0]}, {s.position[1]})"
                     for s in STREETS.values())
    joins, columns_sql = _breakdown(reads, "street_code", "s.code", street="''")
    place = "s.lon AS lon, s.lat AS lat, " if positions else ""
    return (f"SELECT s.name AS street, s.code AS street_code, {place}{', '.join(columns_sql)}\n"
            f"FROM VALUES('name String, code String, lon Float64, lat Float64', {rows}) AS s\n" + "\n".join(joins)
            + "\nGROUP BY s.name, s.code, s.lon, s.lat ORDER BY street_code")


def per_group(code: str) -> str:
    """One row per 重点群体 (``key_group`` = its Chinese name) with the indicator's value; all groups
    in one scan when the indicator reads the aggregated state."""
    order = "[" + ", ".join(_quote(group.label) for group in KeyGroup) + "]"
    ind = indicator(code)
    if not ind.groups_by_key:
        parts = [
            f"SELECT {_quote(group.label)} AS key_group, "
            f"{value_of(code, street=STREET_VALUE, group=_quote(group.value))} AS value"
            for group in KeyGroup
        ]
        union = "\nUNION ALL\n".join(parts)
        return f"SELECT * FROM (\n{union}\n) ORDER BY indexOf({order}, key_group)"  # the vocabulary's order
    rows = ", ".join(f"({_quote(group.label)}, {_quote(group.value)})" for group in KeyGroup)
    grouped = ind.render(_FILTERS | {"street": STREET_VALUE}, by_group=True)
    return (f"SELECT g.label AS key_group, if(r.present = 0, {_empty(ind)}, r.value) AS value\n"
            f"FROM VALUES('label String, code String', {rows}) AS g\n"
            f"LEFT JOIN (SELECT key_group, value, 1 AS present FROM ({grouped})) AS r ON r.key_group = g.code\n"
            f"ORDER BY indexOf({order}, key_group)")


def per_industry(columns: Mapping[str, Column], *, shown: str = "> 0") -> str:
    """One row per GB/T 4754 门类 whose first column is ``shown`` (by default: non-zero; ``IS NOT
    NULL`` for a rate), ``industry`` = its Chinese name, largest first; each indicator read for every
    industry in one scan when it has a grouped form."""
    reads = {alias: _read(column) for alias, column in columns.items()}
    if not all(indicator(read.code).groups_by_industry for read in reads.values()):
        parts = []
        for section in INDUSTRY_SECTIONS.values():
            letter = _quote(section.code)
            selected = ", ".join(
                f"{value_of(read.code, street=STREET_VALUE, industry=letter)} AS {alias}"
                for alias, read in reads.items()
            )
            parts.append(f"SELECT {_quote(section.name)} AS industry, {selected}")
        body = "\n UNION ALL\n".join(parts)
    else:
        rows = ", ".join(f"({_quote(s.name)}, {_quote(s.code)})" for s in INDUSTRY_SECTIONS.values())
        joins, columns_sql = _breakdown(reads, "industry_code", "i.code", street=STREET_VALUE)
        body = (f"SELECT i.name AS industry, {', '.join(columns_sql)}\n"
                f"FROM VALUES('name String, code String', {rows}) AS i\n" + "\n".join(joins)
                + "\nGROUP BY i.name, i.code")
    first = next(iter(columns))
    return f"SELECT * FROM (\n{body}\n) WHERE {first} {shown} ORDER BY {first} DESC"


def weekly(columns: dict[str, str], weeks: int) -> str:
    """A time series: for each of the ``weeks`` weeks ending on the dashboard's end day, one row with
    ``time`` (the week's last day) and each indicator over that week (stocks: at its end); every
    week in one scan per indicator when the indicator reads the aggregated state."""
    if not all(indicator(code).groups_by_key for code in columns.values()):
        parts = []
        for back in range(weeks - 1, -1, -1):
            end = f"({TO_DAY} - {7 * back})"
            start = f"({end} - 6)"
            selected = ", ".join(
                f"(SELECT value FROM ({_render(indicator(code), start, end)})) AS {alias}"
                for alias, code in columns.items()
            )
            parts.append(f"SELECT toDateTime({end}, 'Asia/Shanghai') AS time, {selected}")
        return "SELECT * FROM (\n" + "\nUNION ALL\n".join(parts) + "\n) ORDER BY time"
    joins: list[str] = []
    columns_sql: list[str] = []
    for alias, code in columns.items():
        ind = indicator(code)
        grouped = ind.render(_FILTERS | {"street": STREET_VALUE}, weeks=weeks)
        joins.append(f"LEFT JOIN (SELECT week, value, 1 AS present FROM ({grouped})) AS {alias}_w "
                     f"ON {alias}_w.week = w.back")
        columns_sql.append(f"if({alias}_w.present = 0, {_empty(ind)}, {alias}_w.value) AS {alias}")
    return (f"SELECT toDateTime({TO_DAY} - 7 * w.back, 'Asia/Shanghai') AS time, {', '.join(columns_sql)}\n"
            f"FROM (SELECT arrayJoin(range({weeks})) AS back) AS w\n" + "\n".join(joins) + "\nORDER BY time")


def _render(ind: Indicator, start: str, end: str) -> str:
    """The indicator over [start, end] with the same filters ``Indicator.grafana_sql`` uses."""
    return ind.render({"start": start, "end": end, "street": STREET_VALUE, "group": "''", "industry": "''"})


PROGRESS_COLUMNS: dict[str, tuple[str, ...]] = {
    "level": ("value", "status", "target"),
    "flow": ("value", "status", "target", "expected", "period_value", "period_target"),
}
"""The columns of :func:`progress`, by the kind of the indicator's targets."""


KPI_SEPARATOR = "__"
"""Between a KPI's code and its column in :func:`kpis`' result (``new_employment__value``)."""


def kpis(codes: Sequence[str], targets: Targets) -> str:
    """One row with the columns of every KPI given, named ``<code>__<column>``: for a KPI with
    targets, its year-to-date ``value`` at the dashboard's end day and its progress against the
    target of the plan period containing that day (``targets.py``), as :data:`PROGRESS_COLUMNS`
    lists them: ``status`` (``ahead`` / ``on_track`` / ``behind``, NULL without a value or a
    period), ``target`` (a level's, or a flow's yearly figure) and, for a flow, the pro-rated
    ``expected`` value, the value since the period's start and the period's total; for a KPI
    without targets, its ``value`` over the dashboard period. Every period of the targets file is in
    the SQL, chosen by the end day. A flow's progress is the district's: with a 街镇 selected only
    its value shows.

    One query for the whole KPI strip: the figures are read per period (the dashboard's, the year
    to date, each plan period's) with ``catalogue.figures_query``, so the KPIs of one family share
    one scan of it, and the query's fixed cost (most of a KPI's at any history) is paid once."""
    filters = _FILTERS | {"street": STREET_VALUE}
    year = f"toYear({TO_DAY})"

    def by_period(entries: Sequence[Entry], figure: Callable[[Entry], str], otherwise: str = "NULL") -> str:
        branches = ", ".join(f"{year} BETWEEN {e.first_year} AND {e.last_year}, {figure(e)}" for e in entries)
        return f"multiIf({branches}, {otherwise})"

    starts: dict[str, list[str]] = {}  # the start of a period read -> the KPIs read over it

    def read(code: str, start: str) -> str:
        """The KPI's value over the period from ``start``: its figure's entry, or its value over nothing."""
        starts.setdefault(start, []).append(code)
        key = _quote(f"{list(starts).index(start)}{KPI_SEPARATOR}{code}")
        return f"if(mapContains(figures, {key}), figures[{key}], {_empty(indicator(code))})"

    figures: list[str] = []  # each KPI's figures from what is read, before its progress
    shown: list[str] = []  # the result's columns, in order
    district = f"{STREET_VALUE} = ''"
    for code in codes:
        entries, name = targets.entries(code), f"{code}{KPI_SEPARATOR}"
        if not entries:
            figures.append(f"{read(code, _FILTERS['start'])} AS {name}value")
            shown.append(f"{name}value")
            continue
        kind, direction = entries[0].kind, entries[0].direction
        target = by_period(entries, lambda e: f"toFloat64({e.value!r})")
        ytd = read(code, f"toStartOfYear({TO_DAY})")
        if kind == "level":
            figures += [f"{ytd} AS {name}value", f"{target} AS {name}target"]
            status = status_sql(kind, direction, f"{name}value", f"{name}target", targets.tolerance)
        else:
            since = read(code, by_period(entries, lambda e: f"toDate('{e.start}')", f"toStartOfYear({TO_DAY})"))
            total = by_period(entries, lambda e: f"toFloat64({e.period_target!r})")
            # expected = yearly × elapsed days / days in the year, in the order targets.expected computes it
            figures += [f"{ytd} AS {name}value", f"if({district}, {target}, NULL) AS {name}target",
                        f"{name}target * elapsed / days AS {name}expected",
                        f"if({district}, {since}, NULL) AS {name}period_value",
                        f"if({district}, {total}, NULL) AS {name}period_target"]
            status = status_sql(kind, direction, f"{name}value", f"{name}expected", targets.tolerance)
        shown += [status + f" AS {name}status" if column == "status" else f"{name}{column}"
                  for column in PROGRESS_COLUMNS[kind]]
    reads = [f"SELECT concat('{n}{KPI_SEPARATOR}', code) AS key, value FROM (\n"
             f"{figures_query([indicator(code) for code in read_codes], values=filters | {'start': start})}\n)"
             for n, (start, read_codes) in enumerate(starts.items())]
    days = f"dateDiff('day', toStartOfYear({TO_DAY}), toStartOfYear({TO_DAY}) + INTERVAL 1 YEAR)"
    # The figures as one map from "<period>__<code>": one aggregate over the rows read, where a pair of
    # countIf / anyIf per figure made the engine's work grow with their number (≈10 ms each at 1 M events).
    return (f"SELECT {', '.join(shown)}\nFROM (\n"
            f"SELECT {', '.join(figures)}\n"
            f"FROM (SELECT CAST(groupArray((key, value)), 'Map(String, Nullable(Float64))') AS figures,\n"
            f"             toDayOfYear({TO_DAY}) AS elapsed, {days} AS days\n"
            f"      FROM (\n" + "\nUNION ALL\n".join(reads) + "\n))\n)")


def per_street_rule(code: str, *, floor: Floor | None = None) -> str:
    """An alert-rule query: one row per 街镇 that has a value, with ``scope_code`` (becomes an alert
    label, as the gateway expects) and ``value``. With a ``floor`` (``alerting.Floor``), only 街镇 whose
    base over the rule's period (its relative time range) reaches the floor's minimum: a ratio over a
    handful of people or cases does not warn."""
    if indicator(code).groups_by_street and (floor is None or floor.indicator == code):
        # one scan for all 街镇 (see indicators.py); a 街镇 without rows has no value, so no row either way
        base = "0" if floor is None else floor.column
        grouped = indicator(code).grafana_sql(by_street=True)
        return _rule_query([f"SELECT street_code AS scope_code, value, {base} AS base FROM ({grouped})\n"
                            f"WHERE street_code IN ({', '.join(_quote(street) for street in STREETS)})"], floor)
    parts = [_rule_row(code, _quote(street.code), _quote(street.code), floor) for street in STREETS.values()]
    return _rule_query(parts, floor)


def per_industry_rule(code: str) -> str:
    """An alert-rule query: one row per industry (GB/T 4754 门类, ``scope_code`` its letter) that has a
    value, from the indicator's grouped form (one scan for all industries)."""
    grouped = indicator(code).grafana_sql(street="''", by_industry=True)  # the district's, not a 街镇's
    return _rule_query([f"SELECT industry_code AS scope_code, value, 0 AS base FROM ({grouped})"], None)


def district_rule(code: str, *, floor: Floor | None = None) -> str:
    """An alert-rule query for the whole district: one row with ``scope_code`` = the district's code
    and ``value``, when there is a value (and the base reaches the ``floor``)."""
    return _rule_query([_rule_row(code, _quote(DISTRICT_CODE), "''", floor)], floor)


def _rule_row(code: str, scope_code: str, street: str, floor: Floor | None) -> str:
    """The indicator's row for one scope, with ``base``: the floor's column, of the same row when the
    floor is on the indicator itself, else of the floor's indicator in the same scope."""
    if floor is None:
        base = "0"
    elif floor.indicator == code:
        base = floor.column
    else:
        base = f"(SELECT {floor.column} FROM ({indicator(floor.indicator).grafana_sql(street=street)}))"
    measured = indicator(code).grafana_sql(street=street)
    return f"SELECT {scope_code} AS scope_code, value, {base} AS base FROM ({measured})"


def _rule_query(parts: list[str], floor: Floor | None) -> str:
    where = "value IS NOT NULL" + (f" AND base >= {floor.minimum}" if floor is not None else "")
    union = "\nUNION ALL\n".join(parts)
    return f"SELECT scope_code, value FROM (\n{union}\n) WHERE {where} ORDER BY scope_code"


def street_options() -> str:
    """The 街镇 variable's query: (code, name) rows, "全部" (empty code) first, from the reference data."""
    rows = ", ".join(f"({_quote(s.code)}, {_quote(s.name)})" for s in STREETS.values())
    return (
        "SELECT code, name FROM (SELECT '' AS code, '全部' AS name UNION ALL "
        f"SELECT code, name FROM VALUES('code String, name String', {rows})) ORDER BY code"
    )


# --- Lists (not indicators): the open warnings, the latest events, the 红娘 stations -----------------

_LATEST = "(event_time, event_id)"
_SEVERITY = "multiIf(" + ", ".join(f"level = {_quote(level.value)}, {level.severity}" for level in AlertLevel) + ", 0)"

OPEN_WARNINGS = f"""
SELECT updated_at, level, signal, scope, value, threshold, `window`
FROM (
    SELECT alert_id,
           max(event_time) AS updated_at,
           argMax(status, {_LATEST}) AS status,
           argMax(level, {_LATEST}) AS level,
           argMax(signal, {_LATEST}) AS signal,
           argMax(scope_kind, {_LATEST}) AS scope_kind,
           argMax(scope_code, {_LATEST}) AS scope,
           argMax(value, {_LATEST}) AS value,
           argMax(threshold, {_LATEST}) AS threshold,
           argMax(`window`, {_LATEST}) AS `window`
    FROM alerts FINAL
    GROUP BY alert_id
    HAVING status = 'open' AND ({STREET_VALUE} = '' OR scope_kind != 'street' OR scope = {STREET_VALUE})
)
ORDER BY {_SEVERITY} DESC, updated_at DESC
LIMIT 50
"""
"""Warnings whose latest event is not a resolution (the alerts table holds every state change).
With a 街镇 selected, that 街镇's warnings plus the district- and industry-wide ones."""


def latest_events(limit: int, days: int) -> str:
    """The newest events of the dashboard's time range, from the last ``days`` days before the
    newest one: time, type and 街镇 only (no subject: it can be a person reference). The bound lets the
    engine read the newest granules of the time-ordered projection only (the newest event is itself
    one granule away); without it the de-duplication (``LIMIT 1 BY``: a redelivered event is one
    line) kept it from stopping early, and it read the whole range."""
    scope = f"$__timeFilter(event_time) AND topic != 'leye.deadletter' " \
            f"AND ({STREET_VALUE} = '' OR street_code = {STREET_VALUE})"
    return f"""
SELECT event_time AS time, type, street_code
FROM events
WHERE {scope}
  AND event_time >= (SELECT event_time FROM events WHERE {scope} ORDER BY event_time DESC LIMIT 1) - INTERVAL {days} DAY
ORDER BY event_time DESC, event_id DESC
LIMIT 1 BY event_id
LIMIT {limit}
"""


# 直播带岗 live (``livestream_facts``, migration 0016). The panels show the latest session with live records
# up to the dashboard's end: the one in progress, or the last one (its hires keep arriving after it).
# They read the facts of the last ``days`` days only (the table is sorted by day), never the history.

def _latest_live_session(days: int) -> tuple[str, str]:
    """The live facts' scope (the last ``days`` days up to the end, the 街镇 variable) and the latest
    session in it."""
    scope = f"day BETWEEN {TO_DAY} - {days} AND {TO_DAY} AND at <= $__toTime " \
            f"AND ({STREET_VALUE} = '' OR street_code = {STREET_VALUE})"
    return scope, f"(SELECT argMax(session_id, (at, event_id)) FROM livestream_facts WHERE {scope})"


def live_viewers(days: int) -> str:
    """The viewer samples of the latest 直播带岗 session with live records: (time, viewers)."""
    scope, session = _latest_live_session(days)
    return f"""
SELECT at AS time, any(viewers) AS viewers
FROM livestream_facts
WHERE {scope} AND kind = 'sample' AND session_id = {session}
GROUP BY at
ORDER BY at
"""


def live_vacancies(days: int) -> str:
    """Per vacancy of the latest 直播带岗 session with live records: its title (``vacancy_titles``,
    migration 0017; the tail of its id if no posting of it was seen), its applications and the hires
    decided on them so far (distinct events: a redelivered one counts once)."""
    scope, session = _latest_live_session(days)
    shown = f"SELECT vacancy_id FROM livestream_facts WHERE {scope} AND session_id = {session}"
    return f"""
SELECT if(any(t.title) = '', concat('岗位…', right(l.vacancy_id, 6)), any(t.title)) AS vacancy,
       any(l.applications) AS applications, any(l.hires) AS hires
FROM (
    SELECT vacancy_id, uniqExactIf(event_id, kind = 'application') AS applications,
           uniqExactIf(event_id, kind = 'decided' AND hired = 1) AS hires
    FROM livestream_facts
    WHERE {scope} AND kind IN ('application', 'decided') AND session_id = {session}
    GROUP BY vacancy_id
) AS l
LEFT JOIN (
    SELECT vacancy_id, argMax(title, (event_time, event_id)) AS title FROM vacancy_titles
    WHERE vacancy_id IN ({shown}) GROUP BY vacancy_id
) AS t ON t.vacancy_id = l.vacancy_id
GROUP BY l.vacancy_id
ORDER BY applications DESC, l.vacancy_id
"""


# The 红娘 stations as monitoring sees them. Stations belong to the matching service; no event announces
# one, but every case event names its station, so monitoring knows the stations that have had a case
# dispatched, and what became of their cases (``station_daily_sum``).

def street_map(columns: Mapping[str, Column], *, stations: bool = False) -> str:
    """A map's rows: :func:`per_street` with the positions; with ``stations``, a last column
    ``stations``: the 红娘 stations of each 街镇 that have had a case dispatched up to the dashboard's
    end day."""
    sql = per_street(columns, positions=True)
    if not stations:
        return sql
    return (f"SELECT m.*, toFloat64(ifNull(st.n, 0)) AS stations FROM (\n{sql}\n) AS m\n"
            f"LEFT JOIN (SELECT street_code, count() AS n FROM (SELECT street_code, station_code "
            f"FROM station_daily_sum WHERE day <= {TO_DAY} GROUP BY street_code, station_code "
            f"HAVING sum(cases) > 0) GROUP BY street_code) AS st ON st.street_code = m.street_code\n"
            f"ORDER BY m.street_code")


STAR_SLA_WEIGHT, STAR_PLACEMENT_WEIGHT, STAR_PLACEMENT_TARGET = 0.6, 0.4, 0.3
"""The matching service's 星级 formula (``services/matching/domain.py``, ``rate``): stars = 1 +
round(4 × (0.6 × SLA compliance + 0.4 × min(placement rate / 0.3, 1))); a test holds the two equal."""


def station_ranking(limit: int) -> str:
    """The 红娘 stations ranked by their 星级 over the cases dispatched in the dashboard's period (and
    the 街镇 variable): per station its 街镇, cases, deadlines met of those due, closed cases, placed
    cases and stars, as the matching service rates a 红娘 (one station, one 红娘), from the case events
    monitoring holds, summed per dispatch day in ``station_daily_sum`` (``state.station_day_sums``:
    a case counts in its first dispatch's day, 街镇 and station). A deadline is due once it was met
    or missed: met by a contact (the same day) or referral (within 3 days) on time, missed by a late
    one or a breach; one passed unnoticed, with no breach event yet, is not counted until its breach
    arrives. A placement is a referral outcome of 已录用 (a hire recorded only by an employment
    registration naming the case is not seen here)."""
    sla = "if(due = 0, 0, met / due)"
    placement = f"if(n_closed = 0, 0, least(n_placed / n_closed / {STAR_PLACEMENT_TARGET}, 1))"
    stars = (f"if(due = 0 AND n_closed = 0, NULL, toNullable(toFloat64(1 + round(4 * ({STAR_SLA_WEIGHT} * {sla} + "
             f"{STAR_PLACEMENT_WEIGHT} * {placement})))))")
    return f"""
SELECT station_code, street AS street_code, {stars} AS stars, toFloat64(n) AS cases,
       toFloat64(met) AS deadlines_met, toFloat64(due) AS deadlines_due,
       toFloat64(n_closed) AS cases_closed, toFloat64(n_placed) AS cases_placed
FROM (
    SELECT station_code, argMax(street_code, cases) AS street, sum(cases) AS n,
           sum(contact_met + referral_met) AS met, sum(contact_due + referral_due) AS due,
           sum(closed) AS n_closed, sum(placed) AS n_placed
    FROM station_daily_sum
    WHERE day BETWEEN {_FILTERS["start"]} AND {TO_DAY} AND ({STREET_VALUE} = '' OR street_code = {STREET_VALUE})
    GROUP BY station_code
    HAVING n > 0
)
ORDER BY stars DESC NULLS LAST, deadlines_met / greatest(deadlines_due, 1) DESC, cases DESC, station_code
LIMIT {limit}
"""


# 充分就业社区 (``indicators/community.py``, migrations 0014 and 0015): the figures ``/stats/communities``
# and ``/stats/communities/certifications`` give, for the dashboard's end day. Community names are the
# reference list's, as the API's are (public reference data: no person is named).

def _community_rates(communities: Mapping[str, Community]) -> str:
    """Per community of the list (and any other with people), in the 街镇 variable, at the end day:
    name, code, 街镇, the able and willing, the employed, and the rate in % with one decimal (NULL
    without anybody) — the rows of ``/stats/communities``. ``community.communities_query`` is the
    API's own query, for the end day; like the API, a community keeps the 街镇 of the list."""
    found = community.communities_query().replace("{end:Date}", TO_DAY)
    listed = ", ".join(f"({_quote(c.code)}, {_quote(c.name)}, {_quote(c.street_code)})" for c in communities.values())
    return f"""
SELECT if(l.code = '', f.found_code, l.name) AS community, if(l.code = '', f.found_code, l.code) AS code,
       if(l.code = '', f.found_street, l.street) AS street_code, f.found_able AS able, f.found_employed AS employed,
       if(able > 0, toNullable(round(100 * employed / able, 1)), NULL) AS rate
FROM VALUES('code String, name String, street String', {listed}) AS l
FULL OUTER JOIN (
    -- the API keeps a community's last row (by 街镇) when its people's events gave it two
    SELECT community_code AS found_code, max(street_code) AS found_street, argMax(able, street_code) AS found_able,
           argMax(employed, street_code) AS found_employed
    FROM ({found}) GROUP BY community_code
) AS f ON f.found_code = l.code
WHERE {STREET_VALUE} = '' OR street_code = {STREET_VALUE}"""


def community_standard(communities: Mapping[str, Community]) -> str:
    """One row: the communities whose 就业率 is below the 90 % standard (``below_standard``, as the
    API's flag: the rate rounded to one decimal) and those with a rate (``measured``)."""
    return (f"SELECT toFloat64(countIf(rate < {community.STANDARD_PERCENT})) AS below_standard,\n"
            f"       toFloat64(countIf(rate IS NOT NULL)) AS measured\n"
            f"FROM ({_community_rates(communities)})")


def lowest_communities(communities: Mapping[str, Community], limit: int) -> str:
    """The ``limit`` communities with the lowest 就业率 (ties by code): name and rate."""
    return (f"SELECT community, rate FROM ({_community_rates(communities)})\n"
            f"WHERE rate IS NOT NULL ORDER BY rate, code LIMIT {limit}")


def certifications() -> str:
    """One row: the communities certified 市级 and 国家级 in the end day's year, the yearly targets,
    and ``status``: ``met`` once both are reached, else ``open`` — the figures of
    ``/stats/communities/certifications`` (the district's: certifications have no 街镇 filter there)."""
    year = f"toYear({TO_DAY})"
    return f"""
SELECT toFloat64(uniqExactIf(community_code, level = 'municipal')) AS municipal,
       toFloat64(uniqExactIf(community_code, level = 'national')) AS national,
       toFloat64({community.MUNICIPAL_PER_YEAR}) AS municipal_target,
       toFloat64({community.NATIONAL_PER_YEAR}) AS national_target,
       if(municipal >= municipal_target AND national >= national_target, 'met', 'open') AS status
FROM certification_facts FINAL
WHERE year = {year}"""

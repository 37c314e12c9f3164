"""Composing Grafana panel SQL from the indicator definitions (``services/monitoring/indicators/catalogue.py``).

Every figure on the wall is an indicator's own query, rendered for the ClickHouse plugin by
``Indicator.grafana_sql`` (period = the dashboard's time range, 街镇 = the ``street`` variable) and only
wrapped here: picking its ``value`` column, putting several side by side, or one per 街镇 / group /
industry / week with ``UNION ALL``. Nothing here restates how an indicator is computed.

The one rendering done here rather than by ``grafana_sql`` is ``weekly``: a trend needs the same
indicator over shifted periods, so it substitutes the template's ``$start`` / ``$end`` itself, with the
same filter values ``grafana_sql`` uses.

Two panels are lists rather than indicators and have their queries here: the open warnings (from
the ``alerts`` table) and the latest events (from the raw ``events`` log).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict, Unpack

from schemas.reference import DISTRICT_CODE, INDUSTRY_SECTIONS, STREETS
from schemas.vocab import AlertLevel, KeyGroup
from services.monitoring.indicators.catalogue import BY_CODE, Indicator

if TYPE_CHECKING:
    from services.monitoring.warnings.thresholds import Floor

STREET_VALUE = "'${street}'"
"""The ``street`` dashboard variable as a SQL string literal; its "全部" option is the empty string."""
TO_DAY = "toDate($__toTime, 'Asia/Shanghai')"


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
    """One row, one column per indicator: ``{column alias: indicator code}``."""
    selected = ",\n".join(f"{value_of(code)} AS {alias}" for alias, code in columns.items())
    return f"SELECT\n{selected}"


def per_street(columns: dict[str, str]) -> str:
    """One row per 街镇 (``street`` = its name) with the given indicators; ignores the 街镇 variable,
    since the point is to show all 12 side by side."""
    parts = []
    for street in STREETS.values():
        code = _quote(street.code)
        selected = ", ".join(f"{value_of(ind, street=code)} AS {alias}" for alias, ind in columns.items())
        parts.append(f"SELECT {_quote(street.name)} AS street, {_quote(street.code)} AS street_code, {selected}")
    union = "\nUNION ALL\n".join(parts)
    return f"SELECT * FROM (\n{union}\n) ORDER BY street_code"  # UNION ALL alone keeps no order


def per_group(code: str) -> str:
    """One row per 重点群体 (``key_group`` = its Chinese name) with the indicator's value."""
    parts = [
        f"SELECT {_quote(group.label)} AS key_group, {value_of(code, street=STREET_VALUE, group=_quote(group.value))}"
        " AS value"
        for group in KeyGroup
    ]
    order = "[" + ", ".join(_quote(group.label) for group in KeyGroup) + "]"
    union = "\nUNION ALL\n".join(parts)
    return f"SELECT * FROM (\n{union}\n) ORDER BY indexOf({order}, key_group)"  # the vocabulary's order


def per_industry(columns: dict[str, str]) -> str:
    """One row per GB/T 4754 门类 with any non-zero value (``industry`` = its Chinese name), largest first."""
    parts = []
    for section in INDUSTRY_SECTIONS.values():
        letter = _quote(section.code)
        selected = ", ".join(
            f"{value_of(ind, street=STREET_VALUE, industry=letter)} AS {alias}" for alias, ind in columns.items()
        )
        parts.append(f"SELECT {_quote(section.name)} AS industry, {selected}")
    first = next(iter(columns))
    union = "\nUNION ALL\n".join(parts)
    return f"SELECT * FROM (\n{union}\n) WHERE {first} > 0 ORDER BY {first} DESC"


def weekly(columns: dict[str, str], weeks: int) -> str:
    """A time series: for each of the ``weeks`` weeks ending on the dashboard's end day, one row with
    ``time`` (the week's last day) and each indicator over that week (stocks: at its end)."""
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


def _render(ind: Indicator, start: str, end: str) -> str:
    """The indicator over [start, end] with the same filters ``Indicator.grafana_sql`` uses."""
    return ind.render({"start": start, "end": end, "street": STREET_VALUE, "group": "''", "industry": "''"})


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


# --- Lists (not indicators): the open warnings and the latest events ------------------------------

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


def latest_events(limit: int) -> str:
    """The newest events in the dashboard's time range: time, type and 街镇 only (no subject: it can
    be a person reference)."""
    return f"""
SELECT event_time AS time, type, street_code
FROM events
WHERE $__timeFilter(event_time) AND topic != 'leye.deadletter'
  AND ({STREET_VALUE} = '' OR street_code = {STREET_VALUE})
ORDER BY event_time DESC, event_id DESC
LIMIT 1 BY event_id
LIMIT {limit}
"""

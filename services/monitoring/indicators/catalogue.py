"""The indicators of the wall (DOMAIN.md §6): one definition each, used by the statistics API, the
Grafana panels and the alert rules alike.

Each :class:`Indicator` holds one ClickHouse query template over the tables of ``migrations/``.
Placeholders (``string.Template`` syntax, so ClickHouse's own ``{name:Type}`` braces stay free):

- ``$start`` / ``$end``: first and last day of the period (``Date``, Asia/Shanghai, both included).
  Flow indicators count events whose ``day`` lies in the period; stock indicators (登记失业人员,
  求人倍率, 岗位流失率 …) take each aggregate's latest state up to and including ``$end``.
- ``$street``, ``$group``, ``$industry``: a 街镇 code, a ``KeyGroup`` code, a GB/T 4754 section
  letter; the empty string means "all". Only the placeholders in ``dimensions`` appear in a template.

Every query returns exactly one row with two columns: ``value`` (``Nullable(Float64)``; NULL when a
rate has an empty denominator or nothing was reported) and ``people`` (``Nullable(UInt64)``): the
smallest count of people the value rests on, from which :meth:`Indicator.small_cell` decides whether
the figure may be suppressed outside the human-resources bureau (DOMAIN.md §6: counts below 5).

Render with :meth:`Indicator.query` (server-side parameters: the API and tests) or
:meth:`Indicator.grafana_sql` (Grafana ClickHouse-plugin macros and dashboard variables).

Where figures come from: the stocks and flows read the pre-aggregated state of ``state.py``
(``migrations/0004_aggregated_state.py``; how it works: docs/MONITORING.md), so they cost what their
period costs, not the whole history; the 红娘 shares count the cases of their period in
``case_state``; the cohort rates, the mass layoffs, 岗位流失率 and the survey rate read the facts of
their period.

All 12 街镇 at once: a template may carry ``$by_street`` (before the outer select list) and
``$group_by_street`` (at the end of the outer query) around an inner query whose rows have a
``street`` column. Rendered empty they change nothing; :meth:`Indicator.query_by_street` renders them
as ``street AS street_code,`` and ``GROUP BY street`` with no 街镇 filter, giving one row per 街镇 from
a single scan — the same template, so the same definition. A test checks every such indicator
against its per-街镇 query. The same slots give every industry (``render(by_industry=True)``) and,
for the indicators on the aggregated state, every key group and every week of a trend
(``render(by_group=True)``, ``render(weeks=N)``; ``$key``, ``$key_join`` and ``$daily_from`` in
``state.summed``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from string import Template
from typing import Literal

from .state import EPOCH, GRANTED_PEOPLE, NO_KEY, summed

SMALL_CELL_LIMIT = 5
Dimension = Literal["street", "group", "industry"]

# Filter fragments: a column compared with a placeholder, or everything when the placeholder is ''.
_STREET = "($street = '' OR {col} = $street)"
_GROUP = "($group = '' OR has({col}, $group))"
_INDUSTRY = "($industry = '' OR {col} = $industry)"


def _street(col: str = "street_code") -> str:
    return _STREET.format(col=col)


def _group(col: str = "key_groups") -> str:
    return _GROUP.format(col=col)


def _industry(col: str = "industry_section") -> str:
    return _INDUSTRY.format(col=col)


Family = Literal["stock", "flow", "cases", "layoffs", "people", "grantees"]

# The columns of each family's rows: what its indicators' ``Part.where``, ``value`` and ``people`` may use.
_FAMILY_COLUMNS: dict[Family, str] = {
    "stock": "street_code AS street, industry_section AS industry, measure, key_groups, industry_section, value AS v",
    "flow": "street_code AS street, industry_section AS industry, measure, detail, key_groups, industry_section, "
            "n, a, b",
    "cases": "street_code AS street, flag, cases",
    "layoffs": "street_code AS street, industry_section AS industry, industry_section, planned_cuts, notice_compliant",
    # the sets renamed: the indicators' ``people`` alias would shadow the column
    "grantees": "street_code AS street, kind, people AS grantees",
}


def family_rows(family: Family, where: str) -> str:
    """The rows of one family that ``where`` selects, for the period and 街镇: stocks at the end of
    ``$end`` (every delta up to it), flows over the days of the period, the sets of 红娘 cases
    dispatched in it (see ``state.py``), the mass layoffs reported in it (``mass_layoffs``: copied
    from the facts as they are written, so always as fresh as the facts; a mass layoff warns within
    a second of its ingestion)."""
    columns, scoped = _FAMILY_COLUMNS[family], f"{_street()} AND ({where})"
    if family == "stock":
        return summed("stock", columns, scoped, EPOCH, "$end")
    if family == "flow":
        return summed("flow", columns, scoped, "$start", "$end")
    if family == "grantees":  # the sets of people granted a programme, over the days of the period
        return summed("people", columns, f"startsWith(kind, '{GRANTED_PEOPLE}') AND {scoped}", "$start", "$end")
    table = "case_sets" if family == "cases" else "mass_layoffs FINAL"
    return f"""(
        SELECT {columns} FROM {table} WHERE {scoped} AND day BETWEEN $start AND $end
    )"""


@dataclass(frozen=True)
class Part:
    """An indicator read from a family's rows: which rows are its own (``where``), and its ``value``
    and ``people`` as aggregates over them (``people`` ``None``: the figure does not count people).

    The indicator's query is :meth:`sql`; :func:`family_query` reads every indicator of a family in
    one scan, each from the same ``where``, ``value`` and ``people`` — the one definition."""

    family: Family
    where: str
    value: str
    people: str | None = None

    def sql(self) -> str:
        return f"""
    SELECT $by_street {self.value} AS value, {self.people or _NULL_PEOPLE} AS people
    FROM {family_rows(self.family, self.where)} $group_by_street
    """


_NULL_PEOPLE = "CAST(NULL AS Nullable(UInt64))"


@dataclass(frozen=True)
class Cohort:
    """A cohort rate read from the sets of people (``people_daily``): the share of the people with a
    ``cohort_kinds`` fact in the period (filtered by ``where``, 街镇 and group) who also have a
    ``found_kinds`` fact in it, anywhere in the district. Its query is :meth:`sql`;
    :func:`family_query` reads several cohort rates from one read of the sets."""

    cohort_kinds: str
    where: str
    found_kinds: str
    family: Family = "people"

    def sql(self) -> str:
        return _cohort_share(self.cohort_kinds, self.where, self.found_kinds)


@dataclass(frozen=True)
class Indicator:
    """One indicator. Its targets, per plan period, are data: ``targets.yaml`` (``targets.py``). An
    indicator is either a ``part`` of a family (its ``sql`` is the part's) or has a query of its own
    (``sql``)."""

    code: str
    name: str
    unit: str
    counts_people: bool
    dimensions: frozenset[Dimension]
    sql: str = ""
    description: str = ""
    part: Part | Cohort | None = None

    def __post_init__(self) -> None:
        if (self.part is None) == (not self.sql):
            raise ValueError(f"{self.code}: give either sql or part")
        if self.part is not None:
            object.__setattr__(self, "sql", self.part.sql())

    def render(self, values: dict[str, str], *, by_street: bool = False, by_industry: bool = False,
               by_group: bool = False, weeks: int = 0) -> str:
        """The template with its placeholders (``start``, ``end``, ``street``, ``group``, ``industry``)
        replaced by SQL expressions; ``by_street`` as in :meth:`query_by_street`, ``by_industry`` the
        same per GB/T 4754 section (rows of ``(industry_code, value, people)``; see :attr:`groups_by_industry`).
        ``by_group``: rows of ``(key_group, value, people)``, one per key group (the group filter is
        off); ``weeks``: rows of ``(week, value, people)`` for that many weeks ending on ``end``, week
        0 the last (a flow over each week, a stock at each week's end). Both need :attr:`groups_by_key`."""
        keyed = NO_KEY
        if by_street:
            grouping = {"by_street": "street AS street_code,", "group_by_street": "GROUP BY street",
                        "street_key": "street_code"}
        elif by_industry:
            grouping = {"by_street": "industry AS industry_code,", "group_by_street": "GROUP BY industry",
                        "street_key": "''"}
        elif by_group or weeks:
            if not self.groups_by_key:
                raise ValueError(f"{self.code} has no breakdown by week or key group")
            name = "key_group" if by_group else "week"
            grouping = {"by_street": f"key AS {name},", "group_by_street": "GROUP BY key", "street_key": "''"}
            end = values["end"]
            if by_group:
                values = values | {"group": "''"}
                keyed = NO_KEY | {"key": "grp", "key_join": "ARRAY JOIN arrayDistinct(key_groups) AS grp"}
            else:
                first = f"({end} - {7 * weeks - 1})"
                values = values | {"start": first}
                # a stock (read from the epoch) counts a row in every week ending on or after its day;
                # a flow in the week its day falls in
                counted = (f"day <= {end} - 7 * k" if "stock_monthly_sum" in self.sql else
                           f"day BETWEEN {end} - 7 * k - 6 AND {end} - 7 * k")
                keyed = {"key": "week_back", "key_join": f"ARRAY JOIN arrayFilter(k -> {counted}, range({weeks}))"
                         " AS week_back", "daily_from": f"toStartOfMonth({end} - {7 * (weeks - 1)})"}
        else:
            grouping = {"by_street": "", "group_by_street": "", "street_key": "''"}
        sql = Template(self.sql).substitute(values | grouping | keyed)
        return "\n".join(line.rstrip() for line in sql.splitlines())  # no trailing blanks from empty placeholders

    @property
    def empty_value(self) -> float | None:
        """The value over nothing (a scope without rows): NULL for a rate, a ratio or days taken (a
        median of nothing), 0 for a count or a sum (``test_state`` checks it against every query). The
        grouped breakdowns give it to the scopes their scan found no row for."""
        return None if self.unit in ("%", "倍", "天") else 0.0

    @property
    def groups_by_key(self) -> bool:
        """Whether the indicator reads the aggregated state and so has breakdowns by week and by key
        group in one scan (``render(weeks=…)``, ``render(by_group=True)``)."""
        return "$key_join" in self.sql and "$group_by_street" in self.sql

    @property
    def groups_by_industry(self) -> bool:
        """Whether :meth:`grafana_sql` ``(by_industry=True)`` gives every industry in one scan: the
        grouped form of an indicator with an industry dimension (its rows carry ``industry``)."""
        return self.groups_by_street and "industry" in self.dimensions

    @property
    def groups_by_street(self) -> bool:
        """Whether :meth:`query_by_street` computes all 街镇 in one scan (see the module docstring)."""
        return "$group_by_street" in self.sql

    def query(self, start: date, end: date, *, street: str = "", group: str = "",
              industry: str = "") -> tuple[str, dict[str, object]]:
        """SQL with ClickHouse server-side parameters, and the parameters. Filters outside
        ``dimensions`` are ignored (see :meth:`applies`)."""
        sql = self.render(_PARAMETERS)
        return sql, {"start": start, "end": end, "street": street, "group": group, "industry": industry}

    def query_by_street(self, start: date, end: date, *, group: str = "",
                        industry: str = "") -> tuple[str, dict[str, object]]:
        """Like :meth:`query` for every 街镇 at once: rows of ``(street_code, value, people)``, one per
        街镇 with any rows (a 街镇 without is worth what :meth:`query` gives for it). Only for
        indicators that :attr:`groups_by_street`."""
        if not self.groups_by_street:
            raise ValueError(f"{self.code} has no by-street form")
        sql = self.render(_PARAMETERS, by_street=True)
        return sql, {"start": start, "end": end, "street": "", "group": group, "industry": industry}

    def grafana_sql(self, *, street: str = "'${street}'", group: str = "''", industry: str = "''",
                    by_street: bool = False, by_industry: bool = False) -> str:
        """SQL for the Grafana ClickHouse plugin: the period is the dashboard's time range
        (``$__fromTime`` / ``$__toTime`` as Asia/Shanghai days); filters are SQL expressions,
        by default the ``street`` dashboard variable (whose "all" value must be the empty string).
        ``by_street``: every 街镇 in one scan, as :meth:`query_by_street` (the street filter is off);
        ``by_industry``: every industry in one scan (the industry filter is off)."""
        return self.render({
            "start": "toDate($__fromTime, 'Asia/Shanghai')", "end": "toDate($__toTime, 'Asia/Shanghai')",
            "street": "''" if by_street else street, "group": group, "industry": "''" if by_industry else industry,
        }, by_street=by_street, by_industry=by_industry)

    def applies(self, *, street: str = "", group: str = "", industry: str = "") -> bool:
        """Whether every non-empty filter is one of this indicator's dimensions."""
        wanted = {"street": street, "group": group, "industry": industry}
        return all(not value or name in self.dimensions for name, value in wanted.items())

    def small_cell(self, people: int | None) -> bool:
        """True when the figure rests on fewer than 5 people (suppressible outside the bureau)."""
        return self.counts_people and people is not None and people < SMALL_CELL_LIMIT


_PARAMETERS = {"start": "{start:Date}", "end": "{end:Date}", "street": "{street:String}",
               "group": "{group:String}", "industry": "{industry:String}"}

# --- shared fragments ------------------------------------------------------------------------------


def _people(kinds: str, where: str = "1") -> str:
    """Rows ``(street, people)`` of the sets of people (``state.py``) with facts of ``kinds`` in
    ``[$start, $end]``, filtered by ``where``: merged, the people of the period."""
    return summed("people", "street_code AS street, people", f"kind IN ({kinds}) AND {where}", "$start", "$end",
                  keyed=False)


def _cohort_share(cohort_kinds: str, cohort_where: str, found_kinds: str) -> str:
    """Share of a cohort (people with a ``cohort_kinds`` fact in the period, filtered by
    ``cohort_where``, 街镇 and group) who also have a ``found_kinds`` fact in it, anywhere in the
    district: the intersection of the two sets. By 街镇, a person counts in each 街镇 they registered
    in (as one query per 街镇 counts them)."""
    found = f"(SELECT groupBitmapMergeState(people) FROM {_people(found_kinds)})"
    return f"""
    SELECT * EXCEPT (cohort, found, total, both), if(total = 0, NULL, 100 * both / total) AS value,
           toNullable(both) AS people
    FROM (
        SELECT *, {found} AS found, bitmapCardinality(cohort) AS total, bitmapAndCardinality(cohort, found) AS both
        FROM (
            SELECT $by_street groupBitmapMergeState(people) AS cohort
            FROM {_people(cohort_kinds, f"{cohort_where} AND {_street()} AND {_group()}")}
            $group_by_street
        )
    )
    """


def _employment_rate(cohort_where: str = "1") -> Cohort:
    """Share of the people registered unemployed in the period (filtered by ``cohort_where``) who
    registered employment in it."""
    return Cohort("'unemployment'", cohort_where, "'employment'")


# 离校未就业 graduates: a job-seeker or unemployment registration naming the group.
_GRADUATE_KINDS = "'jobseeker', 'unemployment'"
_GRADUATE = "has(key_groups, 'graduate_unemployed')"

# People who received a service in the period: a follow-up recorded for them, or a 红娘 referral
# naming them (either direction) or contact on a case dispatched for them (``served``: contacts name
# no person, the case's dispatch does). Dispatching alone is not a service.
_SERVED_KINDS = "'followup', 'served'"


def _case_share(flag: str) -> Part:
    """Share of 红娘 cases dispatched in the period that were ever ``flag`` (contacted on time,
    referred on time, breached a deadline), each case once per period (``case_sets``)."""
    total = "groupBitmapMergeIf(cases, flag = 'dispatched')"
    return Part("cases", f"flag IN ('dispatched', '{flag}')",
                f"if({total} = 0, NULL, 100 * groupBitmapMergeIf(cases, flag = '{flag}') / {total})")


# --- figures from the pre-aggregated state (indicators/state.py) ----------------------------------

def _stock(measures: str, value: str, people: str | None, where: str = "1") -> Part:
    """A figure over the stocks ``measures`` at the end of ``$end`` (all deltas up to that day),
    filtered by 街镇, key group and industry as the state at that day."""
    return Part("stock", f"measure IN ({measures}) AND {where}", value, people)


def _flow(measure: str, value: str, people: str | None, where: str = "1") -> Part:
    """A figure over one flow's sums over the days of ``[$start, $end]``."""
    return Part("flow", f"measure = '{measure}' AND {where}", f"toNullable(toFloat64({value}))",
                None if people is None else f"toNullable(toUInt64({people}))")


def _grantees(programme_code: str) -> Part:
    """The distinct people granted ``programme_code`` in the period: the union of the days' sets."""
    merged = "groupBitmapMerge(grantees)"
    return Part("grantees", f"kind = '{GRANTED_PEOPLE}{programme_code}'", f"toNullable(toFloat64({merged}))",
                f"toNullable(toUInt64({merged}))")


def _mass_layoffs(value: str, people: str | None) -> Part:
    """A figure over the mass layoffs reported in the period."""
    return Part("layoffs", _industry(), f"toNullable(toFloat64({value}))",
                None if people is None else f"toNullable(toUInt64({people}))")


def _clear_days(rank: str, measure: str = "household_clear_days") -> Part:
    """The days to clear of the 零就业家庭 cleared in the period at a nearest rank: the smallest number of
    days ``d`` such that at least ``rank`` of them (``rank`` an expression of their count ``total``)
    cleared within ``d`` days. Read from the histogram of the flows (``household_clear_days``, the
    families per day of clearing and days taken), so no family's facts are read; NULL when none cleared.
    ``measure``: another such histogram (``policy_benefit_days``: grants by days from eligibility to
    their first payment)."""
    histogram = "sumMap([toUInt32OrZero(toString(detail))], [n])"
    total = "sum(n)"
    return Part("flow", f"measure = '{measure}'",
                f"if({total} <= 0, NULL, toFloat64(arrayElement(({histogram}).1, arrayFirstIndex(c -> c >= "
                f"{rank.replace('total', total)}, arrayCumSum(({histogram}).2)))))",
                f"toNullable(toUInt64(greatest({total}, 0)))")


_NO_PEOPLE = f"{_NULL_PEOPLE} AS people"


def _enterprise_items(opened: str, closed: str, value: str, where: str = "1") -> str:
    """A figure over the issues or shortages (``opened`` / ``closed`` kinds of ``enterprise_facts``) as
    they stand at the end of ``$end``: each item, by its ``item_id``, is open when it was opened by
    then and no closing of it is dated by then (a closing is never before its opening). The facts are
    read directly: a few items per key enterprise, and being overdue moves with the calendar."""
    return f"""
    SELECT $by_street toNullable(toFloat64({value})) AS value, {_NO_PEOPLE}
    FROM (
        SELECT item_id, argMax(street_code, (event_time, event_id)) AS street, any(employer_ref) AS employer,
               max(headcount) AS headcount, max(due_on) AS due
        FROM enterprise_facts FINAL
        WHERE kind IN ('{opened}', '{closed}') AND day <= $end
        GROUP BY item_id
        HAVING countIf(kind = '{closed}') = 0
    )
    WHERE {_street("street")} AND ({where})
    $group_by_street
    """


def _enterprise_flow(kind: str) -> str:
    """The distinct issues or shortages with a ``kind`` fact dated in the period."""
    return f"""
    SELECT $by_street toNullable(toFloat64(uniqExact(item_id))) AS value, {_NO_PEOPLE}
    FROM (SELECT item_id, street_code AS street FROM enterprise_facts FINAL
          WHERE kind = '{kind}' AND day BETWEEN $start AND $end AND {_street()})
    $group_by_street
    """
_STOCK_COUNT = ("toNullable(toFloat64(sum(v)))", "toNullable(toUInt64(sum(v)))")
_SEEKERS = "sumIf(v, measure = 'seekers')"
_BASELINE = "sumIf(v, measure = 'loss_baseline')"
_CURRENT = "sumIf(v, measure = 'loss_current')"
_UNEMPLOYED = "sumIf(v, measure = 'unemployed')"
_LONG_TERM = "sumIf(v, measure = 'long_term')"
_WORKDAYS = "arrayCount(d -> toDayOfWeek($start + d) <= 5, range(toUInt32($end - $start + 1)))"
"""The working days (Monday to Friday) of the period: no holiday calendar exists in the repository."""
_S: frozenset[Dimension] = frozenset({"street"})
_SG: frozenset[Dimension] = frozenset({"street", "group"})
_SI: frozenset[Dimension] = frozenset({"street", "industry"})

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "new_employment", "城镇新增就业", "人", True, _SG,
        description="Employment registrations in the period (target: 12万 over 2021–2025, ≈2.4万 a year).",
        part=_flow("employment", "sum(n)", "sum(n)", _group()),
    ),
    Indicator(
        "survey_unemployment_rate", "城镇调查失业率", "%", False, frozenset(),
        description="Latest rate published for a month up to the end of the period (ingested, not computed).",
        sql=f"""
        SELECT if(count() = 0, NULL, argMax(rate_percent, (period, event_time, event_id))) AS value, {_NO_PEOPLE}
        FROM survey_rates FINAL WHERE period <= formatDateTime($end, '%Y-%m')
        """,
    ),
    Indicator(
        "registered_unemployed", "登记失业人员", "人", True, _SG,
        description="Registered-unemployed stock at the end of the period.",
        part=_stock("'unemployed'", *_STOCK_COUNT, _group()),
    ),
    Indicator(
        "unemployment_registrations", "新增失业登记", "人", True, _SG,
        description="Unemployment registrations in the period.",
        part=_flow("unemployment", "sum(n)", "sum(n)", _group()),
    ),
    Indicator(
        "reemployment_rate", "登记失业人员就业率", "%", True, _SG,
        description="People registered unemployed in the period who also registered employment in it.",
        part=_employment_rate(),
    ),
    Indicator(
        "hardship_employment_rate", "就业困难人员就业率", "%", True, _SG,
        description="The same rate for people registered unemployed as 就业困难人员.",
        part=_employment_rate("has(key_groups, 'hardship')"),
    ),
    Indicator(
        "graduate_employment_rate", "离校未就业高校毕业生就业率", "%", True, _SG,
        description="Graduates registered as 离校未就业 (job-seeker or unemployment registration) in the "
        "period who registered employment in it.",
        part=Cohort(_GRADUATE_KINDS, _GRADUATE, "'employment'"),
    ),
    Indicator(
        "graduate_service_rate", "离校未就业高校毕业生服务率", "%", True, _SG,
        description="Graduates registered as 离校未就业 (a job-seeker or unemployment registration in the period "
        "whose key groups include graduate_unemployed; 街镇 and group filters apply to that registration) "
        "who received at least one service in the period: a follow-up recorded for them (followup.recorded), "
        "a 红娘 referral naming them in either direction (referral.made), or a 红娘 contact (case.contacted) on "
        "a case dispatched for them (case.dispatched with their person_ref). A dispatch alone is not a service. "
        "Services the platform records no event for (职业指导, training, 见习 placement, policy advice) cannot "
        "count, so the rate is a lower bound of the services given.",
        part=Cohort(_GRADUATE_KINDS, _GRADUATE, _SERVED_KINDS),
    ),
    Indicator(
        "zero_employment_family_unemployed", "零就业家庭未就业人员", "人", True, _SG,
        description="Registered-unemployed stock at the end of the period whose key groups include "
        "zero_employment_family (零就业家庭成员); the target is 动态清零. Counts people, not families, by "
        "their own key group: person events carry no household, so whether another member of the family has "
        "found work cannot be told here (a member stays counted until their own status changes). The families "
        "are zero_employment_families, from the households' own events.",
        part=_stock("'unemployed'", *_STOCK_COUNT, f"has(key_groups, 'zero_employment_family') AND {_group()}"),
    ),
    # --- 零就业家庭 (DOMAIN.md §2 "Households"; families, from household.zero_employment_* events)
    Indicator(
        "zero_employment_families", "零就业家庭", "户", True, _S,
        description="Households that are 零就业家庭 at the end of the period: identified (a member of working age "
        "able and willing to work, none employed) and not cleared by then; the target is 动态清零 (0). Counts "
        "families (each rests on at least one person).",
        part=_stock("'zero_families'", *_STOCK_COUNT),
    ),
    Indicator(
        "zero_employment_families_identified", "新认定零就业家庭", "户", True, _S,
        description="零就业家庭 identified in the period, on their identification date (a family identified "
        "again after a clearing counts again: each identification is a family to help).",
        part=_flow("household_identified", "sum(n)", "sum(n)"),
    ),
    Indicator(
        "zero_employment_families_cleared", "零就业家庭清零", "户", True, _S,
        description="零就业家庭 cleared (清零) in the period, on their clearing date, whatever the reason.",
        part=_flow("household_cleared", "sum(n)", "sum(n)"),
    ),
    Indicator(
        "zero_employment_clear_days_median", "零就业家庭清零用时中位数", "天", True, _S,
        description="Median days from identification to clearing of the 零就业家庭 cleared in the period "
        "(nearest rank: the ⌈n/2⌉-th shortest); NULL when none was cleared.",
        part=_clear_days("intDiv(total + 1, 2)"),
    ),
    Indicator(
        "zero_employment_clear_days_p90", "零就业家庭清零用时P90", "天", True, _S,
        description="90th percentile of the days from identification to clearing of the 零就业家庭 cleared in "
        "the period (nearest rank: the ⌈9n/10⌉-th shortest); NULL when none was cleared.",
        part=_clear_days("intDiv(9 * total + 9, 10)"),
    ),
    # --- 重点企业 (DOMAIN.md §6; action plan §2, seed 002: 一企一专员一台账, 挂账销号, 用缺工; enterprise.* events)
    Indicator(
        "enterprise_shortage_headcount", "缺工", "人", False, _S,
        description="Posts that key enterprises reported short (用缺工) and that are still open at the end of the "
        "period: the headcount of every shortage reported by then and not closed by then.",
        sql=_enterprise_items("shortage_reported", "shortage_closed", "sum(headcount)"),
    ),
    Indicator(
        "short_staffed_key_enterprises", "重点缺工企业", "家", False, _S,
        description="Key enterprises with at least one shortage open at the end of the period.",
        sql=_enterprise_items("shortage_reported", "shortage_closed", "uniqExact(employer)"),
    ),
    Indicator(
        "key_enterprises", "重点企业", "家", False, _S,
        description="Enterprises on the key-enterprise register at the end of the period (enrolled by then), "
        "each in the 街镇 of its latest registration event up to then; a change of officer counts once.",
        sql=f"""
        SELECT $by_street toNullable(toFloat64(count())) AS value, {_NO_PEOPLE}
        FROM (
            SELECT employer_ref, argMax(street_code, (event_time, event_id)) AS street
            FROM enterprise_facts FINAL WHERE kind = 'key_registered' AND day <= $end
            GROUP BY employer_ref
        )
        WHERE {_street("street")}
        $group_by_street
        """,
    ),
    Indicator(
        "enterprise_issues_opened", "挂账问题", "件", False, _S,
        description="Problems put on key enterprises' ledgers (挂账) in the period, on their opening day.",
        sql=_enterprise_flow("issue_opened"),
    ),
    Indicator(
        "enterprise_issues_closed", "销号问题", "件", False, _S,
        description="Ledger problems closed (销号) in the period, on their closing day.",
        sql=_enterprise_flow("issue_closed"),
    ),
    Indicator(
        "enterprise_issues_open", "在账问题", "件", False, _S,
        description="Ledger problems open at the end of the period: opened by then and not closed by then.",
        sql=_enterprise_items("issue_opened", "issue_closed", "count()"),
    ),
    Indicator(
        "enterprise_issues_overdue", "逾期未销号问题", "件", False, _S,
        description="Ledger problems open at the end of the period after their due day (the due day itself is "
        "still in time).",
        sql=_enterprise_items("issue_opened", "issue_closed", "count()", "due < $end"),
    ),
    Indicator(
        "vacancy_ratio", "求人倍率", "倍", True, _S,
        description="Open posts / active job seekers at the end of the period (< 1: more seekers than jobs).",
        part=_stock("'open_posts', 'seekers'",
                    f"if({_SEEKERS} = 0, NULL, sumIf(v, measure = 'open_posts') / {_SEEKERS})",
                    f"toNullable(toUInt64({_SEEKERS}))"),
    ),
    Indicator(
        "open_vacancy_headcount", "空缺岗位数", "个", False, _S,
        description="Open posts at the end of the period: the headcount still sought by postings valid on that day "
        "(the numerator of 求人倍率).",
        part=_stock("'open_posts'", "toNullable(toFloat64(sum(v)))", None),
    ),
    Indicator(
        "job_loss_rate", "岗位流失率", "%", False, _SI,
        description="(baseline − current) / baseline over monitored enterprises' latest reports up to the end "
        "(of the reports received up to the end, each enterprise's for the latest month, then the latest sent).",
        part=_stock("'loss_baseline', 'loss_current'",
                    f"if({_BASELINE} = 0, NULL, 100 * ({_BASELINE} - {_CURRENT}) / {_BASELINE})",
                    None, _industry()),
    ),
    Indicator(
        "mass_layoff_reports", "规模裁员报告", "起", False, _SI,
        description="Mass-layoff reports (Labour Contract Law art. 41) in the period.",
        part=_mass_layoffs("count()", None),
    ),
    Indicator(
        "mass_layoff_cuts", "规模裁员计划裁减人数", "人", True, _SI,
        description="People the mass-layoff reports of the period plan to cut.",
        part=_mass_layoffs("sum(planned_cuts)", "sum(planned_cuts)"),
    ),
    Indicator(
        "short_notice_layoffs", "未提前30日报告的规模裁员", "起", False, _SI,
        description="Mass layoffs reported with less than 30 days' notice (non-compliant).",
        part=_mass_layoffs("countIf(notice_compliant = 0)", None),
    ),
    Indicator(
        "long_term_unemployed", "长期失业人员", "人", True, _SG,
        description="Registered unemployed at the end of the period, unemployed for 6 months or more.",
        part=_stock("'long_term'", *_STOCK_COUNT, _group()),
    ),
    Indicator(
        "long_term_unemployed_share", "长期失业人员占比", "%", True, _SG,
        description="Long-term unemployed / registered-unemployed stock at the end of the period.",
        part=_stock("'unemployed', 'long_term'",
                    f"if({_UNEMPLOYED} = 0, NULL, 100 * {_LONG_TERM} / {_UNEMPLOYED})",
                    f"toNullable(toUInt64(least({_UNEMPLOYED}, {_LONG_TERM})))", _group()),
    ),
    Indicator(
        "traineeship_posts", "见习岗位", "个", False, _SI,
        description="Traineeship posts (headcount of 见习 postings published in the period; ≥ 2000 a year).",
        part=_flow("posted", "sum(a)", None, f"detail = 'traineeship' AND {_industry()}"),
    ),
    Indicator(
        "public_welfare_posts", "公益性岗位", "个", False, _SI,
        description="Public-welfare posts (headcount of postings published in the period; ≥ 300 a year).",
        part=_flow("posted", "sum(a)", None, f"detail = 'public_welfare' AND {_industry()}"),
    ),
    # --- the programmes (DOMAIN.md §8; facts of the programmes service, counted on the day they happened)
    Indicator(
        "malanhua_trained", "马兰花创业培训", "人次", True, _S,
        description="马兰花 entrepreneurship-training completions (结业) in the period; ≥ 2500 trained a year.",
        part=_flow("programme_completed", "sum(n)", "sum(n)", "detail = 'malanhua_training'"),
    ),
    Indicator(
        "skills_trained", "职业技能培训", "人次", True, _S,
        description="Vocational-skills-training completions (结业) in the period.",
        part=_flow("programme_completed", "sum(n)", "sum(n)", "detail = 'skills_training'"),
    ),
    Indicator(
        "startup_loans_issued", "创业担保贷款发放额", "元", False, _S,
        description="创业担保贷款 issued in the period, in 元 (to persons and small businesses); ≥ 5000万元 a year.",
        part=_flow("programme_loan_issued", "sum(a)", None, "detail = 'startup_loan'"),
    ),
    Indicator(
        "startup_loans_count", "创业担保贷款发放笔数", "笔", False, _S,
        description="创业担保贷款 issued in the period, counted (to persons and small businesses), on the issue day.",
        part=_flow("programme_loan_issued", "sum(n)", None, "detail = 'startup_loan'"),
    ),
    Indicator(
        "startup_subsidies_granted", "创业补贴发放额", "元", False, _S,
        description="创业补贴 granted in the period, in 元 (every kind: 一次性, 场地, 带动就业); ≥ 5000万元 a year.",
        part=_flow("programme_granted", "sum(a)", None, "detail = 'startup_subsidy'"),
    ),
    Indicator(
        "trainees_taken_on", "吸纳见习人员", "人", True, _S,
        description="就业见习 placements started in the period (trainees taken on by host employers); ≥ 1000 a year.",
        part=_flow("programme_placement_started", "sum(n)", "sum(n)", "detail = 'traineeship'"),
    ),
    Indicator(
        "trainees_retained", "见习留用人员", "人", True, _S,
        description="就业见习 placements that ended in the period with the trainee kept by the host.",
        part=_flow("programme_placement_ended", "sum(b)", "sum(b)", "detail = 'traineeship'"),
    ),
    Indicator(
        "interns_placed", "大学生实习", "人", True, _S,
        description="大学生实习 placements started in the period; ≥ 200 students a year.",
        part=_flow("programme_placement_started", "sum(n)", "sum(n)", "detail = 'internship'"),
    ),
    Indicator(
        "public_welfare_placed", "公益性岗位安置", "人", True, _S,
        description="公益性岗位 placements started in the period (托底安置 included); the plan's 300 posts a year.",
        part=_flow("programme_placement_started", "sum(n)", "sum(n)", "detail = 'public_welfare_post'"),
    ),
    Indicator(
        "flexible_insurance_granted", "灵活就业社保补贴人次", "人次", True, _S,
        description="灵活就业社会保险补贴 decisions (programme.granted of flexible_social_insurance) in the period, on "
        "the grant day; a person subsidised twice in it counts twice.",
        part=_flow("programme_granted", "sum(n)", "sum(n)", "detail = 'flexible_social_insurance'"),
    ),
    Indicator(
        "flexible_insurance_people", "灵活就业社保补贴人数", "人", True, _S,
        description="Distinct people granted 灵活就业社会保险补贴 (programme.granted of flexible_social_insurance, "
        "by person_ref) in the period, on the grant day; a person subsidised twice in it counts once. By 街镇, "
        "a person counts in each 街镇 a grant of the period named.",
        part=_grantees("flexible_social_insurance"),
    ),
    Indicator(
        "flexible_insurance_amount", "灵活就业社保补贴发放额", "元", False, _S,
        description="元 of 灵活就业社会保险补贴 granted in the period (at most ¾ of the contributions paid), on the "
        "grant day.",
        part=_flow("programme_granted", "sum(a)", None, "detail = 'flexible_social_insurance'"),
    ),
    Indicator(
        "incubators_new_municipal", "新认定市级及以上创业孵化基地", "个", False, _S,
        description="创业孵化基地 recognised in the period at 市级 or 国家级 for the first time (a new base, or a 区级 "
        "base raised), on the recognition day; ≥ 1 a year.",
        part=_flow("incubator_recognised", "sum(b)", None),
    ),
    Indicator(
        "startup_jobs_created", "创业带动就业", "人", False, _S,
        description="Jobs that firms incubated in 创业孵化基地 reported creating, on the report day (each report "
        "adds the jobs created since the firm's previous one).",
        part=_flow("incubator_jobs", "sum(a)", None),
    ),
    Indicator(
        "programme_funds_paid", "就业补助资金支付额", "元", False, _S,
        description="Money paid out on every programme's grants in the period, in 元.",
        part=_flow("programme_paid", "sum(a)", None),
    ),
    Indicator(
        "policy_matches", "政策找人", "人次", True, _S,
        description="People found eligible for a programme without applying (免申即享) in the period.",
        part=_flow("programme_eligible", "sum(n)", "sum(n)"),
    ),
    Indicator(
        "policy_contacted_same_day", "政策找人当天联系", "人次", True, _S,
        description="红娘 cases opened by 政策找人 (origin policy) dispatched in the period that were contacted "
        "on time, i.e. the same day (case.contacted with on_time), counted on the dispatch day.",
        part=_flow("policy_case", "sum(a)", "sum(a)"),
    ),
    Indicator(
        "policy_granted", "政策找人享受", "人次", True, _S,
        description="Grants in the period to people 政策找人 had found eligible for the programme before the "
        "grant (programme.granted with eligible_on), on their grant day.",
        part=_flow("policy_granted", "sum(n)", "sum(n)"),
    ),
    Indicator(
        "policy_benefit_days_median", "政策找人享受时长中位数", "天", True, _S,
        description="Median days from eligibility (eligible_on) to the first payment of the grants whose first "
        "payment fell in the period (nearest rank: the ⌈n/2⌉-th shortest); NULL when none. The programmes "
        "service's GET /programmes/stats/time-to-benefit on the same events.",
        part=_clear_days("intDiv(total + 1, 2)", "policy_benefit_days"),
    ),
    Indicator(
        "policy_benefit_days_p90", "政策找人享受时长P90", "天", True, _S,
        description="90th percentile of the same days (nearest rank: the ⌈9n/10⌉-th shortest); NULL when none.",
        part=_clear_days("intDiv(9 * total + 9, 10)", "policy_benefit_days"),
    ),
    Indicator(
        "recruitment_sessions", "招聘活动", "场", False, _S,
        description="Recruitment sessions (招聘会 and 直播带岗) that ended in the period; ≥ 120 a year.",
        part=_flow("session_ended", "sum(n)", None),
    ),
    Indicator(
        "livestream_sessions", "直播带岗", "场", False, _S,
        description="直播带岗 sessions that ended in the period (one every working day).",
        part=_flow("session_ended", "sum(n)", None, "detail = 'livestream'"),
    ),
    Indicator(
        "session_applications", "招聘活动求职申请", "人次", True, _S,
        description="Applications recorded by the sessions that ended in the period.",
        part=_flow("session_ended", "sum(a)", "sum(a)"),
    ),
    Indicator(
        "session_hires", "招聘活动达成录用", "人", True, _S,
        description="Hires recorded by the sessions that ended in the period.",
        part=_flow("session_ended", "sum(b)", "sum(b)"),
    ),
    Indicator(
        "live_applications", "直播带岗求职投递", "人次", True, _S,
        description="Applications made during 直播带岗 sessions recorded live, on the day they were made.",
        part=_flow("live_application", "sum(n)", "sum(n)"),
    ),
    Indicator(
        "live_hires", "直播带岗录用", "人", True, _S,
        description="Applications made during 直播带岗 sessions that the employer answered with a hire in the "
        "period (on the day of the decision, which may follow the session).",
        part=_flow("live_decided", "sum(a)", "sum(a)"),
    ),
    Indicator(
        "live_workday_share", "直播带岗工作日覆盖率", "%", False, _S,
        description="Share of the working days (Monday to Friday; holidays are not modelled) of the period on "
        "which a 直播带岗 session ended; NULL when none did (or the period has no working day).",
        part=Part("flow", "measure = 'live_workday'",
                  f"if(count() = 0 OR {_WORKDAYS} = 0, NULL, "
                  f"toNullable(toFloat64(100 * uniqExact(detail) / {_WORKDAYS})))"),
    ),
    Indicator(
        "cases_dispatched", "红娘派单数", "件", False, _S,
        description="红娘 cases dispatched in the period (the base of the SLA shares below).",
        part=Part("cases", "flag = 'dispatched'", "toNullable(toFloat64(groupBitmapMerge(cases)))"),
    ),
    Indicator(
        "sla_contact_rate", "红娘当天联系率", "%", False, _S,
        description="Cases dispatched in the period that were contacted on time (the same day).",
        part=_case_share("contacted"),
    ),
    Indicator(
        "sla_referral_rate", "红娘3日内推介率", "%", False, _S,
        description="Cases dispatched in the period with a referral made on time (within 3 days).",
        part=_case_share("referred"),
    ),
    Indicator(
        "sla_breach_rate", "红娘超时工单占比", "%", False, _S,
        description="Cases dispatched in the period that breached a deadline.",
        part=_case_share("breached"),
    ),
    Indicator(
        "registration_surge_ratio", "失业登记增幅倍数", "倍", False, _S,
        description="Unemployment registrations in the 7 days ending $end against the weekly average of "
        "the 28 days before them (NULL without a baseline).",
        sql=f"""
        SELECT $by_street if(sum(baseline) = 0, NULL, sum(recent) / (sum(baseline) / 4)) AS value, {_NO_PEOPLE}
        FROM (
            SELECT street_code AS street, sumIf(n, day BETWEEN $end - 6 AND $end) AS recent,
                   sumIf(n, day BETWEEN $end - 34 AND $end - 7) AS baseline
            FROM flow_daily_sum
            WHERE measure = 'unemployment' AND day BETWEEN $end - 34 AND $end AND {_street()}
            GROUP BY street
        )
        $group_by_street
        """,
    ),
)

BY_CODE: dict[str, Indicator] = {indicator.code: indicator for indicator in INDICATORS}


def family_query(indicators: list[Indicator], *, by_street: bool = False, by_industry: bool = False,
                 values: dict[str, str] | None = None) -> str:
    """One query, one scan of their family's rows, for several indicators of one family (with the
    server-side parameters of :meth:`Indicator.query`, or the filter ``values`` given as SQL, as
    the wall's do): rows of ``(code, value, people)``, or of ``(code, street_code, value, people)``
    for every 街镇 at once (the street filter is off), or of ``(code, industry_code, value, people)``
    for every industry (the industry filter is off). Each
    row of the family is tagged with the indicators whose ``where`` it meets, and each indicator's
    ``value`` and ``people`` are taken over its own rows — the same expressions as its own query.
    An indicator (or 街镇) without rows has no row here: its value is that over nothing."""
    found = [(indicator.code, indicator.part) for indicator in indicators if indicator.part is not None]
    if len(found) != len(indicators) or len({part.family for _, part in found}) != 1:
        raise ValueError("family_query takes indicators of one family")
    substitutions = (values or _PARAMETERS) | NO_KEY | ({"street": "''"} if by_street else {}) \
        | ({"industry": "''"} if by_industry else {})
    cohorts = [(code, part) for code, part in found if isinstance(part, Cohort)]
    if cohorts:
        if by_industry:
            raise ValueError("the cohort rates have no industry")
        return Template(_cohort_family(cohorts, by_street=by_street)).substitute(substitutions)
    parts = [(code, part) for code, part in found if isinstance(part, Part)]
    family = parts[0][1].family
    tags = ", ".join(f"if({part.where}, '{code}', '')" for code, part in parts)
    value = _by_code([(code, part.value) for code, part in parts])
    people = _by_code([(code, part.people or _NULL_PEOPLE) for code, part in parts])
    # The tags select each part's rows; filtering the scan by the parts' ``where`` as well would only
    # double the expressions the engine analyses, which on tables this small is most of a query's cost.
    rows = family_rows(family, "1")
    street, grouping = ("street AS street_code, ", "code, street") if by_street else \
        ("industry AS industry_code, ", "code, industry") if by_industry else ("", "code")
    sql = f"""
    SELECT code, {street}{value} AS value, {people} AS people
    FROM (SELECT *, arrayJoin(arrayFilter(c -> c != '', [{tags}])) AS code FROM {rows})
    GROUP BY {grouping}
    """
    return Template(sql).substitute(substitutions)


def _by_code(expressions: list[tuple[str, str]]) -> str:
    """One expression choosing each code's own: the codes that share an expression share a branch,
    since the engine analyses every branch (on state this small, analysis is much of a query's cost)."""
    codes: dict[str, list[str]] = {}
    for code, expression in expressions:
        codes.setdefault(expression, []).append(code)
    branches = ", ".join(f"code IN ({', '.join(repr(code) for code in same)}), {expression}"
                         for expression, same in codes.items())
    return f"multiIf({branches}, NULL)"


def figures_query(indicators: list[Indicator], *, by_street: bool = False,
                  values: dict[str, str] | None = None) -> str:
    """Every indicator given, in one query with :meth:`Indicator.query`'s parameters (or the filter
    ``values`` given as SQL, as the wall's KPIs do): rows of
    ``(code, value, people)``, or of ``(code, street_code, value, people)`` ``by_street``. The parts
    of a family (two or more) are read in one scan of it (:func:`family_query`), every other indicator
    by its own query; one query for all, since with state this small a query's cost is mostly its
    fixed cost (analysis, planning, a round trip), and the engine runs the branches side by side.
    ``by_street`` needs indicators that :attr:`~Indicator.groups_by_street`. A family's indicator (or
    街镇) without rows has no row here, as in :func:`family_query`."""
    by_family: dict[str, list[Indicator]] = {}
    for indicator in indicators:
        if indicator.part is not None:
            by_family.setdefault(indicator.part.family, []).append(indicator)
    scans = [members for members in by_family.values() if len(members) > 1]
    scanned = {indicator.code for members in scans for indicator in members}
    street = "street_code, " if by_street else ""
    branches = [family_query(members, by_street=by_street, values=values) for members in scans]
    for indicator in indicators:
        if indicator.code not in scanned:
            own = indicator.render(values or _PARAMETERS, by_street=by_street)  # by 街镇: the caller's street is ''
            branches.append(f"SELECT '{indicator.code}' AS code, {street}value, people FROM ({own})")
    return "\nUNION ALL\n".join(
        f"SELECT code, {street}CAST(value AS Nullable(Float64)) AS value, CAST(people AS Nullable(UInt64)) AS people "
        f"FROM ({branch})" for branch in branches)


def _cohort_family(cohorts: list[tuple[str, Cohort]], *, by_street: bool) -> str:
    """Several cohort rates from the sets of people of the period: the period's sets merged once per
    街镇, kind and key groups (the cohorts' kinds) and once per kind (the found kinds), each merged
    set tagged with the rates whose cohort (with the 街镇 and group filters) or found set
    (district-wide) it belongs to; then per rate, the intersection. A day's set is merged once,
    however many rates read it."""
    def kinds(lists: set[str]) -> str:
        return ", ".join(sorted({kind.strip() for listed in lists for kind in listed.split(",")}))

    def merged(of: str, by: str) -> str:
        return (f"(SELECT {by}, groupBitmapMergeState(people) AS merged FROM people_daily "
                f"WHERE day BETWEEN $start AND $end AND kind IN ({of}) GROUP BY {by})")

    cohort_rows = merged(kinds({part.cohort_kinds for _, part in cohorts}), "street_code, kind, key_groups")
    found_rows = merged(kinds({part.found_kinds for _, part in cohorts}), "kind")
    cohort_tags = ", ".join(f"if(kind IN ({part.cohort_kinds}) AND {part.where} AND {_street()} AND {_group()}, "
                            f"'{code}', '')" for code, part in cohorts)
    found_tags = ", ".join(f"if(kind IN ({part.found_kinds}), '{code}', '')" for code, part in cohorts)
    street, grouping = ("street_code, ", "code, street_code") if by_street else ("", "code")
    return f"""
    SELECT code, {street}if(total = 0, NULL, 100 * both / total) AS value, toNullable(both) AS people
    FROM (
        SELECT code, {street}bitmapCardinality(cohort) AS total, bitmapAndCardinality(cohort, found) AS both
        FROM (
            SELECT code, {street}groupBitmapMergeState(merged) AS cohort
            FROM (SELECT *, arrayJoin(arrayFilter(c -> c != '', [{cohort_tags}])) AS code FROM {cohort_rows})
            GROUP BY {grouping}
        ) AS c
        LEFT JOIN (
            SELECT code, groupBitmapMergeState(merged) AS found
            FROM (SELECT *, arrayJoin(arrayFilter(c -> c != '', [{found_tags}])) AS code FROM {found_rows})
            GROUP BY code
        ) AS f USING code
    )
    """

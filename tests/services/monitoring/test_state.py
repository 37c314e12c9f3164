"""The pre-aggregated state (``migrations/0004_aggregated_state.py`` and ``0005_…``) on the real engine:
a replayed batch, a redelivered subset out of order and events arriving in any order change no figure; the
migration builds the state from facts written before it; the 6-month line is the indicators'.

Figures are every indicator for several periods and filters, and every 街镇's value of each indicator
with a 街镇 dimension, through the store as the API and the warnings read them.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from leye.bench.data.event_set import STREET_CODES, varied_events
from leye.reference import add_months, certificates, certifications, communities, compute
from schemas import CloudEvent
from schemas.events import vacancy
from schemas.fields import SHANGHAI
from schemas.reference import INDUSTRY_SECTIONS
from schemas.vocab import KeyGroup
from services.monitoring.indicators.catalogue import BY_CODE, INDICATORS
from services.monitoring.indicators.state import (
    FLOW_SOURCES,
    flow_day_sums,
    long_term_from,
    station_day_sums,
    stock_day_sums,
    stock_month_sums,
)
from services.monitoring.ingest.encoding import encode_events
from services.monitoring.ingest.rows import rows_for
from services.monitoring.migrations import discover, migrate
from services.monitoring.store import Store
from services.monitoring.wall import sql as wall_sql
from tests.services.monitoring.test_wall_sql import YEAR_END, YEAR_START, check_station_ranking, grafana

YEAR, SPRING, SUMMER_DAY = (date(2026, 1, 1), date(2026, 10, 31)), (date(2026, 3, 1), date(2026, 6, 30)), \
    (date(2026, 7, 1), date(2026, 7, 1))
CASES = [
    (YEAR, {}), (SPRING, {}), (SUMMER_DAY, {}), ((date(2026, 2, 15), date(2026, 12, 31)), {}),
    (YEAR, {"street": STREET_CODES[0]}), ((date(2026, 1, 1), date(2026, 4, 13)), {"street": STREET_CODES[2]}),
    (YEAR, {"group": "hardship"}), (SPRING, {"group": "zero_employment_family"}), (YEAR, {"industry": "C"}),
]
Figures = dict[tuple, tuple[float | None, int | None]]


def figures(store: Store) -> Figures:
    """Every figure, read one family at a time as ``/stats`` reads them (each family's figures are
    its indicators' own queries': ``test_one_scan_per_family_…`` holds that)."""
    out: Figures = {}
    for (start, end), filters in CASES:
        applicable = [indicator for indicator in INDICATORS if indicator.applies(**filters)]
        for code, reading in store.indicators_sync(applicable, start, end, **filters).items():
            out[(code, start, end, *filters.items())] = reading
    with_street = [indicator for indicator in INDICATORS if "street" in indicator.dimensions]
    for code, by_street in store.indicators_by_street_sync(with_street, *YEAR).items():
        for street, reading in by_street.items():
            out[(code, "by street", street)] = reading
    return out


def reference(events: list[CloudEvent]) -> dict[tuple, float | None]:
    out = {}
    for (start, end), filters in CASES:
        for indicator in INDICATORS:
            if indicator.applies(**filters):
                out[(indicator.code, start, end, *filters.items())] = compute(indicator.code, events, start, end,
                                                                              **filters)[0]
    for indicator in INDICATORS:
        if "street" in indicator.dimensions:
            for street in STREET_CODES:
                out[(indicator.code, "by street", street)] = compute(indicator.code, events, *YEAR, street=street)[0]
    return out


def assert_equal_to_reference(found: Figures, expected: dict[tuple, float | None]) -> None:
    assert set(found) == set(expected)
    for key, value in expected.items():
        assert found[key][0] == pytest.approx(value), key


COMMUNITY_ENDS = (date(2026, 1, 20), date(2026, 3, 31), date(2026, 6, 15), date(2026, 12, 31))
"""Mid-month and month ends, so both the monthly and the daily sums are read."""


def check_communities(store: Store, events: list[CloudEvent]) -> None:
    """充分就业社区 per community, as ``/stats/communities`` reads it, against the independent recount."""
    for end in COMMUNITY_ENDS:
        found = {code: (able, employed) for code, _, able, employed in store.communities_sync(end)}
        expected = communities(events, end)
        assert found == expected, end
    # not vacuous: most of the 48 communities, with people seeking and employed
    assert len(expected) > 40 and any(0 < e < a for a, e in expected.values())
    for year in (2025, 2026):  # the certifications (a tiny fact table, from the raw log)
        rows = store.certifications_sync(year)
        by_level: dict[str, set[str]] = {}
        for code, _, level, held_year in rows:
            if held_year == year:
                by_level.setdefault(level, set()).add(code)
        district = {code for code, _, level, _ in rows if level == "district"}
        assert (by_level, district) == certifications(events, year)
    assert certifications(events, 2026)[0]["national"]  # not vacuous


def check_titles(store: Store, events: list[CloudEvent]) -> None:
    """The vacancy titles the 直播带岗 panel names (``vacancy_titles``): each posting's latest title."""
    expected: dict[str, str] = {}
    for event in sorted(events, key=lambda e: (e.time, e.id)):
        if isinstance(event.data, vacancy.VacancyPosted | vacancy.VacancyUpdated):
            expected[event.data.vacancy_id] = event.data.title
    found = store.rows_sync("SELECT vacancy_id, argMax(title, (event_time, event_id)) FROM vacancy_titles "
                            "GROUP BY vacancy_id")
    assert dict(found) == expected and len(expected) > 10  # not vacuous


CERTIFICATE_PERIODS = [(YEAR, ""), (SPRING, ""), (SUMMER_DAY, ""), (YEAR, STREET_CODES[0]), (SPRING, STREET_CODES[2]),
                       (SPRING, STREET_CODES[5])]  # the last: a 街镇 without any in the period


def check_certificates(store: Store, events: list[CloudEvent]) -> None:
    """职业技能 certificates by occupation and level, as ``/stats/certificates`` reads them, against the
    independent recount."""
    for (start, end), street in CERTIFICATE_PERIODS:
        rows, totals = store.certificates_sync(start, end, street)
        expected, expected_totals = certificates(events, start, end, street)
        assert {(code, level): (n, people) for code, level, n, people in rows} == expected, (start, street)
        assert totals == expected_totals, (start, street)
    # not vacuous: several occupations and levels, some people holding two certificates of one kind or more
    found, (total, holders) = certificates(events, *YEAR)
    assert len({code for code, _ in found}) > 3 and len({level for _, level in found}) > 3 and holders < total


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One chDB engine for the module (one per process); each test works in a database of its own."""
    store = Store(f"chdb:///{tmp_path_factory.mktemp('state-ch')}")
    store.open_sync()
    yield store
    store.close()


def _database(engine: Store, name: str, *, migrated: bool = True) -> Store:
    engine.client.command(f"CREATE DATABASE IF NOT EXISTS {name}")
    store = Store(f"{engine.dsn}?database={name}")
    if migrated:
        store.open_sync()
    return store


@pytest.fixture(scope="module")
def events() -> list[CloudEvent]:
    return varied_events(seed=7)


@pytest.fixture(scope="module")
def expected(events) -> dict[tuple, float | None]:
    return reference(events)


def _batches(events: list[CloudEvent], size: int) -> list[list[CloudEvent]]:
    return [events[i:i + size] for i in range(0, len(events), size)]


def test_a_replayed_batch_and_a_redelivered_subset_out_of_order_change_no_figure(engine: Store, events,
                                                                                 expected) -> None:
    store = _database(engine, "replay")
    for batch in _batches(events, 400):
        store.write_sync(encode_events(batch))
    before = figures(store)
    assert_equal_to_reference(before, expected)  # not vacuous: the figures are the right ones

    store.write_sync(encode_events(events[400:800]))  # one batch again, as a redelivery after a crash
    subset = random.Random(3).sample(events, 600)  # a replay of some events, in no particular order
    for batch in _batches(subset, 300):
        store.write_sync(encode_events(batch))
        store.refresh_sync()
    assert figures(store) == before
    check_station_ranking(store, events, YEAR_START, YEAR_END)
    check_communities(store, events)
    check_titles(store, events)  # written by a view as the raw log is, a redelivery adds no other title
    check_certificates(store, events)


def test_events_in_any_order_give_the_figures_of_the_events(engine: Store, events, expected) -> None:
    """Late events (a person's earlier registration after a later one, an update after a filling)
    reshape their aggregate's chain; the state follows."""
    store = _database(engine, "shuffled")
    shuffled = events[:]
    random.Random(5).shuffle(shuffled)
    for batch in _batches(shuffled, 450):  # a handful of batches: most chains arrive split and out of order
        store.write_sync(encode_events(batch))
        store.refresh_sync()
    assert_equal_to_reference(figures(store), expected)
    check_station_ranking(store, events, YEAR_START, YEAR_END)
    check_communities(store, events)
    check_certificates(store, events)


def test_the_migration_builds_the_state_from_facts_written_before_it(engine: Store, events, expected) -> None:
    store = _database(engine, "before", migrated=False)
    migrate(store.client, [m for m in discover() if m.version < 4])
    facts: dict[str, list] = {}
    for event in events:  # the write path of 0001–0003: rows only (one insert per table, not per event)
        for table, rows in rows_for(event).items():
            facts.setdefault(table, []).extend(rows)
    for table, rows in facts.items():
        # programme, household, enterprise, 政策找人, incubator, certification and 直播带岗 live facts in the raw
        # log only: 0009 to 0013, 0015 and 0016 read them back (0018 again, with the person and certificate)
        if table not in ("programme_facts", "household_facts", "enterprise_facts", "policy_facts", "incubator_facts",
                         "certification_facts", "livestream_facts"):
            store.insert_sync(table, rows)
    assert migrate(store.client) == ["0004_aggregated_state", "0005_people_sets_and_daily_reads",
                                     "0006_job_loss_and_mass_layoffs", "0007_sums_read_without_final",
                                     "0008_station_sums", "0009_programme_facts", "0010_household_facts",
                                     "0011_enterprise_facts", "0012_policy_facts", "0013_incubator_facts",
                                     "0014_community_stock", "0015_community_certifications",
                                     "0016_livestream_facts", "0017_vacancy_titles",
                                     "0018_programme_people_and_certificates"]
    assert_equal_to_reference(figures(store), expected)
    check_station_ranking(store, events, YEAR_START, YEAR_END)
    check_communities(store, events)
    check_titles(store, events)  # read back from the raw log
    check_certificates(store, events)


def test_the_sums_run_again_add_nothing(engine: Store, events, expected) -> None:
    """The sums are brought to their new values by adding differences (``state._changes``): the whole
    of them summed again, as a refresh repeated after a crash would, writes not one row, and a slice
    whose rows are lost (a crash half-way through an insert) is restored by the next refresh."""
    store = _database(engine, "again")
    store.write_sync(encode_events(events))
    store.refresh_sync()
    before = figures(store)
    assert_equal_to_reference(before, expected)
    tables = ("stock_daily_sum", "stock_monthly_sum", "flow_daily_sum", "station_daily_sum")

    def rows() -> list[int]:
        return [store.client.query(f"SELECT count() FROM {table}").result_rows[0][0] for table in tables]

    written = rows()
    for statement in (stock_day_sums(all_days=True), stock_month_sums(all_months=True),
                      *(flow_day_sums(source, all_slices=True) for source in FLOW_SOURCES),
                      station_day_sums(all_cases=True)):
        store.client.command(statement)
    assert rows() == written

    day = store.client.query("SELECT any(day) FROM flow_daily_sum WHERE measure = 'employment'").result_rows[0][0]
    store.client.command(f"ALTER TABLE flow_daily_sum DELETE WHERE day = '{day}' SETTINGS mutations_sync = 1")
    assert figures(store) != before
    store.client.command(f"INSERT INTO dirty_flows SELECT 'person', street_code, day FROM person_facts "
                         f"WHERE day = '{day}'")
    store.dirty = True
    assert figures(store) == before


def test_one_scan_per_family_gives_every_indicator_its_own_query_s_figure(engine: Store, events) -> None:
    """``/stats`` reads the stock, flow and case indicators one family at a time
    (``catalogue.family_query``); each must be exactly what its own query gives, people included,
    for every period and filter and every 街镇 (most of which are empty here)."""
    store = _database(engine, "families")
    store.write_sync(encode_events(events))
    store.refresh_sync()
    assert sum(indicator.part is not None for indicator in INDICATORS) >= 18
    for (start, end), filters in CASES:
        applicable = [indicator for indicator in INDICATORS if indicator.applies(**filters)]
        together = store.indicators_sync(applicable, start, end, **filters)
        for indicator in applicable:
            value, people = store.indicator_sync(indicator, start, end, **filters)
            assert together[indicator.code][0] == pytest.approx(value), (indicator.code, start, end, filters)
            assert together[indicator.code][1] == people, (indicator.code, start, end, filters)
    with_street = [indicator for indicator in INDICATORS if "street" in indicator.dimensions]
    together_by_street = store.indicators_by_street_sync(with_street, *YEAR)
    for indicator in with_street:
        alone = store.indicator_by_street_sync(indicator, *YEAR)
        assert list(together_by_street[indicator.code]) == list(alone)
        for street, (value, people) in alone.items():
            assert together_by_street[indicator.code][street][0] == pytest.approx(value), (indicator.code, street)
            assert together_by_street[indicator.code][street][1] == people, (indicator.code, street)


def test_the_long_term_line_is_the_first_day_six_months_on(engine: Store) -> None:
    """``long_term_unemployed`` counts ``since <= addMonths(end, -6)``; the state moves a person
    into it on the first such ``end``, month ends clamped (31 August → 1 March)."""
    days = [date(2024, 1, 1) + timedelta(days=n) for n in range(3 * 366)]
    values = ", ".join(f"toDate('{d}')" for d in days)
    found = engine.client.query(f"SELECT {long_term_from('s')} FROM (SELECT arrayJoin([{values}]) AS s)").result_rows
    for since, (first,) in zip(days, found, strict=True):
        assert since <= add_months(first, -6) and not since <= add_months(first - timedelta(days=1), -6), since


# --- breakdowns in one scan (the wall's per-week, per-group, per-industry and per-街镇 panels) ---------

PANEL_END = datetime(2026, 9, 16, 12, tzinfo=SHANGHAI)  # mid-month, mid-week: partial months at both ends


@pytest.fixture(scope="module")
def varied(engine: Store, events) -> Store:
    store = _database(engine, "panels")
    store.write_sync(encode_events(events))
    store.refresh_sync()
    return store


def _panel(store: Store, sql: str, street: str, start: datetime = datetime(2026, 2, 10, tzinfo=SHANGHAI),
           ) -> list[dict]:
    result = store.client.query(grafana(sql, street=street, start=start, end=PANEL_END))
    return [dict(zip(result.column_names, row, strict=True)) for row in result.result_rows]


@pytest.mark.parametrize("street", ["", STREET_CODES[4]])
def test_each_week_of_the_trend_is_the_indicator_over_that_week(varied: Store, street: str) -> None:
    columns = {"unemployment_registrations": "unemployment_registrations", "new_employment": "new_employment",
               "registered_unemployed": "registered_unemployed"}
    rows = _panel(varied, wall_sql.weekly(columns, 20), street)
    assert len(rows) == 20
    for back, row in enumerate(reversed(rows)):
        end = PANEL_END.date() - timedelta(days=7 * back)
        assert row["time"].replace(tzinfo=UTC).astimezone(SHANGHAI).date() == end
        for code in columns:
            expected, _ = varied.indicator_sync(BY_CODE[code], end - timedelta(days=6), end, street=street)
            assert row[code] == expected, (end, code)
    assert any(row["new_employment"] for row in rows) and any(row["registered_unemployed"] for row in rows)


@pytest.mark.parametrize("code", ["registered_unemployed", "long_term_unemployed_share", "new_employment",
                                  "zero_employment_family_unemployed"])
@pytest.mark.parametrize("street", ["", STREET_CODES[7]])
def test_each_key_group_is_the_indicator_for_that_group(varied: Store, code: str, street: str) -> None:
    rows = _panel(varied, wall_sql.per_group(code), street)
    assert [row["key_group"] for row in rows] == [group.label for group in KeyGroup]
    start = date(2026, 2, 10)
    for group, row in zip(KeyGroup, rows, strict=True):
        expected, _ = varied.indicator_sync(BY_CODE[code], start, PANEL_END.date(), street=street, group=group.value)
        assert row["value"] == pytest.approx(expected), group
    assert any(row["value"] for row in rows) or street  # one 街镇 may have no 零就业家庭 member unemployed


@pytest.mark.parametrize("street", ["", STREET_CODES[1]])
def test_each_industry_is_the_indicator_for_that_industry(varied: Store, street: str) -> None:
    columns = {"cuts": "mass_layoff_cuts", "reports": "mass_layoff_reports", "trainees": "traineeship_posts"}
    rows = _panel(varied, wall_sql.per_industry(columns), street)
    by_name = {row["industry"]: row for row in rows}
    for section in INDUSTRY_SECTIONS.values():
        for alias, code in columns.items():
            expected, _ = varied.indicator_sync(BY_CODE[code], date(2026, 2, 10), PANEL_END.date(), street=street,
                                                industry=section.code)
            if section.name in by_name:
                assert by_name[section.name][alias] == expected, (section.name, alias)
            elif alias == "cuts":  # the panel lists the industries with cuts
                assert expected == 0, section.name
    assert rows or street  # a 街镇 may have had no mass layoff


@pytest.mark.parametrize("codes", [
    pytest.param(("registered_unemployed", "vacancy_ratio", "new_employment", "reemployment_rate", "sla_contact_rate",
                  "job_loss_rate", "graduate_service_rate", "registration_surge_ratio"), id="one scan each"),
    pytest.param(("registered_unemployed", "sla_breach_rate"), id="one without a grouped form"),
])
def test_each_street_is_the_indicator_for_that_street(varied: Store, codes: tuple[str, ...]) -> None:
    columns = {code: code for code in codes}
    rows = _panel(varied, wall_sql.per_street(columns), "")
    assert [row["street_code"] for row in rows] == list(STREET_CODES)
    for row in rows:
        for code in columns:
            expected, _ = varied.indicator_sync(BY_CODE[code], date(2026, 2, 10), PANEL_END.date(),
                                                street=row["street_code"])
            assert row[code] == pytest.approx(expected), (row["street_code"], code)


@pytest.mark.parametrize("indicator", INDICATORS, ids=lambda indicator: indicator.code)
def test_the_value_over_nothing_is_the_queries(engine: Store, indicator) -> None:
    """``Indicator.empty_value``, which the breakdown panels give a scope without rows, is what the
    indicator's own query gives for a scope without rows."""
    filters = {"street": "~"} if "street" in indicator.dimensions else {}
    value, _ = engine.indicator_sync(indicator, date(2026, 1, 1), date(2026, 12, 31), **filters)
    if not filters:  # no 街镇 dimension: the engine's own database has no facts at all
        assert engine.rows_sync("SELECT count() FROM events") == [(0,)]
    assert value == indicator.empty_value


def test_flexible_insurance_counts_people_once_and_grants_every_time(expected) -> None:
    """灵活就业社保补贴: the varied set grants some people several times, so the people (人) are fewer
    than the grants (人次) over the year, and the SQL's people equal the recount's (the tests above)."""
    people = expected[("flexible_insurance_people", *YEAR)]
    grants = expected[("flexible_insurance_granted", *YEAR)]
    assert people is not None and grants is not None and 0 < people < grants

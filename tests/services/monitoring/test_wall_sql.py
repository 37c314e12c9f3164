"""Every panel's and every alert rule's SQL runs on the real ClickHouse schema (chDB) after a sample
stream, returns the columns its panel reads, and shows the same figures as the statistics API; then
again on the monitoring tests' larger varied event set.

The sample events go through the monitoring service's own path (``Store.write_sync`` -> ``rows``);
Grafana's macros are substituted the way the ClickHouse plugin does (``$__fromTime`` becomes
``toDateTime(<unix seconds>)``, ``${street}`` the variable's value).
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from leye.bench.data.event_set import STREET_CODES, varied_events
from schemas import CloudEvent, new_event
from schemas.events import alert, community, layoff, referral, registration, statistics, vacancy
from schemas.fields import SHANGHAI, Industry
from schemas.ids import credit_code_check_char
from schemas.reference import DISTRICT_CODE, INDUSTRY_SECTIONS, STREETS
from schemas.vocab import (
    AlertLevel,
    AlertSource,
    CaseOrigin,
    CertificationLevel,
    ContactChannel,
    Education,
    EmploymentForm,
    FollowupOutcome,
    Gender,
    IndustrySection,
    KeyGroup,
    LayoffReason,
    ReferralDirection,
    RegistrationPlace,
    ScopeKind,
    SessionKind,
    UnemploymentReason,
    VacancyKind,
)
from services.monitoring.api import stats as stats_api
from services.monitoring.indicators.catalogue import BY_CODE, INDICATORS
from services.monitoring.indicators.targets import load as load_targets
from services.monitoring.indicators.targets import progress
from services.monitoring.ingest.encoding import encode_events
from services.monitoring.settings import DEFAULT_THRESHOLDS
from services.monitoring.store import Store
from services.monitoring.wall import panels as wall_panels
from services.monitoring.wall import sql as wall_sql
from services.monitoring.wall.alert_rules import wall_rules
from services.monitoring.wall.dashboard import PanelSpec
from services.monitoring.wall.labels import EVENT_TYPE_LABELS
from services.monitoring.warnings.thresholds import Thresholds, signal_indicator

A, B = "120111001", "120111101"  # 西营门街道, 杨柳青镇
FROM = datetime(2026, 1, 1, tzinfo=SHANGHAI)
TO = datetime(2026, 11, 20, 12, tzinfo=SHANGHAI)
TODAY = TO.date()
SOURCE = "/services/wall"
EMPLOYER = "91120111000000001" + credit_code_check_char("91120111000000001")


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI)


def _ref(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


A_EAST, A_WEST, B_EAST, B_WEST = "120111001901", "120111001902", "120111101901", "120111101902"
"""Communities of the sample (the shipped list's 西营东社区, 西营西社区, 杨柳东村, 杨柳西村)."""


def _community(name: str) -> str:
    """Where a sample person lives: u1–u6, b1 and b2 in 西营东社区, u7–u11 in 西营西社区."""
    return A_WEST if name.startswith("u") and int(name[1:]) > 6 else A_EAST


def _unemployed(name: str, day: date, groups: list[KeyGroup], since: date) -> CloudEvent:
    return new_event(registration.UnemploymentRegistered(
        person_ref=_ref(name), street_code=A, community_code=_community(name), key_groups=groups,
        unemployed_since=since, reason=UnemploymentReason.CONTRACT_ENDED, registered_on=day,
        registration_place=RegistrationPlace.RESIDENCE,
    ), source=SOURCE, time=_at(day))


def _employed(name: str, day: date) -> CloudEvent:
    return new_event(registration.EmploymentRegistered(
        person_ref=_ref(name), street_code=A, community_code=_community(name),
        key_groups=[KeyGroup.REGISTERED_UNEMPLOYED], form=EmploymentForm.EMPLOYED, employer_ref=EMPLOYER,
        employed_on=day, was_registered_unemployed=True,
    ), source=SOURCE, time=_at(day))


def _seeker(name: str, day: date) -> CloudEvent:
    return new_event(registration.JobseekerRegistered(
        person_ref=_ref(name), street_code=B, community_code=B_EAST, key_groups=[KeyGroup.RESIDENT],
        gender=Gender.FEMALE, age=30, education=Education.UNDERGRADUATE, registered_on=day,
    ), source=SOURCE, time=_at(day))


TITLES = {"v1": "数控车床操作工", "v2": "行政文员见习"}


def _posting(vacancy_id: str, kind: VacancyKind, headcount: int, day: date) -> CloudEvent:
    return new_event(vacancy.VacancyPosted(
        vacancy_id=vacancy_id, employer_ref=EMPLOYER, title=TITLES[vacancy_id],
        industry=Industry(section=IndustrySection("C")), street_code=B, kind=kind, headcount=headcount, salary_min=4000,
        salary_max=6000, valid_from=day, valid_until=date(2026, 12, 31),
    ), source=SOURCE, time=_at(day))


def _alert(alert_id: str, cls: type, day: date) -> CloudEvent:
    return new_event(cls(
        alert_id=alert_id, level=AlertLevel.ORANGE, scope_kind=ScopeKind.STREET, scope_code=A, signal="mass_layoff",
        value=30.0, threshold=1.0, window="30d", source=AlertSource.MONITOR,
    ), source=SOURCE, time=_at(day))


def sample_stream() -> list[CloudEvent]:
    """Street A: 13 unemployment registrations (11 in the last 7 days, 2 of them unemployed since March,
    one of those a 零就业家庭 member; 3 离校未就业 graduates, one followed up, one served by a 红娘),
    3 of those people employed again, a mass layoff with short notice, 15 % job loss, a 直播带岗 session,
    a 红娘 case, one open and one resolved warning. Street B: 4 job seekers and 15 open posts; in spring one
    零就业家庭 member (a 就业困难 离校未就业 graduate) registered unemployed, followed up and employed, and
    10 公益性 posts valid until March (so every 街镇 breakdown has a non-zero 街镇, for the group too)."""
    events = []
    for n in range(1, 12):
        day = TODAY - timedelta(days=n % 7)
        groups = [KeyGroup.REGISTERED_UNEMPLOYED] + ([KeyGroup.HARDSHIP] if n <= 2 else [])
        groups += [KeyGroup.ZERO_EMPLOYMENT_FAMILY] if n == 1 else []
        groups += [KeyGroup.GRADUATE_UNEMPLOYED] if n in (3, 4, 5) else []
        since = date(2026, 3, 1) if n <= 2 else day
        events.append(_unemployed(f"u{n}", day, groups, since))
    events.append(new_event(registration.FollowupRecorded(
        person_ref=_ref("u3"), street_code=A, key_groups=[KeyGroup.REGISTERED_UNEMPLOYED],
        channel=ContactChannel.PHONE, outcome=FollowupOutcome.STILL_UNEMPLOYED, followed_up_on=TODAY,
    ), source=SOURCE, time=_at(TODAY)))
    events += [_unemployed(name, date(2026, 10, 25), [KeyGroup.REGISTERED_UNEMPLOYED], date(2026, 10, 20))
               for name in ("b1", "b2")]
    events += [_employed(name, date(2026, 11, 18)) for name in ("u3", "b1", "b2")]
    events += [_seeker(f"s{n}", date(2026, 11, 10)) for n in range(1, 5)]
    events += [_posting("v1", VacancyKind.REGULAR, 10, date(2026, 11, 12)),
               _posting("v2", VacancyKind.TRAINEESHIP, 5, date(2026, 11, 12))]
    notified = date(2026, 11, 15)
    events.append(new_event(layoff.LayoffReported(
        report_id="l1", employer_ref=EMPLOYER, industry=Industry(section=IndustrySection("C")), street_code=A,
        staff_count=100, planned_cuts=30, reason=LayoffReason("restructuring"), notified_on=notified,
        planned_on=notified + timedelta(days=10), **_assessment(100, 30, notified, notified + timedelta(days=10)),
    ), source=SOURCE, time=_at(notified)))
    events.append(new_event(layoff.HeadcountReported(
        report_id="h1", employer_ref=EMPLOYER, month="2026-10", industry=Industry(section=IndustrySection("C")),
        street_code=A, baseline_headcount=200, current_headcount=170,
    ), source=SOURCE, time=_at(date(2026, 11, 5))))
    events.append(new_event(vacancy.RecruitmentSessionEnded(
        session_id="live1", kind=SessionKind.LIVESTREAM, street_code=A, ended_at=_at(date(2026, 11, 19)),
        viewers=100, applications=20, hires=3,
    ), source=SOURCE, time=_at(date(2026, 11, 19))))
    dispatched = _at(date(2026, 11, 19))
    events.append(new_event(referral.CaseDispatched(
        case_id="c1", station_code="st1", street_code=A, origin=CaseOrigin("person"), person_ref=_ref("u4"),
        contact_due_at=dispatched + timedelta(hours=8), referral_due_at=dispatched + timedelta(days=3),
    ), source=SOURCE, time=dispatched))
    events.append(new_event(referral.CaseContacted(
        case_id="c1", station_code="st1", street_code=A, contacted_at=dispatched + timedelta(hours=1),
        channel=ContactChannel.PHONE, on_time=True,
    ), source=SOURCE, time=dispatched + timedelta(hours=1)))
    events.append(new_event(referral.ReferralMade(
        case_id="c1", station_code="st1", street_code=A, referral_id="r1", person_ref=_ref("u4"), vacancy_id="v1",
        direction=ReferralDirection("person_to_job"), score=0.8, on_time=True,
    ), source=SOURCE, time=dispatched + timedelta(hours=2)))
    events.append(new_event(statistics.SurveyRateReported(
        period="2026-10", rate_percent=5.1, published_on=date(2026, 11, 15), source="国家统计局天津调查总队",
    ), source=SOURCE, time=_at(date(2026, 11, 15))))
    spring = [KeyGroup.REGISTERED_UNEMPLOYED, KeyGroup.ZERO_EMPLOYMENT_FAMILY, KeyGroup.HARDSHIP,
              KeyGroup.GRADUATE_UNEMPLOYED]
    events.append(new_event(registration.UnemploymentRegistered(
        person_ref=_ref("z1"), street_code=B, community_code=B_WEST, key_groups=spring,
        unemployed_since=date(2026, 5, 1),
        reason=UnemploymentReason.CONTRACT_ENDED, registered_on=date(2026, 5, 10),
        registration_place=RegistrationPlace.RESIDENCE,
    ), source=SOURCE, time=_at(date(2026, 5, 10))))
    events.append(new_event(registration.FollowupRecorded(
        person_ref=_ref("z1"), street_code=B, key_groups=spring, channel=ContactChannel.PHONE,
        outcome=FollowupOutcome.STILL_UNEMPLOYED, followed_up_on=date(2026, 5, 20),
    ), source=SOURCE, time=_at(date(2026, 5, 20))))
    events.append(new_event(registration.EmploymentRegistered(
        person_ref=_ref("z1"), street_code=B, key_groups=spring, form=EmploymentForm.EMPLOYED, employer_ref=EMPLOYER,
        employed_on=date(2026, 6, 1), was_registered_unemployed=True,
    ), source=SOURCE, time=_at(date(2026, 6, 1))))
    events.append(new_event(vacancy.VacancyPosted(
        vacancy_id="v3", employer_ref=EMPLOYER, title="社区服务", industry=Industry(section=IndustrySection("O")),
        street_code=B, kind=VacancyKind.PUBLIC_WELFARE, headcount=10, salary_min=2500, salary_max=3000,
        valid_from=date(2026, 2, 1), valid_until=date(2026, 3, 31),
    ), source=SOURCE, time=_at(date(2026, 2, 1))))
    events += [_alert("a1", alert.AlertRaised, date(2026, 11, 15)), _alert("a2", alert.AlertRaised, date(2026, 11, 1)),
               _alert("a2", alert.AlertResolved, date(2026, 11, 3))]
    return events + live_stream() + certifications()


def certifications() -> list[CloudEvent]:
    """充分就业社区 certified: in 2026 two 市级 (西营东, 西营西) and one 国家级 (西营东); in 2025 one 区级."""
    plan = [(A_EAST, CertificationLevel.MUNICIPAL, date(2026, 6, 1)), (A_WEST, CertificationLevel.MUNICIPAL,
            date(2026, 6, 1)), (A_EAST, CertificationLevel.NATIONAL, date(2026, 11, 2)),
            (B_EAST, CertificationLevel.DISTRICT, date(2025, 12, 1))]
    return [new_event(community.CommunityCertified(
        certification_id=f"cert{n}", community_code=code, street_code=code[:9], level=level, year=day.year,
        certified_on=day), source=SOURCE, time=_at(day)) for n, (code, level, day) in enumerate(plan)]


LIVE_START = _at(TODAY)


def live_stream() -> list[CloudEvent]:
    """A 直播带岗 in progress in street A at the wall's end (10:00–, the wall at 12:00): three viewer
    samples, and one more after the wall's end; three applications for two vacancies, one of them
    hired; and the day before, one application for yesterday's session, decided today."""
    base = {"session_id": "live2", "kind": SessionKind.LIVESTREAM, "street_code": A}
    events = [new_event(vacancy.RecruitmentSessionStarted(**base, started_at=LIVE_START), source=SOURCE,
                        time=LIVE_START)]
    for minutes, viewers in ((0, 120), (10, 480), (20, 300), (150, 900)):
        at = LIVE_START + timedelta(minutes=minutes)
        events.append(new_event(vacancy.RecruitmentViewersSampled(**base, sampled_at=at, viewers=viewers),
                                source=SOURCE, time=at))
    for n, (person, vacancy_id) in enumerate((("x", "v1"), ("y", "v1"), ("z", "v2"))):
        at = LIVE_START + timedelta(minutes=5 + n)
        app = {"application_id": f"app{n}", "vacancy_id": vacancy_id, "person_ref": _ref(person)}
        events.append(new_event(vacancy.RecruitmentApplicationReceived(**base, **app, applied_at=at),
                                source=SOURCE, time=at))
        if n == 0:
            decided = LIVE_START + timedelta(minutes=40)
            events.append(new_event(vacancy.RecruitmentApplicationDecided(**base, **app, hired=True,
                                                                          decided_at=decided),
                                    source=SOURCE, time=decided))
    yesterday = {"session_id": "live1", "kind": SessionKind.LIVESTREAM, "street_code": A,
                 "application_id": "app9", "vacancy_id": "v2", "person_ref": _ref("w")}
    applied = _at(TODAY - timedelta(days=1))
    events.append(new_event(vacancy.RecruitmentApplicationReceived(**yesterday, applied_at=applied),
                            source=SOURCE, time=applied))
    events.append(new_event(vacancy.RecruitmentApplicationDecided(**yesterday, hired=True,
                                                                  decided_at=LIVE_START + timedelta(minutes=1)),
                            source=SOURCE, time=LIVE_START + timedelta(minutes=1)))
    return events


def _assessment(total: int, cuts: int, notified: date, planned: date) -> dict:
    from schemas.events.layoff import assess_layoff

    mass, notice, compliant = assess_layoff(total, cuts, notified, planned)
    return {"is_mass_layoff": mass, "notice_days": notice, "notice_compliant": compliant}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One chDB engine for the module (one engine per process: closed again at the end)."""
    store = Store(f"chdb:///{tmp_path_factory.mktemp('wall-ch')}")
    store.open_sync()
    store.write_sync(encode_events(sample_stream()))
    store.refresh_sync()  # Grafana reads the state as the last refresh left it (the app's job refreshes)
    yield store
    store.close()


def grafana(sql: str, *, street: str = "", start: datetime = FROM, end: datetime = TO) -> str:
    """The SQL the ClickHouse plugin would send for this dashboard state."""
    start_s, end_s = int(start.timestamp()), int(end.timestamp())
    sql = re.sub(r"\$__timeFilter\((\w+)\)",
                 lambda m: f"{m[1]} >= toDateTime({start_s}) AND {m[1]} <= toDateTime({end_s})", sql)
    sql = sql.replace("$__fromTime", f"toDateTime({start_s})").replace("$__toTime", f"toDateTime({end_s})")
    sql = sql.replace("${street}", street)
    assert "$" not in sql, "a macro or variable was left unsubstituted"
    return sql


_RESULTS: dict[tuple[str, str], tuple[tuple[str, ...], list[tuple]]] = {}
"""Results of the module's panel queries, by store and SQL. The module's two stores are written once,
in their fixtures, so a query shared by panels (the KPIs', the per-街镇 one) or asked again by
another test gives the same rows: it runs once."""


def query(store: Store, spec: PanelSpec, *, street: str = "", start: datetime = FROM,
          end: datetime = TO) -> tuple[tuple[str, ...], list[tuple]]:
    """The panel's columns and rows, as Grafana shows them: from its query's result (shared by the
    KPIs), its own columns (``PanelSpec.take``); ``()`` and no rows for an empty list."""
    sql = grafana(spec.sql, street=street, start=start, end=end)
    if (store.dsn, sql) not in _RESULTS:
        result = store.client.query(sql)
        _RESULTS[store.dsn, sql] = (tuple(result.column_names), list(result.result_rows))
    column_names, rows = _RESULTS[store.dsn, sql]
    if not column_names:
        return (), []
    return spec.columns, spec.take(column_names, rows)


def run(store: Store, spec: PanelSpec, street: str = "") -> tuple[tuple[str, ...], list[tuple]]:
    start = TO - timedelta(days=int(spec.time_from.removesuffix("d"))) if spec.time_from else FROM
    return query(store, spec, street=street, start=start)


def api_value(store: Store, code: str, **filters: str) -> float | None:
    value, _people = store.indicator_sync(BY_CODE[code], FROM.date(), TODAY, **filters)
    return value


PANELS = wall_panels.wall_panels()


@pytest.mark.parametrize("spec", PANELS, ids=[spec.title for spec in PANELS])
@pytest.mark.parametrize("street", ["", A], ids=["全部", "西营门街道"])
def test_panel_sql_runs_and_returns_its_columns(store: Store, spec: PanelSpec, street: str) -> None:
    columns, rows = run(store, spec, street)
    assert columns == spec.columns
    assert rows, "the sample stream touches every panel"


KPI_CODES = (*wall_panels.KPI_CODES, *wall_panels.GROUP_KPI_CODES, *wall_panels.PLAN_KPI_CODES)
KPIS = {spec.prefix.removesuffix(wall_sql.KPI_SEPARATOR): spec for spec in PANELS if spec.prefix}
"""The wall's KPI panels by code: all share one query (``sql.kpis``), which is what these tests run."""


def test_the_kpis_share_one_query_the_per_street_panels_another_and_every_other_panel_has_its_own() -> None:
    assert set(KPIS) == set(KPI_CODES) and len({spec.sql for spec in KPIS.values()}) == 1
    per_street = {"求职电子地图", "用工电子地图", "各街镇就业失业情况", "岗位流失率（按街镇）"}
    assert {spec.sql for spec in PANELS if spec.title in per_street} == {wall_panels.STREET_SQL}
    others = [spec.sql for spec in PANELS if not spec.prefix and spec.title not in per_street]
    assert len(set(others)) == len(others) and wall_panels.STREET_SQL not in others


@pytest.mark.parametrize("code", KPI_CODES)
@pytest.mark.parametrize("street", ["", A, B], ids=["全部", "西营门街道", "杨柳青镇"])
def test_kpi_shows_what_the_statistics_api_shows(store: Store, code: str, street: str) -> None:
    spec = KPIS[code]
    _columns, [(value, *_progress)] = run(store, spec, street)
    assert value == api_value(store, code, street=street if "street" in BY_CODE[code].dimensions else "")


@pytest.mark.parametrize(
    ("code", "street", "expected"),
    [
        pytest.param("registered_unemployed", "", 10.0, id="登记失业人员 13 registered - 3 employed"),
        pytest.param("new_employment", A, 3.0, id="城镇新增就业 in 西营门街道"),
        pytest.param("long_term_unemployed", "", 2.0, id="长期失业 since March"),
        pytest.param("survey_unemployment_rate", "", 5.1, id="调查失业率 ingested"),
        pytest.param("vacancy_ratio", B, 15 / 4, id="求人倍率 15 posts over 4 seekers"),
        pytest.param("graduate_service_rate", A, 100 * 2 / 3, id="服务率 one followed up, one 红娘 case, one not"),
        pytest.param("zero_employment_family_unemployed", "", 1.0, id="零就业家庭 one member unemployed"),
        pytest.param("long_term_unemployed_share", A, 20.0, id="长期失业占比 2 of 10"),
        pytest.param("traineeship_posts", "", 5.0, id="见习岗位 one posting of 5"),
        pytest.param("public_welfare_posts", B, 10.0, id="公益性岗位 one posting of 10"),
    ],
)
def test_kpi_values_on_the_sample(store: Store, code: str, street: str, expected: float) -> None:
    _columns, [(value, *_progress)] = run(store, KPIS[code], street)
    assert value == pytest.approx(expected)


def test_the_second_row_has_the_group_and_plan_kpis_then_the_sessions() -> None:
    row = sorted((spec for spec in PANELS if spec.grid.y == wall_panels.KPI_HEIGHT), key=lambda spec: spec.grid.x)
    assert [(spec.title, spec.grid.x, spec.grid.w) for spec in row] == [
        ("离校未就业高校毕业生服务率", 0, 3), ("零就业家庭未就业人员", 3, 3), ("长期失业人员占比", 6, 3),
        ("见习岗位", 9, 3), ("公益性岗位", 12, 3), ("招聘活动与直播带岗", 15, 3),
        ("充分就业社区：就业率未达90%", 18, 3), ("充分就业社区认定（本年）", 21, 3)]


TARGETS = load_targets()
PROGRESS_CODES = [code for code in KPI_CODES if TARGETS.entries(code)]


@pytest.mark.parametrize("code", PROGRESS_CODES)
@pytest.mark.parametrize("day", [TODAY, date(2026, 1, 1), date(2026, 12, 31), date(2025, 6, 30), date(2028, 2, 29)],
                         ids=str)
def test_kpi_progress_is_the_pure_functions(store: Store, code: str, day: date) -> None:
    """The KPI's progress, computed in its SQL for the period containing the dashboard's end day, is
    what ``targets.progress`` gives for the same values: the year to date, and for a flow the value
    since the plan period's start."""
    end = datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=SHANGHAI)
    spec = KPIS[code]
    _columns, [row] = query(store, spec, end=end)
    shown = dict(zip(spec.columns, row, strict=True))
    entry = TARGETS.entry(code, day)
    assert entry is not None
    ytd, _people = store.indicator_sync(BY_CODE[code], date(day.year, 1, 1), day)
    assert shown["value"] == pytest.approx(ytd)
    since = store.indicator_sync(BY_CODE[code], entry.start, day)[0] if entry.kind == "flow" else None
    figures = progress(entry, day, ytd_value=shown["value"], period_value=since, tolerance=TARGETS.tolerance)
    assert (shown["status"], shown["target"]) == (figures.status, entry.value)
    if entry.kind == "flow":
        assert shown["expected"] == figures.expected and shown["period_value"] == pytest.approx(since)
        assert shown["period_target"] == entry.period_target


@pytest.mark.parametrize("code", PROGRESS_CODES)
def test_a_flows_progress_is_the_districts_only(store: Store, code: str) -> None:
    spec = KPIS[code]
    _columns, [row] = run(store, spec, A)
    shown = dict(zip(spec.columns, row, strict=True))
    assert shown["value"] == api_value(store, code, street=A if "street" in BY_CODE[code].dimensions else "")
    if TARGETS.entries(code)[0].kind == "flow":
        assert set(shown.values()) - {shown["value"]} <= {None}  # no target, expectation or status for a 街镇
    else:
        assert shown["status"] in ("on_track", "behind") or shown["value"] is None


def test_streets_side_by_side_has_every_street_with_its_own_figures(store: Store) -> None:
    spec = wall_panels.streets_side_by_side()
    columns, rows = run(store, spec)
    assert len(rows) == 12 and [row[1] for row in rows] == sorted(row[1] for row in rows)
    by_code = {row[1]: dict(zip(columns, row, strict=True)) for row in rows}
    assert by_code[A]["street"] == "西营门街道"
    for code, row in by_code.items():
        assert row["registered_unemployed"] == api_value(store, "registered_unemployed", street=code)
    assert by_code[A]["registered_unemployed"] == 10 and by_code[B]["registered_unemployed"] == 0


def test_key_groups_count_each_group(store: Store) -> None:
    _columns, rows = run(store, wall_panels.key_groups())
    counts = dict(rows)
    assert list(counts) == [group.label for group in KeyGroup]
    assert counts[KeyGroup.HARDSHIP.label] == 2
    assert counts[KeyGroup.REGISTERED_UNEMPLOYED.label] == 10
    assert counts[KeyGroup.ZERO_EMPLOYMENT_FAMILY.label] == api_value(store, "zero_employment_family_unemployed") == 1
    assert counts[KeyGroup.GRADUATE_UNEMPLOYED.label] == 2  # u3 found work


def test_layoffs_by_industry_lists_only_industries_with_layoffs(store: Store) -> None:
    _columns, rows = run(store, wall_panels.layoffs_by_industry())
    assert rows == [("制造业", 30.0, 1.0, 1.0)]


def test_trend_has_one_row_per_week_ending_today(store: Store) -> None:
    columns, rows = run(store, wall_panels.trends())
    assert len(rows) == wall_panels.TREND_WEEKS
    last = dict(zip(columns, rows[-1], strict=True))
    assert last["time"].replace(tzinfo=UTC) == datetime(TODAY.year, TODAY.month, TODAY.day, tzinfo=SHANGHAI)
    assert last["unemployment_registrations"] == 11
    assert last["registered_unemployed"] == 10


def test_sessions_and_sla(store: Store) -> None:
    _columns, [row] = run(store, wall_panels.sessions())
    workdays = sum(1 for n in range((TODAY - FROM.date()).days + 1) if (FROM.date() + timedelta(days=n)).weekday() < 5)
    assert row == (1.0, pytest.approx(100 / workdays), 1.0, 20.0, 3.0)  # live1 ended on Thursday 19 November
    _columns, [row] = run(store, wall_panels.matchmaker_sla())
    assert row == (100.0, 100.0)


def test_the_live_panels_show_the_session_in_progress_up_to_the_walls_end(store: Store) -> None:
    columns, rows = run(store, wall_panels.live_viewers())
    assert [(row[0].replace(tzinfo=UTC), row[1]) for row in rows] == [
        (LIVE_START + timedelta(minutes=m), v) for m, v in ((0, 120), (10, 480), (20, 300))]
    _columns, rows = run(store, wall_panels.live_vacancies())
    assert rows == [("数控车床操作工", 2, 1), ("行政文员见习", 1, 0)]  # yesterday's session's hire is not this one's
    assert run(store, wall_panels.live_viewers(), street=B)[1] == []
    assert api_value(store, "live_applications", street=A) == 4 and api_value(store, "live_hires") == 2


def check_communities(store: Store, street: str, start: datetime, end: datetime) -> tuple[tuple, list, tuple]:
    """The three 充分就业社区 panels at ``end`` against ``/stats/communities`` and
    ``/stats/communities/certifications`` (the API's own handlers on the same store); their rows."""
    rows = asyncio.run(stats_api.communities(store, street_code=street or None, end=end.date())).communities
    _columns, [standard] = query(store, wall_panels.community_standard(), street=street, start=start, end=end)
    assert standard == (sum(1 for row in rows if row.below_standard), sum(1 for row in rows if row.rate is not None))
    _columns, lowest = query(store, wall_panels.lowest_communities(), street=street, start=start, end=end)
    rated = sorted((row for row in rows if row.rate is not None), key=lambda row: (row.rate, row.community_code))
    assert lowest == [(row.community_name, row.rate) for row in rated[:wall_panels.LOWEST_COMMUNITIES]]
    progress = asyncio.run(stats_api.certification_progress(store, year=end.year))
    levels = {level.level.value: level for level in progress.levels}
    _columns, [certified] = query(store, wall_panels.community_certifications(), street=street, start=start, end=end)
    municipal, national = levels["municipal"], levels["national"]
    assert certified == (municipal.certified, national.certified, "met" if municipal.met and national.met else "open",
                         municipal.target, national.target)
    return standard, lowest, certified


@pytest.mark.parametrize("street", ["", A, B], ids=["全部", "西营门街道", "杨柳青镇"])
def test_the_community_panels_show_what_the_statistics_api_shows(store: Store, street: str) -> None:
    standard, lowest, certified = check_communities(store, street, FROM, TO)
    # 西营东 3 of 8 employed, 西营西 0 of 5, 杨柳东 0 of 4 job seekers, 杨柳西 1 of 1
    expected = {"": ((3, 4), [("西营西社区", 0.0), ("杨柳东村", 0.0), ("西营东社区", 37.5), ("杨柳西村", 100.0)]),
                A: ((2, 2), [("西营西社区", 0.0), ("西营东社区", 37.5)]),
                B: ((1, 2), [("杨柳东村", 0.0), ("杨柳西村", 100.0)])}
    assert (standard, lowest) == expected[street]
    assert certified == (2, 1, "open", 3, 1)  # the district's whatever the 街镇; 2025's 区级 not counted


def test_open_warnings_leave_out_resolved_ones(store: Store) -> None:
    columns, rows = run(store, wall_panels.open_warnings())
    assert [dict(zip(columns, row, strict=True))["scope"] for row in rows] == [A]
    assert rows[0][1] == "orange"
    _columns, rows = run(store, wall_panels.open_warnings(), street=B)
    assert rows == []


def test_latest_events_show_no_subject_and_known_types(store: Store) -> None:
    columns, rows = run(store, wall_panels.latest_events())
    shown = [e for e in sample_stream() if FROM <= e.time <= TO and e.type in EVENT_TYPE_LABELS]
    newest = max(e.time for e in shown)
    recent = {e.id for e in shown if e.time >= newest - timedelta(days=wall_panels.LATEST_DAYS)}
    assert len(recent) > wall_panels.LATEST_EVENTS // 2  # not vacuous: the window holds events
    assert columns == ("time", "type", "street_code")
    assert len(rows) == min(len(recent), wall_panels.LATEST_EVENTS)
    assert {row[1] for row in rows} <= set(EVENT_TYPE_LABELS)
    assert [row[0] for row in rows] == sorted((row[0] for row in rows), reverse=True)


def test_street_variable_offers_all_and_the_twelve(store: Store) -> None:
    rows = store.client.query(wall_sql.street_options()).result_rows
    assert rows[0] == ("", "全部") and len(rows) == 13


RULES = wall_rules(Thresholds.load(DEFAULT_THRESHOLDS))


@pytest.mark.parametrize("rule", RULES, ids=[rule.uid for rule in RULES])
def test_alert_rule_sql_runs_and_returns_label_and_value(store: Store, rule) -> None:
    result = store.client.query(grafana(rule.sql, start=TO - timedelta(seconds=rule.lookback_s)))
    assert tuple(result.column_names) == (("scope_code", "value") if result.result_rows else ())
    values = dict(result.result_rows)
    firing = {code for code, value in values.items()
              if (value >= rule.threshold if rule.comparison == "gte" else value <= rule.threshold)}
    expected = {
        "registration_surge": {A},  # 11 in 7 days against 2 in the 4 weeks before: 22×
        # (200 - 170) / 200 = 15 % in A, the one monitored enterprise, of manufacturing (C)
        "job_loss_rate": ({A} if rule.scope_kind is ScopeKind.STREET else {"C"}) if rule.threshold <= 15 else set(),
        # A: no posts for its 10 seekers (at the floor); B: 15 posts but only 4 seekers, under the floor;
        # the district: 15 posts for 14 seekers, 1.07
        "vacancy_ratio": {A} if rule.scope_kind is ScopeKind.STREET else set(),
        # A: 2 of its 10 since March make 20 %, but 2 people are under the floor of 5 long-term unemployed
        "long_term_unemployment": set(),
        "survey_rate": {DISTRICT_CODE} if rule.threshold <= 5.1 else set(),  # October's 5.1 %
    }[rule.signal]
    assert firing == expected
    if rule.signal == "vacancy_ratio" and rule.scope_kind is ScopeKind.DISTRICT:
        assert values == {DISTRICT_CODE: pytest.approx(15 / 14)}
    if rule.signal == "vacancy_ratio" and rule.scope_kind is ScopeKind.STREET:
        assert values == {A: 0.0}  # B has a value (3.75) but not the 10 seekers the floor asks for
    if rule.signal == "long_term_unemployment":
        assert values == {} and api_value(store, "long_term_unemployed_share", street=A) == 20.0


MAP_READS = {
    # column: (indicator, group, the indicator's value or the people it rests on)
    "job_seekers": ("vacancy_ratio", "", "people"),
    "registered_unemployed": ("registered_unemployed", "", "value"),
    "long_term": ("long_term_unemployed", "", "value"),
    "hardship": ("registered_unemployed", "hardship", "value"),
    "graduates": ("registered_unemployed", "graduate_unemployed", "value"),
    "zero_employment_family": ("zero_employment_family_unemployed", "", "value"),
    "zero_employment_families": ("zero_employment_families", "", "value"),
    "open_posts": ("open_vacancy_headcount", "", "value"),
    "vacancy_ratio": ("vacancy_ratio", "", "value"),
}


def same(value: float | None, expected: float | None) -> bool:
    return value is expected is None or (expected is not None and value == pytest.approx(expected))


def stations_named(events: list[CloudEvent], end: datetime) -> dict[str, int]:
    """The 红娘 stations each 街镇's case dispatches up to ``end`` name, counted from the events."""
    named: dict[str, set[str]] = {}
    for event in events:
        if isinstance(event.data, referral.CaseDispatched) and event.time.astimezone(SHANGHAI).date() <= end.date():
            named.setdefault(event.data.street_code, set()).add(event.data.station_code)
    return {street: len(stations) for street, stations in named.items()}


def check_maps(store: Store, events: list[CloudEvent], start: datetime, end: datetime,
               ) -> dict[str, dict[str, dict]]:
    """Both maps' rows by title and 街镇 code, each figure checked against the indicator's own query
    for that 街镇 (and group), the stations against the stations the 街镇's case events name."""
    stations = stations_named(events, end)
    found = {}
    for spec in (wall_panels.jobseeker_map(), wall_panels.employer_map()):
        result = store.client.query(grafana(spec.sql, start=start, end=end))
        rows = [dict(zip(result.column_names, row, strict=True)) for row in result.result_rows]
        assert [row["street_code"] for row in rows] == sorted(STREETS)
        for row in rows:
            code = row["street_code"]
            assert (row["street"], (row["lon"], row["lat"])) == (STREETS[code].name, STREETS[code].position)
            for column in spec.columns[4:]:
                if column == "stations":
                    expected = stations.get(code, 0)
                else:
                    ind, group, part = MAP_READS[column]
                    value, people = store.indicator_sync(BY_CODE[ind], start.date(), end.date(), street=code,
                                                         group=group)
                    expected = value if part == "value" else people
                assert same(row[column], expected), (spec.title, code, column, row[column], expected)
        found[spec.title] = {row["street_code"]: row for row in rows}
    return found


def test_the_maps_show_each_streets_own_figures(store: Store) -> None:
    maps = check_maps(store, sample_stream(), FROM, TO)
    seekers = maps["求职电子地图"]
    assert (seekers[B]["job_seekers"], seekers[A]["registered_unemployed"], seekers[A]["hardship"]) == (4, 10, 2)
    assert (seekers[A]["graduates"], seekers[A]["long_term"], seekers[A]["zero_employment_family"]) == (2, 2, 1)
    jobs = maps["用工电子地图"]
    assert (jobs[B]["open_posts"], jobs[B]["vacancy_ratio"], jobs[A]["stations"], jobs[B]["stations"]) == (
        15, 15 / 4, 1, 0)
    assert jobs[A]["vacancy_ratio"] == 0 and jobs["120111106"]["vacancy_ratio"] is None  # no seekers: no ratio


def test_the_maps_are_drawn_where_the_reference_data_places_the_streets() -> None:
    tiles = [street.tile for street in STREETS.values()]
    assert len(set(tiles)) == len(tiles)
    by_name = {street.name: street.position for street in STREETS.values()}
    # relative positions the layout promises: the seat 杨柳青 west of 中北 and 西营门, 王稳庄 furthest south
    assert by_name["杨柳青镇"][0] < by_name["中北镇"][0] < by_name["西营门街道"][0]
    assert by_name["王稳庄镇"][1] == min(lat for _lon, lat in by_name.values())
    assert by_name["辛口镇"][0] == min(lon for lon, _lat in by_name.values())


def test_job_loss_rate_by_street_and_by_industry(store: Store) -> None:
    columns, rows = run(store, wall_panels.job_loss_by_street())
    by_code = {row[1]: dict(zip(columns, row, strict=True)) for row in rows}
    assert list(by_code) == sorted(STREETS)
    for code, row in by_code.items():
        assert same(row["job_loss_rate"], api_value(store, "job_loss_rate", street=code)), code
    assert by_code[A]["job_loss_rate"] == pytest.approx(15.0) and by_code[B]["job_loss_rate"] is None
    for street in ("", A, B):
        _columns, rows = run(store, wall_panels.job_loss_by_industry(), street)
        assert rows == ([("制造业", pytest.approx(15.0))] if street != B else [])


def test_station_ranking_rates_the_station_as_matching_does(store: Store) -> None:
    from services.matching.domain import rate

    columns, rows = run(store, wall_panels.station_stars())
    [row] = [dict(zip(columns, row, strict=True)) for row in rows]
    assert (row["station_code"], row["street_code"], row["cases"]) == ("st1", A, 1)
    assert (row["deadlines_met"], row["deadlines_due"], row["cases_closed"], row["cases_placed"]) == (2, 2, 0, 0)
    assert row["stars"] == rate(2, 2, 0, 0).stars == 3
    assert run(store, wall_panels.station_stars(), B)[1] == []


# --- the monitoring tests' varied event set: every panel and rule again, on a larger, messier stream ---

YEAR_START = datetime(2026, 1, 1, tzinfo=SHANGHAI)
YEAR_END = datetime(2026, 12, 31, 23, 59, 59, tzinfo=SHANGHAI)


@pytest.fixture(scope="module")
def varied(store: Store) -> Iterator[Store]:
    """``event_set.varied_events`` in a second database of the same chDB engine (one engine per process)."""
    store.client.command("CREATE DATABASE IF NOT EXISTS varied")
    other = Store(f"{store.dsn}?database=varied")
    other.open_sync()
    other.write_sync(encode_events(varied_events(seed=7)))
    other.refresh_sync()
    yield other
    other.close()


@pytest.mark.parametrize("spec", PANELS, ids=[spec.title for spec in PANELS])
def test_panel_sql_on_the_varied_stream(varied: Store, spec: PanelSpec) -> None:
    start = YEAR_END - timedelta(days=int(spec.time_from.removesuffix("d"))) if spec.time_from else YEAR_START
    for street in ("", B):
        columns, _rows = query(varied, spec, street=street, start=start, end=YEAR_END)
        assert columns in (spec.columns, ())  # () when a list is empty


@pytest.mark.parametrize("code", KPI_CODES)
def test_kpi_equals_the_api_on_the_varied_stream(varied: Store, code: str) -> None:
    _columns, [(value, *_progress)] = query(varied, KPIS[code], start=YEAR_START, end=YEAR_END)
    expected, _people = varied.indicator_sync(BY_CODE[code], YEAR_START.date(), YEAR_END.date())
    assert value == pytest.approx(expected)


def test_streets_side_by_side_equal_the_api_on_the_varied_stream(varied: Store) -> None:
    spec = wall_panels.streets_side_by_side()
    result = varied.client.query(grafana(spec.sql, start=YEAR_START, end=YEAR_END))
    for row in result.result_rows:
        figures = dict(zip(result.column_names, row, strict=True))
        for column in ("registered_unemployed", "unemployment_registrations", "new_employment"):
            expected, _people = varied.indicator_sync(BY_CODE[column], YEAR_START.date(), YEAR_END.date(),
                                                      street=figures["street_code"])
            assert figures[column] == expected, (figures["street"], column)


@pytest.mark.parametrize("rule", RULES, ids=[rule.uid for rule in RULES])
def test_alert_rule_values_equal_the_api_on_the_varied_stream(varied: Store, rule) -> None:
    start = YEAR_END - timedelta(seconds=rule.lookback_s)
    result = varied.client.query(grafana(rule.sql, start=start, end=YEAR_END))
    indicator = BY_CODE[signal_indicator(rule.signal)]
    assert result.result_rows or rule.signal == "registration_surge"  # the year's end has no recent surge
    for scope_code, value in result.result_rows:
        scope = {ScopeKind.STREET: {"street": scope_code}, ScopeKind.INDUSTRY: {"industry": scope_code}}
        expected, _people = varied.indicator_sync(indicator, start.date(), YEAR_END.date(),
                                                  **scope.get(rule.scope_kind, {}))
        assert value == pytest.approx(expected)


GROUPED = [indicator for indicator in INDICATORS if indicator.groups_by_street]


def test_the_stock_indicators_have_a_by_street_form() -> None:
    assert {indicator.code for indicator in GROUPED} >= {
        "registered_unemployed", "long_term_unemployed", "long_term_unemployed_share", "vacancy_ratio",
        "job_loss_rate", "zero_employment_family_unemployed"}


@pytest.mark.parametrize("indicator", GROUPED, ids=lambda indicator: indicator.code)
@pytest.mark.parametrize("group", ["", "zero_employment_family"])
def test_all_streets_in_one_query_equal_one_query_per_street(request: pytest.FixtureRequest, store: Store, indicator,
                                                            group: str) -> None:
    # The sample stream leaves most 街镇 empty, so the value a 街镇 without rows gets is checked too. It
    # has no programme, household, enterprise, 政策找人 or 孵化基地 events (nor people granted a programme): their
    # indicators are checked on the varied stream.
    if any(measure in indicator.sql for measure in ("measure = 'programme_", "measure = 'household_",
                                                    "'zero_families'", "enterprise_facts", "measure = 'policy_",
                                                    "measure = 'incubator_", "kind = 'programme_granted:")):
        store = request.getfixturevalue("varied")
    group = group if "group" in indicator.dimensions else ""
    by_street = store.indicator_by_street_sync(indicator, FROM.date(), TODAY, group=group)
    one_by_one = {street: store.indicator_sync(indicator, FROM.date(), TODAY, street=street, group=group)
                  for street in STREETS}
    assert list(by_street) == list(STREETS)
    for street, (value, people) in one_by_one.items():
        assert by_street[street][0] == pytest.approx(value), street
        assert by_street[street][1] == people, street
    # a 街镇 is empty when it has the value over nothing (NULL for a rate, 0 for a count)
    assert any(value != indicator.empty_value for value, _ in by_street.values()), "vacuous: every 街镇 empty"


def test_the_maps_equal_the_api_on_the_varied_stream(varied: Store) -> None:
    maps = check_maps(varied, varied_events(seed=7), YEAR_START, YEAR_END)
    assert all(any(row[column] for row in rows.values()) for rows in maps.values()
               for column in next(iter(rows.values())) if column not in ("lon", "lat")), "a figure is 0 everywhere"


@pytest.mark.parametrize("street", ["", B])
def test_the_community_panels_equal_the_api_on_the_varied_stream(varied: Store, street: str) -> None:
    standard, lowest, certified = check_communities(varied, street, YEAR_START, YEAR_END)
    assert standard[1] > 3 and lowest and certified[:2] == (2, 1)  # not vacuous: 2026 has 2 市级 and 1 国家级


def test_job_loss_rate_by_industry_equals_the_api_on_the_varied_stream(varied: Store) -> None:
    for street in ("", B):
        result = varied.client.query(grafana(wall_panels.job_loss_by_industry().sql, street=street, start=YEAR_START,
                                             end=YEAR_END))
        shown = dict(result.result_rows)
        for section in INDUSTRY_SECTIONS.values():
            expected, _people = varied.indicator_sync(BY_CODE["job_loss_rate"], YEAR_START.date(), YEAR_END.date(),
                                                      street=street, industry=section.code)
            assert same(shown.get(section.name), expected), section.name
        assert shown or street


def station_counts(events: list[CloudEvent], start: date, end: date, street: str = "") -> dict[str, list[int]]:
    """Per station, its cases first dispatched from ``start`` to ``end`` (in ``street``, if given) and,
    of them, deadlines met, deadlines due, closed and placed cases, counted here from the events."""
    cases: dict[str, dict[str, object]] = {}
    for event in sorted(events, key=lambda e: (e.time, e.id)):
        data = event.data
        if not isinstance(data, referral.CaseDispatched | referral.CaseContacted | referral.ReferralMade |
                          referral.CaseSlaBreached | referral.CaseClosed | referral.ReferralOutcome):
            continue
        case = cases.setdefault(data.case_id, {"flags": set(), "dispatched": None})
        flags = case["flags"]
        assert isinstance(flags, set)
        if isinstance(data, referral.CaseDispatched):
            if case["dispatched"] is None:
                case.update(dispatched=event.time.astimezone(SHANGHAI).date(), station=data.station_code,
                            street=data.street_code)
        elif isinstance(data, referral.CaseContacted):
            flags.add("contact_due")
            flags.update({"contact_met"} if data.on_time else set())
        elif isinstance(data, referral.ReferralMade):
            flags.add("referral_due")
            flags.update({"referral_met"} if data.on_time else set())
        elif isinstance(data, referral.CaseSlaBreached):
            flags.add(f"{data.sla.value}_due")
        elif isinstance(data, referral.CaseClosed):
            flags.add("closed")
        elif data.outcome.value == "hired":
            flags.add("placed")
    stations: dict[str, list[int]] = {}
    for case in cases.values():
        dispatched = case["dispatched"]
        if not isinstance(dispatched, date) or not start <= dispatched <= end or street not in ("", case["street"]):
            continue
        flags = case["flags"]
        assert isinstance(flags, set)
        counts = stations.setdefault(str(case["station"]), [0, 0, 0, 0, 0])
        counts[0] += 1
        counts[1] += ("contact_met" in flags) + ("referral_met" in flags)
        counts[2] += ("contact_due" in flags) + ("referral_due" in flags)
        counts[3] += "closed" in flags
        counts[4] += "closed" in flags and "placed" in flags
    return stations


def check_station_ranking(store: Store, events: list[CloudEvent], start: datetime, end: datetime,
                          street: str = "") -> None:
    """The ranking's rows against :func:`station_counts`, its stars by the matching service's own
    formula, in order, and the stations left out rated no better than the last shown."""
    from services.matching.domain import rate

    stations = station_counts(events, start.date(), end.date(), street)
    spec = wall_panels.station_stars()
    result = store.client.query(grafana(spec.sql, street=street, start=start, end=end))
    rows = [dict(zip(result.column_names, row, strict=True)) for row in result.result_rows]
    assert len(rows) == min(len(stations), wall_panels.RANKED_STATIONS)
    for row in rows:
        cases_, met, due, closed, placed = stations[row["station_code"]]
        assert (row["cases"], row["deadlines_met"], row["deadlines_due"], row["cases_closed"], row["cases_placed"]) == (
            cases_, met, due, closed, placed), row["station_code"]
        assert row["stars"] == rate(due, met, closed, placed).stars, row["station_code"]
    ranked = [(row["stars"], row["deadlines_met"] / max(row["deadlines_due"], 1)) for row in rows]
    assert ranked == sorted(ranked, reverse=True)
    ranked_out = sorted(set(stations) - {row["station_code"] for row in rows})
    best_left = max((rate(*[stations[code][i] for i in (2, 1, 3, 4)]).stars or 0 for code in ranked_out), default=0)
    assert not rows or best_left <= rows[-1]["stars"]  # the 20 shown are the best rated


@pytest.mark.parametrize("street", ["", STREET_CODES[0]])
def test_station_ranking_equals_a_count_of_the_case_events(varied: Store, street: str) -> None:
    """Each station's figures counted here from the events themselves, its stars by the matching
    service's own formula."""
    assert station_counts(varied_events(seed=7), YEAR_START.date(), YEAR_END.date(), street)
    check_station_ranking(varied, varied_events(seed=7), YEAR_START, YEAR_END, street)

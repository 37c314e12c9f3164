"""The warning rules without I/O: levels with hysteresis (rising and falling signals), touched scopes,
the thresholds file, and the engine's life cycle per signal on a stand-in store."""

from __future__ import annotations

import asyncio
import time
from datetime import date
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from leye.bench.data.event_set import credit_code, person_ref
from schemas import new_event
from schemas.events import enterprise, layoff, registration, statistics, vacancy
from schemas.events.layoff import LayoffReported, assess_layoff
from schemas.fields import Industry
from schemas.reference import DISTRICT_CODE, STREETS
from schemas.vocab import (
    AlertLevel,
    ClosureReason,
    ContactChannel,
    Education,
    EmploymentForm,
    EnterpriseIssueKind,
    FollowupOutcome,
    Gender,
    IndustrySection,
    KeyGroup,
    LayoffReason,
    RegistrationKind,
    RegistrationPlace,
    ScopeKind,
    UnemploymentReason,
    VacancyCloseReason,
    VacancyKind,
)
from services.monitoring.ingest.scopes import touched_scopes
from services.monitoring.settings import DEFAULT_THRESHOLDS
from services.monitoring.warnings import engine as warning_engine
from services.monitoring.warnings.engine import Warnings
from services.monitoring.warnings.levels import next_level
from services.monitoring.warnings.thresholds import Thresholds

Y, OR_, R = AlertLevel.YELLOW, AlertLevel.ORANGE, AlertLevel.RED
LEVELS = {Y: 10.0, OR_: 20.0, R: 40.0}


@pytest.mark.parametrize(("value", "current", "expected"), [
    pytest.param(5.0, None, None, id="below yellow: nothing"),
    pytest.param(10.0, None, Y, id="at yellow: raise yellow"),
    pytest.param(45.0, None, R, id="straight to red"),
    pytest.param(25.0, Y, OR_, id="up a level at once"),
    pytest.param(9.0, Y, Y, id="just below yellow stays (band 8..10)"),
    pytest.param(7.9, Y, None, id="below the band resolves"),
    pytest.param(17.0, OR_, OR_, id="orange kept inside its band (16..20)"),
    pytest.param(15.0, OR_, Y, id="below orange's band steps down to yellow"),
    pytest.param(2.0, R, None, id="collapse resolves"),
    pytest.param(None, None, None, id="no value, nothing open"),
    pytest.param(None, OR_, None, id="no value resolves"),
])
def test_levels_rise_at_once_and_fall_with_hysteresis(value, current, expected) -> None:
    assert next_level(value, current, LEVELS, 0.8) == expected


def test_the_shipped_thresholds_load_and_order_their_levels() -> None:
    thresholds = Thresholds.load(DEFAULT_THRESHOLDS)
    assert 0 < thresholds.hysteresis < 1
    rules = thresholds.rules
    for rule in (rules.mass_layoff, rules.registration_surge, rules.job_loss_rate, rules.sla_breach,
                 rules.long_term_unemployment, rules.survey_rate, rules.enterprise_issue_overdue):
        assert rule.levels[Y] < rule.levels[OR_] < rule.levels[R]
    assert rules.vacancy_ratio.levels[Y] > rules.vacancy_ratio.levels[OR_] > rules.vacancy_ratio.levels[R]
    assert thresholds.rules.mass_layoff.short_notice_level == OR_


def _layoff(cuts: int) -> LayoffReported:
    assessed = assess_layoff(100, cuts, date(2026, 5, 1), date(2026, 5, 20))
    return LayoffReported(report_id="lr-1", employer_ref=credit_code(1), industry=Industry(section=IndustrySection.C),
                          street_code="120111001", staff_count=100, planned_cuts=cuts,
                          reason=LayoffReason.OTHER, notified_on=date(2026, 5, 1), planned_on=date(2026, 5, 20),
                          is_mass_layoff=assessed.is_mass, notice_days=assessed.notice_days,
                          notice_compliant=assessed.compliant)


@pytest.mark.parametrize(("cuts", "expected"), [
    pytest.param(10, {("mass_layoff", ScopeKind.STREET, "120111001"), ("mass_layoff", ScopeKind.INDUSTRY, "C")},
                 id="mass layoff touches its 街镇 and industry"),
    pytest.param(5, set(), id="a small layoff touches nothing"),
])
def test_touched_scopes(cuts: int, expected: set) -> None:
    assert touched_scopes([new_event(_layoff(cuts), source="/services/vacancies")]) == expected


# --- falling signals: direction "below", the band mirrored upwards --------------------------------------

FALLING = {Y: 1.0, OR_: 0.8, R: 0.5}


@pytest.mark.parametrize(("value", "current", "expected"), [
    pytest.param(1.2, None, None, id="above yellow: nothing"),
    pytest.param(1.0, None, Y, id="at yellow: raise yellow"),
    pytest.param(0.3, None, R, id="straight to red"),
    pytest.param(0.75, Y, OR_, id="down a level at once"),
    pytest.param(1.2, Y, Y, id="just above yellow stays (band 1.0..1.25)"),
    pytest.param(1.25, Y, Y, id="at the band's edge stays"),
    pytest.param(1.3, Y, None, id="above the band resolves"),
    pytest.param(0.95, OR_, OR_, id="orange kept inside its band (0.8..1.0)"),
    pytest.param(1.1, OR_, Y, id="above orange's band steps back to yellow"),
    pytest.param(0.6, R, R, id="red kept inside its band (0.5..0.625)"),
    pytest.param(0.7, R, OR_, id="above red's band steps back to orange"),
    pytest.param(2.0, R, None, id="recovery resolves"),
    pytest.param(None, OR_, None, id="no value (no job seekers) resolves"),
])
def test_falling_levels_rise_at_once_and_recover_with_mirrored_hysteresis(value, current, expected) -> None:
    assert next_level(value, current, FALLING, 0.8, "below") == expected


def test_a_rising_rule_is_unchanged_by_the_direction_argument() -> None:
    for value in (0.0, 5.0, 7.9, 8.0, 9.0, 10.0, 16.0, 20.0, 45.0):
        for current in (None, Y, OR_, R):
            assert next_level(value, current, LEVELS, 0.8, "above") == next_level(value, current, LEVELS, 0.8)


@pytest.mark.parametrize(("rule", "message"), [
    pytest.param({"direction": "below", "levels": {"yellow": 0.5, "orange": 0.8, "red": 1.0}}, "must fall",
                 id="below with rising thresholds"),
    pytest.param({"levels": {"yellow": 5.5, "orange": 5.3, "red": 5.0}}, "must rise", id="above with falling ones"),
    pytest.param({"levels": {"yellow": 5.0, "orange": 5.3, "red": 5.5}, "hysteresis": 1.5}, "less than or equal",
                 id="a hysteresis above 1"),
])
def test_thresholds_whose_levels_contradict_their_direction_are_rejected(rule: dict, message: str) -> None:
    document = yaml.safe_load(DEFAULT_THRESHOLDS.read_text("utf-8"))
    document["rules"]["survey_rate"] = rule
    with pytest.raises(ValidationError, match=message):
        Thresholds.model_validate(document)


def test_the_new_rules_ship_with_their_documented_defaults() -> None:
    thresholds = Thresholds.load(DEFAULT_THRESHOLDS)
    rules = thresholds.rules
    assert (rules.vacancy_ratio.direction, rules.vacancy_ratio.levels) == ("below", {Y: 1.0, OR_: 0.8, R: 0.5})
    assert rules.vacancy_ratio.min_seekers == 10
    assert rules.long_term_unemployment.levels == {Y: 10.0, OR_: 20.0, R: 30.0}
    assert rules.long_term_unemployment.min_long_term == 5
    assert rules.survey_rate.levels == {Y: 5.0, OR_: 5.3, R: 5.5}
    assert (thresholds.hysteresis_of("survey_rate"), thresholds.hysteresis_of("vacancy_ratio")) == (0.98, 0.8)
    assert rules.sla_breach.min_cases == 10


# --- touched scopes of the new signals ------------------------------------------------------------------

STREET = "120111001"
OTHER_STREET = "120111101"
DISTRICT = ("vacancy_ratio", ScopeKind.DISTRICT, DISTRICT_CODE)


def _person(cls: type, **extra: object) -> object:
    fields = {"person_ref": person_ref(1), "street_code": STREET, "key_groups": [KeyGroup.RESIDENT]}
    return new_event(cls(**fields, **extra), source="/services/registration")


def _posting(cls: type, **extra: object) -> object:
    return new_event(cls(vacancy_id="vac-1", **extra), source="/services/vacancies")


_POSTED = {"employer_ref": credit_code(1), "title": "普工", "industry": Industry(section=IndustrySection.C),
           "street_code": OTHER_STREET, "kind": VacancyKind.REGULAR, "headcount": 3, "salary_min": 4000,
           "salary_max": 6000, "valid_from": date(2026, 5, 1), "valid_until": date(2026, 8, 1)}


@pytest.mark.parametrize(("event", "expected"), [
    pytest.param(_person(registration.JobseekerRegistered, gender=Gender.FEMALE, age=30,
                         education=Education.UNDERGRADUATE, registered_on=date(2026, 5, 1)),
                 {("vacancy_ratio", ScopeKind.STREET, STREET), DISTRICT}, id="a job seeker: 求人倍率 only"),
    pytest.param(_person(registration.UnemploymentRegistered, unemployed_since=date(2026, 1, 1),
                         reason=UnemploymentReason.DISMISSED, registered_on=date(2026, 5, 1),
                         registration_place=RegistrationPlace.RESIDENCE),
                 {("vacancy_ratio", ScopeKind.STREET, STREET), DISTRICT,
                  ("registration_surge", ScopeKind.STREET, STREET),
                  ("long_term_unemployment", ScopeKind.STREET, STREET)}, id="unemployment registration"),
    pytest.param(_person(registration.EmploymentRegistered, form=EmploymentForm.FLEXIBLE, employed_on=date(2026, 5, 1),
                         was_registered_unemployed=True),
                 {("vacancy_ratio", ScopeKind.STREET, STREET), DISTRICT,
                  ("long_term_unemployment", ScopeKind.STREET, STREET)}, id="employment registration"),
    pytest.param(_person(registration.RegistrationClosed, registration=RegistrationKind.UNEMPLOYMENT,
                         reason=ClosureReason.MOVED_AWAY, closed_on=date(2026, 5, 1)),
                 {("vacancy_ratio", ScopeKind.STREET, STREET), DISTRICT,
                  ("long_term_unemployment", ScopeKind.STREET, STREET)}, id="unemployment registration closed"),
    pytest.param(_person(registration.RegistrationClosed, registration=RegistrationKind.JOBSEEKER,
                         reason=ClosureReason.MOVED_AWAY, closed_on=date(2026, 5, 1)),
                 {("vacancy_ratio", ScopeKind.STREET, STREET), DISTRICT}, id="job-seeker registration closed"),
    pytest.param(_person(registration.FollowupRecorded, channel=ContactChannel.PHONE,
                         outcome=FollowupOutcome.STILL_UNEMPLOYED, followed_up_on=date(2026, 5, 1)),
                 set(), id="a follow-up changes no stock"),
    pytest.param(_posting(vacancy.VacancyPosted, **_POSTED),
                 {("vacancy_ratio", ScopeKind.STREET, OTHER_STREET), DISTRICT}, id="a posting"),
    pytest.param(_posting(vacancy.VacancyClosed, reason=VacancyCloseReason.WITHDRAWN, closed_on=date(2026, 5, 2)),
                 {DISTRICT}, id="a closed posting names no 街镇"),
    pytest.param(new_event(statistics.SurveyRateReported(period="2026-04", rate_percent=5.2,
                                                         published_on=date(2026, 5, 15), source="天津调查总队"),
                           source="/services/gateway"),
                 {("survey_rate", ScopeKind.DISTRICT, DISTRICT_CODE)}, id="a survey rate"),
])
def test_touched_scopes_of_the_new_signals(event, expected: set) -> None:
    assert touched_scopes([event]) == expected


# --- the engine: raise, update, resolve, no flapping, floors ----------------------------------------------

TODAY = date(2026, 11, 20)


class FakeStore:
    """Stands in for ``Store`` (the indicator SQL has its own equivalence tests): each indicator's
    ``(value, people)`` per scope code is what the test set last; everything else reads as nothing."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, str], tuple[float | None, int | None]] = {}
        self.calls: list[tuple[str, date, date, dict[str, str]]] = []
        self.inserted: list[tuple] = []
        self.by_street_calls: list[str] = []

    async def call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)

    def indicator_sync(self, indicator: Any, start: date, end: date, *, background: bool = False,
                       **filters: str) -> tuple:
        assert background, "warning evaluation must not fan out over the worker's cores"
        self.calls.append((indicator.code, start, end, {k: v for k, v in filters.items() if v}))
        scope = filters.get("street") or filters.get("industry") or DISTRICT_CODE
        return self.values.get((indicator.code, scope), (None, None))

    def indicator_by_street_sync(self, indicator: Any, start: date, end: date, *, background: bool = False) -> dict:
        assert background
        self.by_street_calls.append(indicator.code)
        self.calls += [(indicator.code, start, end, {"street": street}) for street in STREETS]
        return {street: self.values.get((indicator.code, street), (None, None)) for street in STREETS}

    def rows_sync(self, sql: str, parameters: dict | None = None) -> list:
        return []

    def insert_sync(self, table: str, rows: list) -> None:
        self.inserted += [(table, row) for row in rows]


class Engine:
    """The warning engine on a fake store, evaluating every scope per step as the worker's minute timer
    does, and collecting what it publishes."""

    def __init__(self, thresholds: Thresholds | None = None, evaluation_share: float = 1.0,
                 by_street_fresh_s: float = 0.0) -> None:
        self.store, self.published = FakeStore(), []

        async def publish(event: Any) -> None:
            self.published.append(event)

        # evaluation_share 1: no throttling between steps (the throttle has its own test)
        self.warnings = Warnings(self.store, thresholds or Thresholds.load(DEFAULT_THRESHOLDS),  # type: ignore[arg-type]
                                 publish, today=lambda: TODAY, evaluation_share=evaluation_share,
                                 by_street_fresh_s=by_street_fresh_s)  # 0: each step reads afresh

    def step(self, scope_code: str, **values: tuple[float | None, int | None] | float | None) -> list[tuple]:
        """Set indicator values for one scope, evaluate everything, return (type, level, value, threshold,
        window) of each event published by this step."""
        for code, value in values.items():
            self.store.values[(code, scope_code)] = value if isinstance(value, tuple) else (value, None)
        before = len(self.published)
        asyncio.run(self.warnings.evaluate_all())
        return [(e.type.split(".")[-2], str(e.data.level), e.data.value, e.data.threshold, e.data.window)
                for e in self.published[before:]]


RAISED, UPDATED, RESOLVED = "raised", "updated", "resolved"


def test_vacancy_ratio_falling_in_a_street_raises_updates_and_resolves_with_the_band_mirrored() -> None:
    engine = Engine()
    steps = [
        ((1.2, 50), []),
        ((0.95, 50), [(RAISED, "yellow", 0.95, 1.0, "1d")]),
        ((0.99, 50), []),  # wobbling around the threshold: no second warning
        ((1.01, 50), []),
        ((0.7, 50), [(UPDATED, "orange", 0.7, 0.8, "1d")]),
        ((0.9, 50), []),  # orange kept up to 0.8 / 0.8 = 1.0
        ((1.05, 50), [(UPDATED, "yellow", 1.05, 1.0, "1d")]),
        ((1.2, 50), []),  # yellow kept up to 1.25
        ((1.3, 50), [(RESOLVED, "yellow", 1.3, 1.0, "1d")]),
        ((1.3, 50), []),
    ]
    for value, expected in steps:
        assert engine.step(STREET, vacancy_ratio=value) == expected, value
    assert {e.data.alert_id for e in engine.published} == {engine.published[0].data.alert_id}
    assert {(e.data.signal, e.data.scope_kind, e.data.scope_code) for e in engine.published} == {
        ("vacancy_ratio", ScopeKind.STREET, STREET)}
    assert [row[1][3] for row in engine.store.inserted] == ["open", "open", "open", "resolved"]


def test_vacancy_ratio_for_the_district_is_measured_without_a_street_filter() -> None:
    engine = Engine()
    assert engine.step(DISTRICT_CODE, vacancy_ratio=(0.45, 900)) == [(RAISED, "red", 0.45, 0.5, "1d")]
    [event] = engine.published
    assert (event.data.scope_kind, event.data.scope_code) == (ScopeKind.DISTRICT, DISTRICT_CODE)
    district_calls = [call for call in engine.store.calls if call[0] == "vacancy_ratio" and not call[3]]
    assert district_calls == [("vacancy_ratio", TODAY, TODAY, {})]


def test_vacancy_ratio_needs_min_seekers_and_resolves_below_the_floors_band() -> None:
    engine = Engine()
    assert engine.step(STREET, vacancy_ratio=(0.0, 9)) == []  # no posts, but only 9 job seekers
    assert engine.step(STREET, vacancy_ratio=(0.0, 10)) == [(RAISED, "red", 0.0, 0.5, "1d")]
    assert engine.step(STREET, vacancy_ratio=(0.0, 8)) == []  # kept while the base is at least 10 × 0.8
    assert engine.step(STREET, vacancy_ratio=(0.0, 10)) == []  # ... so no flapping around the floor
    # a resolution keeps the last level and shows the first threshold (the value reaches none any more)
    assert engine.step(STREET, vacancy_ratio=(0.0, 7)) == [(RESOLVED, "red", 0.0, 1.0, "1d")]
    assert engine.step(STREET, vacancy_ratio=(None, 0)) == []  # no job seekers: no ratio, nothing to say


def test_long_term_unemployment_rising_raises_updates_and_resolves() -> None:
    engine = Engine()
    steps = [
        (5.0, []),
        (12.0, [(RAISED, "yellow", 12.0, 10.0, "1d")]),
        (25.0, [(UPDATED, "orange", 25.0, 20.0, "1d")]),
        (17.0, []),  # orange kept down to 16
        (21.0, []),
        (15.0, [(UPDATED, "yellow", 15.0, 10.0, "1d")]),
        (9.0, []),  # yellow kept down to 8
        (10.5, []),
        (7.0, [(RESOLVED, "yellow", 7.0, 10.0, "1d")]),
    ]
    for share, expected in steps:
        assert engine.step(STREET, long_term_unemployed_share=(share, 40)) == expected, share
    assert {e.data.signal for e in engine.published} == {"long_term_unemployment"}


def test_long_term_unemployment_needs_min_long_term_people() -> None:
    engine = Engine()
    assert engine.step(STREET, long_term_unemployed_share=(50.0, 4)) == []  # 4 of 8 people: no backlog yet
    assert engine.step(STREET, long_term_unemployed_share=(50.0, 5)) == [(RAISED, "red", 50.0, 30.0, "1d")]
    assert engine.step(STREET, long_term_unemployed_share=(50.0, 4)) == []  # kept down to 5 × 0.8 = 4 people
    assert engine.step(STREET, long_term_unemployed_share=(50.0, 3)) == [(RESOLVED, "red", 50.0, 10.0, "1d")]


def test_survey_rate_approaching_the_ceiling_warns_for_the_district_with_its_own_narrow_band() -> None:
    engine = Engine()
    steps = [
        (4.8, []),
        (5.1, [(RAISED, "yellow", 5.1, 5.0, "30d")]),
        (5.4, [(UPDATED, "orange", 5.4, 5.3, "30d")]),
        (5.5, [(UPDATED, "red", 5.5, 5.5, "30d")]),
        (5.4, []),  # red kept down to 5.5 × 0.98 = 5.39
        (5.2, [(UPDATED, "orange", 5.2, 5.3, "30d")]),  # orange kept down to 5.194
        (4.95, [(UPDATED, "yellow", 4.95, 5.0, "30d")]),
        (4.9, []),
        (4.8, [(RESOLVED, "yellow", 4.8, 5.0, "30d")]),
    ]
    for rate, expected in steps:
        assert engine.step(DISTRICT_CODE, survey_unemployment_rate=rate) == expected, rate
    assert {(e.data.signal, e.data.scope_kind, e.data.scope_code) for e in engine.published} == {
        ("survey_rate", ScopeKind.DISTRICT, DISTRICT_CODE)}


def test_sla_breaches_need_min_cases_and_follow_the_rule_over_the_window() -> None:
    engine = Engine()
    steps = [
        ((40.0, 5.0), []),  # 2 of 5 cases late: a handful, no warning
        ((30.0, 12.0), [(RAISED, "orange", 30.0, 20.0, "7d")]),
        ((45.0, 12.0), [(UPDATED, "red", 45.0, 40.0, "7d")]),
        ((35.0, 12.0), []),  # red kept down to 32
        ((12.0, 9.0), [(UPDATED, "yellow", 12.0, 10.0, "7d")]),  # 9 cases: still inside the floor's band (8)
        ((12.0, 11.0), []),
        ((12.0, 7.0), [(RESOLVED, "yellow", 12.0, 10.0, "7d")]),
        ((12.0, 9.0), []),  # below the floor itself: not raised again
    ]
    for (rate, cases), expected in steps:
        assert engine.step(STREET, sla_breach_rate=rate, cases_dispatched=cases) == expected, (rate, cases)
    windows = {(start, end) for code, start, end, _ in engine.store.calls if code in ("sla_breach_rate",
                                                                                     "cases_dispatched")}
    assert windows == {(date(2026, 11, 14), TODAY)}  # the last 7 days, for the rate and its floor alike


def test_the_surge_floor_keeps_an_open_warning_inside_its_band() -> None:
    engine = Engine()
    assert engine.step(STREET, registration_surge_ratio=2.5, unemployment_registrations=10.0) == [
        (RAISED, "orange", 2.5, 2.0, "7d")]
    assert engine.step(STREET, registration_surge_ratio=2.5, unemployment_registrations=8.0) == []
    assert engine.step(STREET, registration_surge_ratio=2.5, unemployment_registrations=7.0) == [
        (RESOLVED, "orange", 2.5, 1.5, "7d")]


def test_a_full_evaluation_covers_every_new_scope() -> None:
    engine = Engine()
    asyncio.run(engine.warnings.evaluate_all())
    scopes = {(code, tuple(filters.items())) for code, _start, _end, filters in engine.store.calls}
    for street in STREETS:
        for code in ("vacancy_ratio", "long_term_unemployed_share", "sla_breach_rate"):
            assert (code, (("street", street),)) in scopes
    assert ("vacancy_ratio", ()) in scopes and ("survey_unemployment_rate", ()) in scopes
    assert engine.published == []  # nothing measured, nothing raised


def test_job_loss_warns_per_industry_with_monitored_enterprises() -> None:
    """岗位流失率 also per 行业: the full evaluation reads the industries that have monitored enterprises'
    reports and measures each without a 街镇 filter; a headcount report touches its industry too."""
    engine = Engine()
    engine.store.rows_sync = lambda sql, parameters=None: (  # type: ignore[method-assign]
        [("C",)] if "FROM headcount_facts" in sql else [])
    assert engine.step("C", job_loss_rate=12.0) == [(RAISED, "orange", 12.0, 10.0, "30d")]
    assert ("job_loss_rate", (("industry", "C"),)) in {
        (code, tuple(filters.items())) for code, _start, _end, filters in engine.store.calls}
    [raised] = engine.published
    assert (raised.data.signal, raised.data.scope_kind, raised.data.scope_code) == (
        "job_loss_rate", ScopeKind.INDUSTRY, "C")
    assert engine.step("C", job_loss_rate=3.0) == [(RESOLVED, "orange", 3.0, 5.0, "30d")]
    report = new_event(layoff.HeadcountReported(
        report_id="h1", employer_ref=credit_code(1), month="2026-10", industry=Industry(section=IndustrySection.C),
        street_code=STREET, baseline_headcount=200, current_headcount=170), source="/services/vacancies")
    assert touched_scopes([report]) == {("job_loss_rate", ScopeKind.STREET, STREET),
                                        ("job_loss_rate", ScopeKind.INDUSTRY, "C")}


def test_overdue_ledger_problems_warn_per_street() -> None:
    """挂账销号 behind: a 街镇's key-enterprise problems open after their due day (1 / 3 / 5); opening or
    closing a problem touches its 街镇, and the full evaluation catches a due day passing."""
    engine = Engine()
    assert engine.step(STREET, enterprise_issues_overdue=1.0) == [(RAISED, "yellow", 1.0, 1.0, "1d")]
    assert engine.step(STREET, enterprise_issues_overdue=3.0) == [(UPDATED, "orange", 3.0, 3.0, "1d")]
    assert engine.step(STREET, enterprise_issues_overdue=0.0) == [(RESOLVED, "orange", 0.0, 1.0, "1d")]
    issue = {"employer_ref": credit_code(1), "street_code": OTHER_STREET, "issue_id": "i-1",
             "kind": EnterpriseIssueKind.SHORTAGE, "opened_on": date(2026, 5, 1), "due_on": date(2026, 5, 31)}
    for data in (enterprise.IssueOpened(**issue), enterprise.IssueClosed(**issue, closed_on=date(2026, 6, 2))):
        assert touched_scopes([new_event(data, source="/services/vacancies")]) == {
            ("enterprise_issue_overdue", ScopeKind.STREET, OTHER_STREET)}


def test_a_thresholds_file_from_before_the_ledger_rule_still_loads() -> None:
    document = yaml.safe_load(DEFAULT_THRESHOLDS.read_text("utf-8"))
    del document["rules"]["enterprise_issue_overdue"]
    assert Thresholds.model_validate(document).rules.enterprise_issue_overdue.levels == {Y: 1, OR_: 3, R: 5}


def test_open_warnings_of_the_new_signals_survive_a_restart() -> None:
    engine = Engine()
    engine.step(DISTRICT_CODE, survey_unemployment_rate=5.3)
    rows = [row for table, row in engine.store.inserted if table == "alerts"]
    restarted = Engine()
    restarted.store.rows_sync = lambda sql, parameters=None: [  # type: ignore[method-assign]
        (row[2], row[3], row[4], row[7], row[5], row[6]) for row in rows if "FROM alerts" in sql]
    asyncio.run(restarted.warnings.restore())
    assert restarted.step(DISTRICT_CODE, survey_unemployment_rate=5.3) == []  # not raised twice
    assert restarted.step(DISTRICT_CODE, survey_unemployment_rate=4.0) == [(RESOLVED, "orange", 4.0, 5.0, "30d")]
    assert restarted.published[0].data.alert_id == rows[0][2]


def test_a_full_evaluation_leaves_slow_signals_to_the_throttle_but_not_mass_layoffs() -> None:
    engine = Engine(evaluation_share=0.001)  # after a run taking t, slow signals wait 999 t
    original = engine.store.indicator_sync

    def slow(indicator: Any, start: date, end: date, **filters: str) -> tuple:  # every query takes ≥ 0.1 ms
        time.sleep(0.0001)
        return original(indicator, start, end, **filters)

    engine.store.indicator_sync = slow  # type: ignore[method-assign]
    assert engine.step(DISTRICT_CODE, survey_unemployment_rate=5.2) == [(RAISED, "yellow", 5.2, 5.0, "30d")]
    # The first run took ≥ 8 ms (80 scopes): slow signals now wait ≥ 8 s; mass layoffs do not.
    engine.store.values[("survey_unemployment_rate", DISTRICT_CODE)] = (4.0, None)
    assert engine.step(STREET, mass_layoff_cuts=(150.0, 150)) == [(RAISED, "orange", 150.0, 100.0, "30d")]
    assert ("survey_rate", ScopeKind.DISTRICT, DISTRICT_CODE) in engine.warnings.pending
    assert engine.warnings.open[("survey_rate", ScopeKind.DISTRICT, DISTRICT_CODE)].level == Y  # not yet resolved


def test_slow_signals_are_evaluated_in_short_slices_oldest_first(monkeypatch: pytest.MonkeyPatch) -> None:
    # A whole evaluation can take seconds on a large store; run in one go, it would make every batch
    # written meanwhile wait. In slices, a batch waits for one query at most.
    monkeypatch.setattr(warning_engine, "SLICE_S", 0.01)
    engine = Engine(evaluation_share=0.1)  # after a slice taking t, a pause of 9 t
    original = engine.store.indicator_by_street_sync

    def slow(indicator: Any, start: date, end: date, **filters: Any) -> dict:
        time.sleep(0.004)
        return original(indicator, start, end, **filters)

    # every scope re-reads its all-街镇 query (by_street_fresh_s = 0): one 4 ms query per scope
    engine.store.indicator_by_street_sync = slow  # type: ignore[method-assign]
    scopes = [("sla_breach", ScopeKind.STREET, street) for street in sorted(STREETS, reverse=True)]
    engine.warnings.pending.update(dict.fromkeys(scopes))
    asyncio.run(engine.warnings.evaluate_touched())
    evaluated = len(engine.store.by_street_calls)
    assert 1 <= evaluated <= 4  # 0.01 s of 4 ms queries, not all twelve
    assert list(engine.warnings.pending) == scopes[evaluated:]  # the first touched went first
    asyncio.run(engine.warnings.evaluate_touched())  # within the pause: nothing more
    assert len(engine.store.by_street_calls) == evaluated


def test_one_all_street_reading_serves_every_street_of_a_stock_signal() -> None:
    engine = Engine(by_street_fresh_s=60.0)
    engine.store.values[("vacancy_ratio", STREET)] = (0.45, 900)
    engine.store.values[("vacancy_ratio", OTHER_STREET)] = (0.9, 900)
    events = engine.step(DISTRICT_CODE)  # every 街镇 and the district, as the minute timer does
    assert sorted((level, value) for _, level, value, _, _ in events) == [("red", 0.45), ("yellow", 0.9)]
    assert engine.store.by_street_calls.count("vacancy_ratio") == 1  # not one query per 街镇
    engine.store.values[("vacancy_ratio", STREET)] = (1.3, 900)
    assert engine.step(DISTRICT_CODE) == []  # within the freshness window the reading is reused ...
    engine.warnings.by_street_fresh_s = 0.0
    assert engine.step(DISTRICT_CODE) == [(RESOLVED, "red", 1.3, 1.0, "1d")]  # ... and then read again

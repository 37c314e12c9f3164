"""Every indicator, served by the real worker process over HTTP after ingesting a known event set
from the real broker, equals an independent plain-Python computation over the same events."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from leye.bench.data.event_set import STREET_CODES, varied_events
from leye.reference import certificates, certifications, communities, community_households, compute, day
from schemas import CloudEvent
from schemas.events import referral, registration
from schemas.reference import load_communities
from services.monitoring.indicators.catalogue import BY_CODE, INDICATORS
from services.runtime.broker import EmbeddedBroker, ensure_topics, free_port
from tests.services.monitoring.harness import MonitoringProcess, publish

YEAR = (date(2026, 1, 1), date(2026, 10, 31))
SPRING = (date(2026, 3, 1), date(2026, 6, 30))
CASES = [
    pytest.param(YEAR, {}, id="whole year, whole district"),
    pytest.param(SPRING, {}, id="spring, whole district"),
    pytest.param(YEAR, {"street_code": STREET_CODES[0]}, id="one 街道"),
    pytest.param(SPRING, {"street_code": STREET_CODES[-1]}, id="one 镇 in spring"),
    pytest.param(YEAR, {"group": "hardship"}, id="就业困难人员"),
    pytest.param(YEAR, {"group": "graduate_unemployed", "street_code": STREET_CODES[3]}, id="graduates in a 街镇"),
    pytest.param(SPRING, {"group": "zero_employment_family"}, id="零就业家庭 in spring"),
    pytest.param(YEAR, {"industry": "C"}, id="manufacturing"),
    pytest.param((date(2026, 7, 1), date(2026, 7, 1)), {}, id="a single day"),
]


@pytest.fixture(scope="module")
def events() -> list[CloudEvent]:
    return varied_events(seed=7)


@pytest.fixture(scope="module")
def worker(tmp_path_factory: pytest.TempPathFactory, events: list[CloudEvent]) -> Iterator[MonitoringProcess]:
    broker = EmbeddedBroker(free_port())
    broker.start()
    try:
        ensure_topics(broker.bootstrap)
        # The first 200 events twice: a producer retry / replay must not count them twice.
        publish(broker.bootstrap, [*events, *events[:200]])
        process = MonitoringProcess(broker.bootstrap, Path(tmp_path_factory.mktemp("monitoring"))).start()
        try:
            process.wait_ingested(len(events))
            yield process
        finally:
            process.stop()
    finally:
        broker.stop()


def _filters(params: dict[str, str]) -> dict[str, str]:
    return {"street": params.get("street_code", ""), "group": params.get("group", ""),
            "industry": params.get("industry", "")}


@pytest.mark.parametrize(("period", "params"), CASES)
def test_every_indicator_equals_the_independent_count(worker, events, period, params) -> None:
    start, end = period
    body = worker.get("/stats/indicators", **{"from": start.isoformat(), "to": end.isoformat()}, **params).json()
    served = {row["code"]: row for row in body["indicators"]}
    assert set(served) == set(BY_CODE)
    filters = _filters(params)
    for indicator in INDICATORS:
        row = served[indicator.code]
        assert row["applicable"] == indicator.applies(**filters), indicator.code
        if not row["applicable"]:
            assert row["value"] is None
            continue
        value, people = compute(indicator.code, events, start, end, **filters)
        assert row["value"] == pytest.approx(value), indicator.code
        assert row["small_cell"] == indicator.small_cell(people), indicator.code


def test_the_fixture_exercises_every_indicator(events) -> None:
    """Guard against a vacuous comparison: each indicator is non-zero in at least one case above."""
    nonzero = {code for (start, end), filters in ((p.values[0], _filters(p.values[1])) for p in CASES)
               for code in BY_CODE if compute(code, events, start, end, **filters)[0]}
    assert nonzero == set(BY_CODE)


def test_the_fixture_serves_graduates_by_each_kind_of_service_alone(events) -> None:
    """Guard for 离校未就业高校毕业生服务率: each kind of service is the only one some graduate got, so
    leaving one out of either computation shows up as a difference."""
    start, end = YEAR
    graduates = {e.data.person_ref for e in events if isinstance(e.data, registration.JobseekerRegistered)
                 and "graduate_unemployed" in e.data.key_groups and start <= day(e) <= end}
    for_person = {e.data.case_id: e.data.person_ref for e in events if isinstance(e.data, referral.CaseDispatched)}
    in_year = [e for e in events if start <= day(e) <= end]
    by_kind = {
        "follow-up": {e.data.person_ref for e in in_year if isinstance(e.data, registration.FollowupRecorded)},
        "referral": {e.data.person_ref for e in in_year if isinstance(e.data, referral.ReferralMade)},
        "contact": {for_person[e.data.case_id] for e in in_year if isinstance(e.data, referral.CaseContacted)},
    }
    for kind, served in by_kind.items():
        others = set().union(*(people for other, people in by_kind.items() if other != kind))
        assert graduates & served - others, f"no graduate is served by a {kind} alone"
    assert 0 < compute("graduate_service_rate", events, start, end)[0] < 100


@pytest.mark.parametrize("code", ["new_employment", "registered_unemployed", "vacancy_ratio", "sla_contact_rate",
                                  "graduate_service_rate", "long_term_unemployed_share", "job_loss_rate",
                                  "zero_employment_family_unemployed", "zero_employment_families",
                                  "zero_employment_clear_days_median", "enterprise_shortage_headcount"])
def test_breakdown_by_street_equals_the_independent_count(worker, events, code) -> None:
    start, end = YEAR
    body = worker.get(f"/stats/indicators/{code}", **{"from": start.isoformat(), "to": end.isoformat()}).json()
    assert body["district"]["value"] == pytest.approx(compute(code, events, start, end)[0])
    assert [row["street_code"] for row in body["streets"]] == list(STREET_CODES)
    for row in body["streets"]:
        value, people = compute(code, events, start, end, street=row["street_code"])
        assert row["value"] == pytest.approx(value), row["street_code"]
        assert row["small_cell"] == BY_CODE[code].small_cell(people), row["street_code"]


@pytest.mark.parametrize("period", [YEAR, SPRING], ids=["year", "spring"])
def test_streets_side_by_side(worker, events, period) -> None:
    start, end = period
    body = worker.get("/stats/streets", **{"from": start.isoformat(), "to": end.isoformat()}).json()
    assert [row["street_code"] for row in body["streets"]] == list(STREET_CODES)
    by_street = [indicator for indicator in INDICATORS if "street" in indicator.dimensions]
    for row in body["streets"]:
        served = {value["code"]: value for value in row["indicators"]}
        assert list(served) == [indicator.code for indicator in by_street]
        for indicator in by_street:
            value, people = compute(indicator.code, events, start, end, street=row["street_code"])
            assert served[indicator.code]["value"] == pytest.approx(value), (row["street_code"], indicator.code)
            assert served[indicator.code]["small_cell"] == indicator.small_cell(people), indicator.code


def test_zero_employment_families_show_their_target_and_progress(worker, events) -> None:
    """零就业家庭 (families) against the plan's 动态清零: target 0 at most, its year-to-date value the count
    of families not cleared at the end, behind while any is left."""
    start, end = SPRING
    body = worker.get("/stats/indicators", **{"from": start.isoformat(), "to": end.isoformat()}).json()
    row = {row["code"]: row for row in body["indicators"]}["zero_employment_families"]
    left, _ = compute("zero_employment_families", events, date(end.year, 1, 1), end)
    assert left and row["value"] == left  # the count at the end, whatever the period's start
    assert (row["target"], row["target_op"]) == (0, "<=")
    progress = row["progress"]
    assert (progress["kind"], progress["ytd_value"], progress["status"]) == ("level", left, "behind")


@pytest.mark.parametrize(("params", "field"), [
    pytest.param({"street_code": "120111999"}, "query.street_code", id="unknown 街镇"),
    pytest.param({"from": "2026-05-01", "to": "2026-04-01"}, "query.from", id="period backwards"),
    pytest.param({"group": "astronauts"}, "query.group", id="unknown group"),
    pytest.param({"from": "0"}, "query.from", id="a number is not a date"),
    pytest.param({"to": "20260401"}, "query.to", id="digits are not a date"),
    pytest.param({"to": "1.5"}, "query.to", id="a float is not a date"),
])
def test_invalid_filters_are_422_naming_the_field(worker, params, field) -> None:
    response = worker.get("/stats/indicators", **params)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in [error["field"] for error in response.json()["errors"]]


def test_filters_no_indicator_has_together_give_every_indicator_as_not_applicable(worker) -> None:
    """No indicator has both a key group and an industry: the answer says so, indicator by indicator."""
    response = worker.get("/stats/indicators", group="resident", industry="A")
    assert response.status_code == 200
    rows = response.json()["indicators"]
    assert [row["code"] for row in rows] == [indicator.code for indicator in INDICATORS]
    assert [(row["applicable"], row["value"]) for row in rows] == [(False, None)] * len(INDICATORS)


def test_unknown_indicator_is_404(worker) -> None:
    response = worker.get("/stats/indicators/no_such_thing")
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_indicator"


@pytest.mark.parametrize("params", [{}, {"street_code": STREET_CODES[1]}], ids=["district", "one 街镇"])
def test_communities_equal_the_independent_count(worker, events, params) -> None:
    """充分就业社区: every community of the list (of the 街镇) with its residents able and willing to
    work, the employed, the rate and whether it is below the 90 % standard."""
    end = date(2026, 10, 31)
    response = worker.get("/stats/communities", to=end.isoformat(), **params)
    assert response.status_code == 200, response.text
    body = response.json()
    listed = {c.code: c for c in load_communities().values()
              if not params or c.street_code == params["street_code"]}
    assert [row["community_code"] for row in body["communities"]] == sorted(listed)
    expected = communities(events, end)
    below = 0
    for row in body["communities"]:
        community = listed[row["community_code"]]
        assert (row["community_name"], row["street_code"]) == (community.name, community.street_code)
        able, employed = expected.get(community.code, (0, 0))
        assert (row["able_and_willing"], row["employed"]) == (able, employed)
        rate = 100 * employed / able if able else None
        assert row["rate"] == (None if rate is None else pytest.approx(rate, abs=0.05))
        assert row["below_standard"] == (None if rate is None else round(rate, 1) < 90)
        assert row["small_cell"] == (able < 5)
        below += bool(row["below_standard"])
    assert below > 0  # not vacuous: the set has communities below the standard


@pytest.mark.parametrize(("params", "field"), [({"street_code": "120111999"}, "query.street_code"),
                                               ({"from": "2026-06-02", "to": "2026-06-01"}, "query.from")],
                         ids=["unknown 街镇", "period ending before it starts"])
def test_families_by_community_refuse_bad_input_naming_the_field(worker, params, field) -> None:
    response = worker.get("/stats/communities/households", **params)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [error["field"] for error in response.json()["errors"]] == [field]


@pytest.mark.parametrize(("period", "params"), [(YEAR, {}), (SPRING, {"street_code": STREET_CODES[5]})],
                         ids=["whole year, district", "spring, one 街镇"])
def test_zero_employment_families_by_community_equal_the_independent_count(worker, events, period, params) -> None:
    """零就业家庭 per 社区: families now, identified and cleared in the period, days to clear (median,
    p90), each against the recount of that community's household events, small cells marked."""
    start, end = period
    response = worker.get("/stats/communities/households", **{"from": start.isoformat(), "to": end.isoformat()},
                          **params)
    assert response.status_code == 200, response.text
    body = response.json()
    listed = {c.code: c for c in load_communities().values()
              if not params or c.street_code == params["street_code"]}
    assert [row["community_code"] for row in body["communities"]] == sorted(listed)
    expected = community_households(events, start, end)
    with_families = 0
    for row in body["communities"]:
        assert (row["community_name"], row["street_code"]) == (listed[row["community_code"]].name,
                                                               listed[row["community_code"]].street_code)
        recount = expected.get(row["community_code"])
        for figure in row["figures"]:
            value, families = recount[figure["code"]] if recount else (
                (None, 0) if "days" in figure["code"] else (0.0, 0))
            assert figure["value"] == value, (row["community_code"], figure["code"])
            assert figure["small_cell"] == (families is not None and families < 5)
        with_families += recount is not None and recount["zero_employment_families_identified"][1] > 0
    assert [f["code"] for f in body["communities"][0]["figures"]] == [
        "zero_employment_families", "zero_employment_families_identified", "zero_employment_families_cleared",
        "zero_employment_clear_days_median", "zero_employment_clear_days_p90"]
    assert with_families > 0  # not vacuous: families were identified in the period in some communities


def test_communities_of_an_unknown_street_are_422_naming_the_field(worker) -> None:
    response = worker.get("/stats/communities", street_code="120111999")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [error["field"] for error in response.json()["errors"]] == ["query.street_code"]


@pytest.mark.parametrize("year", [2025, 2026])
def test_certification_progress_equals_the_independent_count(worker, events, year) -> None:
    """充分就业社区 certifications of a year against 3 市级 and 1 国家级, and the communities certified."""
    body = worker.get("/stats/communities/certifications", year=str(year)).json()
    by_level, district = certifications(events, year)
    levels = {row["level"]: row for row in body["levels"]}
    assert [row["level"] for row in body["levels"]] == ["district", "municipal", "national"]
    for level, target in (("district", None), ("municipal", 3), ("national", 1)):
        count = len(by_level.get(level, set()))
        assert (levels[level]["certified"], levels[level]["target"]) == (count, target)
        assert levels[level]["met"] == (None if target is None else count >= target)
    communities_listed = len(load_communities())
    assert (body["communities"], body["certified_communities"]) == (communities_listed, len(district))
    assert body["certified_share"] == pytest.approx(100 * len(district) / communities_listed, abs=0.05)
    assert sorted((row["community_code"], row["level"]) for row in body["certifications"]) == \
        sorted((code, level) for level, codes in by_level.items() for code in codes)


@pytest.mark.parametrize(("period", "params"), [(YEAR, {}), (SPRING, {"street_code": STREET_CODES[2]})],
                         ids=["whole year, whole district", "spring, one 街镇"])
def test_certificates_by_occupation_and_level_equal_the_independent_count(worker, events, period, params) -> None:
    """职业技能 certificates issued in the period, per occupation and level (certificates, holders)."""
    start, end = period
    response = worker.get("/stats/certificates", **{"from": start.isoformat(), "to": end.isoformat()}, **params)
    assert response.status_code == 200, response.text
    body = response.json()
    expected, (total, holders) = certificates(events, start, end, params.get("street_code", ""))
    assert expected  # not vacuous
    served = {(row["occupation_code"], row["level"]): row for row in body["occupations"]}
    assert {key: (row["figures"]["certificates"], row["figures"]["holders"]) for key, row in served.items()} == \
        expected
    assert [key for key in served] == sorted(expected)
    for (_, level), row in served.items():
        assert row["figures"]["small_cell"] == (row["figures"]["holders"] < 5)
        assert row["level_name"] == {1: "一级/高级技师", 2: "二级/技师", 3: "三级/高级工", 4: "四级/中级工",
                                     5: "五级/初级工"}[level]
    assert (body["total"]["certificates"], body["total"]["holders"]) == (total, holders)


def test_certificates_of_an_unknown_street_are_422_naming_the_field(worker) -> None:
    response = worker.get("/stats/certificates", street_code="120111999")
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["query.street_code"]

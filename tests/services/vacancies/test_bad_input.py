"""Bad input through real HTTP: a problem+json document naming the field, and nothing changed
(no row, no outbox event)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.services.vacancies.conftest import (
    Service,
    credit_code,
    employer_body,
    start_service,
    today,
    vacancy_body,
)

REF = credit_code(21)  # registered by the fixture below
UNKNOWN_REF = credit_code(29)  # valid code, never registered
UNMONITORED_REF = credit_code(23)  # registered by ``unchanged``, neither a key nor a monitored enterprise


def bad_check_char(code: str) -> str:
    return code[:17] + ("0" if code[17] != "0" else "1")


def layoff_body(**overrides) -> dict:
    return {"employer_ref": REF, "staff_count": 50, "planned_cuts": 10, "reason": "business_change",
            "notified_on": "2026-10-01", "planned_on": "2026-11-15"} | overrides


def in_days(days: int) -> str:
    return (today() + timedelta(days=days)).isoformat()


def headcount_body(**overrides) -> dict:
    return {"employer_ref": REF, "month": "2026-10", "baseline_headcount": 50, "current_headcount": 45,
            "decreases": {"resignation": 5}} | overrides


def key_body(**overrides) -> dict:
    return {"employer_ref": REF, "officer_id": "officer-017", "officer_name": "王专员",
            "enrolled_on": in_days(-60)} | overrides


def issue_body(**overrides) -> dict:
    return {"kind": "shortage", "summary": "数控车工缺口较大", "opened_on": in_days(-10),
            "due_on": in_days(20)} | overrides


def shortage_body(**overrides) -> dict:
    return {"occupation_code": "6-18-01-01", "occupation": "车工", "headcount": 8,
            "reported_on": in_days(-3)} | overrides


def enrolment_body(**overrides) -> dict:
    return {"employer_ref": REF, "baseline_headcount": 50, "enrolled_on": in_days(-40)} | overrides


CASES = [
    pytest.param("/employers", employer_body(22, employer_ref=bad_check_char(credit_code(22))), "body.employer_ref",
                 id="credit code with wrong check character"),
    pytest.param("/employers", employer_body(22, employer_ref="91120111MA05I0001X"), "body.employer_ref",
                 id="credit code with a letter GB 32100 excludes"),
    pytest.param("/employers", employer_body(22, street_code="120111999"), "body.street_code", id="unknown 街镇"),
    pytest.param("/employers", employer_body(22, community_code="120111001999"), "body.community_code",
                 id="community not in the list"),
    pytest.param("/employers", employer_body(22, community_code="120111002901"), "body.community_code",
                 id="community of another 街镇"),
    pytest.param("/employers", employer_body(21, community_code="120111002901"), "body.community_code",
                 id="known employer moved to another 街镇's community"),
    pytest.param("/employers", employer_body(22, staff_count=-1), "body.staff_count", id="negative staff count"),
    pytest.param("/employers", employer_body(22, industry={"section": "C", "division": "01"}), "body.industry",
                 id="industry division outside its section"),
    pytest.param("/vacancies", vacancy_body(REF, salary_min=9000, salary_max=6000), "body.salary_max",
                 id="salary min above max"),
    pytest.param("/vacancies", vacancy_body(REF, headcount=-2), "body.headcount", id="negative headcount"),
    pytest.param("/vacancies", vacancy_body(REF, kind="permanent"), "body.kind", id="unknown vacancy kind"),
    pytest.param("/vacancies", vacancy_body(REF, education_required="55"), "body.education_required",
                 id="unknown education code"),
    pytest.param("/vacancies", vacancy_body(REF, street_code="120111000"), "body.street_code",
                 id="unknown 街镇 of the workplace"),
    pytest.param("/vacancies", vacancy_body(REF, age_min=14), "body.age_min", id="age below working age"),
    pytest.param("/vacancies", vacancy_body(REF, valid_from="2026-12-31", valid_until="2026-12-01"),
                 "body.valid_until", id="validity ends before it starts"),
    pytest.param("/vacancies", vacancy_body(REF, valid_from="2020-01-01", valid_until="2020-02-01"),
                 "body.valid_until", id="validity already over"),
    pytest.param("/vacancies", vacancy_body(UNKNOWN_REF), "body.employer_ref", id="employer not registered"),
    pytest.param("/vacancies", vacancy_body(REF, contact_phone="13800000000"), "body.contact_phone",
                 id="unknown field"),
    pytest.param("/layoffs", layoff_body(planned_cuts=51), "body.planned_cuts", id="planned cuts above staff"),
    pytest.param("/layoffs", layoff_body(reason="bored"), "body.reason", id="unknown layoff reason"),
    pytest.param("/layoffs", layoff_body(notified_on="2026-13-01"), "body.notified_on", id="impossible date"),
    pytest.param("/layoffs", layoff_body(notified_on="2026-10-01", planned_on="2026-09-30"), "body.planned_on",
                 id="cuts planned before the notice"),
    pytest.param("/layoffs", layoff_body(notified_on=in_days(1), planned_on=in_days(40)), "body.notified_on",
                 id="notice given tomorrow"),
    pytest.param("/layoffs", layoff_body(planned_on=in_days(400)), "body.planned_on", id="cuts planned beyond a year"),
    pytest.param("/layoffs", layoff_body(notified_on=0), "body.notified_on", id="date as a number"),
    pytest.param("/layoffs", layoff_body(notified_on="0"), "body.notified_on", id="date as a string of digits"),
    pytest.param("/layoffs", layoff_body(staff_count="50"), "body.staff_count", id="staff count as a string"),
    pytest.param("/vacancies", vacancy_body(REF, valid_from="2099-01-01", valid_until="2099-02-01"),
                 "body.valid_from", id="valid from 2099"),
    pytest.param("/vacancies", vacancy_body(REF, valid_until=in_days(400)), "body.valid_until",
                 id="valid for more than a year"),
    pytest.param("/vacancies", vacancy_body(REF, valid_from=0), "body.valid_from", id="valid from a number"),
    pytest.param("/vacancies", vacancy_body(REF, valid_from="0"), "body.valid_from", id="valid from a digit string"),
    pytest.param("/vacancies", vacancy_body(REF, salary_min="5000"), "body.salary_min", id="salary as a string"),
    pytest.param("/vacancies", vacancy_body(REF, headcount=3.0), "body.headcount", id="headcount as a float"),
    pytest.param("/headcount-reports", headcount_body(current_headcount=-3), "body.current_headcount",
                 id="negative current headcount"),
    pytest.param("/headcount-reports", headcount_body(decreases={"layoff": -1}), "body.decreases.layoff",
                 id="negative decrease"),
    pytest.param("/headcount-reports", headcount_body(decreases={"vacation": 2}), "body.decreases.vacation.[key]",
                 id="unknown decrease type"),
    pytest.param("/headcount-reports", headcount_body(month="2026-13"), "body.month", id="impossible month"),
    pytest.param("/key-enterprises", key_body(employer_ref=UNKNOWN_REF), "body.employer_ref",
                 id="key enterprise that is no registered employer"),
    pytest.param("/key-enterprises", key_body(officer_id="王 专员"), "body.officer_id", id="officer id with a space"),
    pytest.param("/key-enterprises", key_body(enrolled_on=in_days(1)), "body.enrolled_on",
                 id="key enterprise enrolled tomorrow"),
    pytest.param(f"/key-enterprises/{REF}/issues", issue_body(kind="complaint"), "body.kind",
                 id="unknown ledger issue kind"),
    pytest.param(f"/key-enterprises/{REF}/issues", issue_body(opened_on=in_days(-5), due_on=in_days(-6)),
                 "body.due_on", id="issue due before it was opened"),
    pytest.param(f"/key-enterprises/{REF}/issues", issue_body(opened_on=in_days(1)), "body.opened_on",
                 id="issue opened tomorrow"),
    pytest.param(f"/key-enterprises/{REF}/shortages", shortage_body(headcount=0), "body.headcount",
                 id="shortage of zero"),
    pytest.param(f"/key-enterprises/{REF}/shortages", shortage_body(headcount=-3), "body.headcount",
                 id="negative shortage"),
    pytest.param(f"/key-enterprises/{REF}/shortages", shortage_body(occupation_code="9-99"), "body.occupation_code",
                 id="occupation code outside the classification"),
    pytest.param("/vacancies", vacancy_body(REF, shortage_id="no-such-shortage"), "body.shortage_id",
                 id="vacancy answering an unknown shortage"),
    pytest.param("/monitored-enterprises", enrolment_body(employer_ref=UNKNOWN_REF), "body.employer_ref",
                 id="monitoring enrolment of an unregistered employer"),
    pytest.param("/monitored-enterprises", enrolment_body(baseline_headcount=0), "body.baseline_headcount",
                 id="baseline of zero"),
    pytest.param("/headcount-reports", headcount_body(employer_ref=UNMONITORED_REF), "body.employer_ref",
                 id="headcount report of an enterprise not enrolled"),
    pytest.param("/headcount-reports", headcount_body(month=f"{today().year - 1}-01"), "body.month",
                 id="headcount report for a month before the enrolment"),
    pytest.param("/recruitment-sessions", {"kind": "tv", "title": "招聘会", "street_code": "120111001",
                                           "scheduled_at": "2026-12-01T09:00:00+08:00"}, "body.kind",
                 id="unknown session kind"),
    pytest.param("/recruitment-sessions", {"kind": "onsite", "title": "招聘会", "street_code": "120111001",
                                           "scheduled_at": "2026-12-01T09:00:00+08:00", "vacancy_ids": ["nope"]},
                 "body.vacancy_ids", id="unknown linked vacancy"),
    pytest.param("/recruitment-sessions", {"kind": "onsite", "title": "招聘会", "street_code": "120111001",
                                           "scheduled_at": "2099-12-01T09:00:00+08:00"}, "body.scheduled_at",
                 id="session in 2099"),
    pytest.param("/recruitment-sessions", {"kind": "onsite", "title": "招聘会", "street_code": "120111001",
                                           "scheduled_at": "0"}, "body.scheduled_at", id="time as a string of digits"),
]


def _registered(service: Service) -> Service:
    assert service.post("/employers", employer_body(21)).status_code == 201
    service.wait_published()
    return service


@pytest.fixture
def registered(service):
    return _registered(service)


@pytest.fixture(scope="module")
def unchanged(tmp_path_factory, broker) -> Iterator[Service]:
    """One service, with the employer registered, for all the requests that change nothing: each
    checks that for itself (its counts before and after), so they need not start a service each."""
    var_dir = tmp_path_factory.mktemp("vacancies")
    live, app, clock = start_service(f"sqlite:///{var_dir / 'vacancies.sqlite3'}", broker.bootstrap, var_dir)
    with live:
        service = _registered(Service(live, app, clock))
        assert service.post("/employers", employer_body(23)).status_code == 201
        assert service.post("/key-enterprises", key_body()).status_code == 201
        service.open_issue = service.post(f"/key-enterprises/{REF}/issues", issue_body()).json()["issue_id"]
        closed = service.post(f"/key-enterprises/{REF}/issues", issue_body()).json()["issue_id"]
        assert service.post(f"/key-enterprises/{REF}/issues/{closed}/close",
                            {"closed_on": in_days(-1), "resolution": "已推荐12名车工"}).status_code == 200
        service.closed_issue = closed
        assert service.post("/monitored-enterprises", enrolment_body()).status_code == 201
        _live_sessions(service)
        service.wait_published()
        yield service


def _live_sessions(service: Service) -> None:
    """A 直播带岗 in progress showing one posting (with one viewer sample), a posting it does not show,
    and an on-site session in progress without live records."""
    shown = service.post("/vacancies", vacancy_body(REF)).json()["vacancy_id"]
    service.hidden_vacancy = service.post("/vacancies", vacancy_body(REF, title="包装工")).json()["vacancy_id"]
    started = datetime.now(UTC) - timedelta(hours=1)
    for kind, attr in (("livestream", "live_session"), ("onsite", "onsite_session")):
        sid = service.post("/recruitment-sessions", {"kind": kind, "title": "西青区直播带岗",
                                                     "street_code": "120111001", "scheduled_at": started.isoformat(),
                                                     "vacancy_ids": [shown]}).json()["session_id"]
        assert service.post(f"/recruitment-sessions/{sid}/start",
                            {"started_at": started.isoformat()}).status_code == 200
        setattr(service, attr, sid)
    service.shown_vacancy = shown
    assert service.post(f"/recruitment-sessions/{service.live_session}/viewers",
                        {"sampled_at": (started + timedelta(minutes=5)).isoformat(), "viewers": 300}).status_code == 201


@pytest.mark.parametrize(("path", "body", "field"), CASES)
def test_bad_input_is_a_problem_naming_the_field_and_changes_nothing(unchanged, path, body, field) -> None:
    before = unchanged.counts()
    response = unchanged.post(path, body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422 and problem["title"] == "请求参数校验失败"
    assert field in [e["field"] for e in problem["errors"]]
    assert "13800000000" not in response.text
    assert unchanged.counts() == before


def _ago(**delta: float) -> str:
    return (datetime.now(UTC) - timedelta(**delta)).isoformat()


LIVE_CASES = [
    pytest.param("viewers", {"sampled_at": _ago(hours=2), "viewers": 10}, "body.sampled_at",
                 id="sample before the session started"),
    pytest.param("viewers", {"sampled_at": _ago(minutes=-30), "viewers": 10}, "body.sampled_at",
                 id="sample in the future"),
    pytest.param("viewers", {"sampled_at": _ago(minutes=30), "viewers": -1}, "body.viewers",
                 id="negative viewers"),
    pytest.param("viewers", {"sampled_at": 1764900000, "viewers": 10}, "body.sampled_at",
                 id="sample time as a number"),
    pytest.param("viewers", {"sampled_at": _ago(minutes=30), "viewers": "10"}, "body.viewers",
                 id="viewers as a string"),
    pytest.param("applications", {"person_ref": "3f" * 32, "vacancy_id": "hidden", "applied_at": _ago(minutes=9)},
                 "body.vacancy_id", id="application for a vacancy the session does not show"),
    pytest.param("applications", {"person_ref": "120111198808082028", "vacancy_id": "shown"}, "body.person_ref",
                 id="application naming an ID number instead of a person_ref"),
    pytest.param("applications", {"person_ref": "3f" * 32, "vacancy_id": "shown", "applied_at": 1764900000},
                 "body.applied_at", id="application time as a number"),
    pytest.param("applications", {"person_ref": "3f" * 32, "vacancy_id": "shown", "applied_at": _ago(hours=3)},
                 "body.applied_at", id="application before the session started"),
    pytest.param("end", {"viewers": 500}, "body.viewers", id="typed totals for a session recorded live"),
    pytest.param("end", {"ended_at": _ago(minutes=58)}, "body.ended_at", id="live session ended before its records"),
    pytest.param("onsite-end", {"viewers": 80, "applications": 12}, "body.hires",
                 id="session without live records ended without its hires"),
]


@pytest.mark.parametrize(("what", "body", "field"), LIVE_CASES)
def test_bad_live_input_is_a_problem_naming_the_field_and_changes_nothing(unchanged, what, body, field) -> None:
    if "vacancy_id" in body:
        body = body | {"vacancy_id": {"shown": unchanged.shown_vacancy, "hidden": unchanged.hidden_vacancy}[
            body["vacancy_id"]]}
    sid = unchanged.onsite_session if what.startswith("onsite") else unchanged.live_session
    problem = _refused(unchanged, f"/recruitment-sessions/{sid}/{what.removeprefix('onsite-')}", body, 422, field)
    assert problem["title"] == "请求参数校验失败"
    assert "120111198808082028" not in json.dumps(problem)


@pytest.mark.parametrize("what", ["viewers", "applications"])
def test_live_records_need_a_livestream_in_progress(unchanged, what) -> None:
    body = ({"sampled_at": _ago(minutes=20), "viewers": 5} if what == "viewers"
            else {"person_ref": "3f" * 32, "vacancy_id": unchanged.shown_vacancy})
    problem = _refused(unchanged, f"/recruitment-sessions/{unchanged.onsite_session}/{what}", body, 409,
                       "path.session_id")
    assert problem["code"] == "session_not_live" and "不是进行中的直播带岗" in problem["detail"]


def test_a_viewer_sample_repeated_is_recorded_once_and_cannot_change(unchanged) -> None:
    path = f"/recruitment-sessions/{unchanged.live_session}/viewers"
    first = unchanged.post(path, {"sampled_at": _ago(minutes=40), "viewers": 120})
    assert first.status_code == 201
    before = unchanged.counts()
    again = unchanged.post(path, {"sampled_at": first.json()["sampled_at"], "viewers": 120})
    assert (again.status_code, again.json()) == (200, first.json())
    assert unchanged.counts() == before
    problem = _refused(unchanged, path, {"sampled_at": first.json()["sampled_at"], "viewers": 121}, 409, "body.viewers")
    assert "已上报观看人数120" in problem["detail"]


def _refused(service: Service, path: str, body: dict, status: int, field: str) -> dict:
    """The problem of a refused request, which names ``field`` and changed nothing."""
    before = service.counts()
    response = service.post(path, body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert [e["field"] for e in problem["errors"]] == [field]
    assert problem["detail"].startswith(f"{field}：")
    assert service.counts() == before
    return problem


def test_a_ledger_issue_closed_before_it_was_opened_is_refused(unchanged) -> None:
    problem = _refused(unchanged, f"/key-enterprises/{REF}/issues/{unchanged.open_issue}/close",
                       {"closed_on": in_days(-11), "resolution": "已解决"}, 422, "body.closed_on")
    assert problem["errors"][0]["message"] == "销号日期不得早于挂账日期"


def test_a_ledger_issue_closed_twice_is_a_conflict(unchanged) -> None:
    problem = _refused(unchanged, f"/key-enterprises/{REF}/issues/{unchanged.closed_issue}/close",
                       {"closed_on": in_days(0), "resolution": "再次销号"}, 409, "path.issue_id")
    assert problem["code"] == "issue_closed" and "不能重复销号" in problem["detail"]


@pytest.mark.parametrize("sub", ["issues", "shortages"])
def test_issues_and_shortages_of_an_enterprise_not_on_the_register_are_404(unchanged, sub) -> None:
    body = issue_body() if sub == "issues" else shortage_body()
    problem = _refused(unchanged, f"/key-enterprises/{UNMONITORED_REF}/{sub}", body, 404, "path.employer_ref")
    assert problem["code"] == "key_enterprise_not_found" and problem["title"] == "资源不存在"


def test_the_baseline_is_fixed_at_enrolment(unchanged) -> None:
    again = unchanged.post("/monitored-enterprises", enrolment_body())
    assert again.status_code == 200 and again.json()["baseline_headcount"] == 50
    problem = _refused(unchanged, "/monitored-enterprises", enrolment_body(baseline_headcount=60), 409,
                       "body.baseline_headcount")
    assert problem["code"] == "baseline_fixed" and "建档岗位数已固定为50" in problem["detail"]
    _refused(unchanged, "/headcount-reports", headcount_body(month=in_days(0)[:7], baseline_headcount=45), 409,
             "body.baseline_headcount")


def test_malformed_json_is_400_and_changes_nothing(unchanged) -> None:
    before = unchanged.counts()
    response = httpx.post(f"{unchanged.url}/vacancies", content=b'{"employer_ref": ',
                          headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "malformed_json"
    assert [e["field"] for e in response.json()["errors"]] == ["body"]
    assert unchanged.counts() == before


def test_body_over_one_mebibyte_is_413_and_changes_nothing(unchanged) -> None:
    before = unchanged.counts()
    response = unchanged.post("/vacancies", vacancy_body(REF, description="招" * (600 * 1024)))
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert unchanged.counts() == before


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        pytest.param("GET", "/vacancies/01a2-unknown", None, 404, id="unknown vacancy"),
        pytest.param("GET", f"/employers/{credit_code(28)}", None, 404, id="unknown employer"),
        pytest.param("GET", f"/employers/{bad_check_char(credit_code(28))}", None, 422,
                     id="invalid credit code in path"),
        pytest.param("POST", "/vacancies/01a2-unknown/fill", {"count": 1}, 404, id="fill unknown vacancy"),
        pytest.param("POST", "/recruitment-sessions/nope/start", {}, 404, id="start unknown session"),
        pytest.param("GET", "/layoffs/nope", None, 404, id="unknown layoff report"),
        pytest.param("GET", "/headcount-reports/nope", None, 404, id="unknown headcount report"),
    ],
)
def test_unknown_aggregates_are_404_problems(unchanged, method, path, body, status) -> None:
    response = httpx.request(method, unchanged.url + path, json=body)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"


def test_forbidden_transitions_are_409_and_change_nothing(registered) -> None:
    vacancy = registered.post("/vacancies", vacancy_body(REF, headcount=2)).json()
    assert registered.post(f"/vacancies/{vacancy['vacancy_id']}/fill", {"count": 3}).status_code == 422
    assert registered.post(f"/vacancies/{vacancy['vacancy_id']}/close", {"reason": "expired"}).status_code == 422
    assert registered.post(f"/vacancies/{vacancy['vacancy_id']}/close", {"reason": "withdrawn"}).status_code == 200
    session = registered.post("/recruitment-sessions", {"kind": "onsite", "title": "西青区专场招聘会",
                                                        "street_code": "120111001",
                                                        "scheduled_at": "2026-12-01T09:00:00+08:00"}).json()
    before = registered.counts()
    refused = [
        registered.post(f"/vacancies/{vacancy['vacancy_id']}/fill", {"count": 1}),
        registered.post(f"/vacancies/{vacancy['vacancy_id']}/close", {"reason": "withdrawn"}),
        httpx.put(f"{registered.url}/vacancies/{vacancy['vacancy_id']}", json=vacancy_body(REF)),
        registered.post(f"/recruitment-sessions/{session['session_id']}/end",
                        {"viewers": 1, "applications": 0, "hires": 0}),
    ]
    assert [r.status_code for r in refused] == [409, 409, 409, 409]
    assert all(r.headers["content-type"] == "application/problem+json" for r in refused)
    assert registered.counts() == before


def test_layoff_planned_before_its_notice_is_refused_in_chinese_and_not_stored(registered) -> None:
    """Was accepted with ``notice_days: -36`` and ``notice_compliant: true``."""
    before = registered.counts()
    response = registered.post("/layoffs", layoff_body(staff_count=200, planned_cuts=30, notified_on="2026-10-01",
                                                       planned_on="2026-08-26"))
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error == {"field": "body.planned_on", "message": "计划裁减日期不得早于向工会或职工说明情况的日期",
                     "type": "planned_before_notice"}
    assert response.json()["detail"] == "body.planned_on：计划裁减日期不得早于向工会或职工说明情况的日期"
    assert registered.counts() == before
    same_day = registered.post("/layoffs", layoff_body(notified_on="2026-10-01", planned_on="2026-10-01"))
    assert same_day.status_code == 201 and same_day.json()["notice_days"] == 0


def test_layoff_cannot_claim_more_staff_than_the_employer_declared(registered) -> None:
    """An inflated total lowers the share cut: 30 of 400 is not a mass layoff, 30 of 120 (registered) is."""
    before = registered.counts()
    response = registered.post("/layoffs", layoff_body(staff_count=400, planned_cuts=30))
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert (error["field"], error["type"]) == ("body.staff_count", "staff_exceeds_declared")
    assert "120人" in error["message"]
    assert response.json()["detail"].startswith("body.staff_count：职工人数超过")
    assert registered.counts() == before
    # Reporting the growth in the monthly headcount first makes the larger total acceptable.
    assert registered.post("/monitored-enterprises", {"employer_ref": REF, "baseline_headcount": 400,
                                                      "enrolled_on": "2026-10-01"}).status_code == 201
    assert registered.post("/headcount-reports", headcount_body(baseline_headcount=400, current_headcount=400,
                                                                decreases={})).status_code == 201
    accepted = registered.post("/layoffs", layoff_body(staff_count=400, planned_cuts=30))
    assert accepted.status_code == 201 and accepted.json()["is_mass_layoff"] is True


@pytest.mark.parametrize(("code", "kind", "message"), [
    ("120111001999", "community_code", "未知的社区代码（不在社区/行政村名单中）"),
    ("120111002901", "community_street", "不属于所填街镇（street_code）"),
])
def test_an_employers_bad_community_code_leaves_the_employer_as_it_was(unchanged, code, kind, message) -> None:
    """The rule and the words of persons' community codes (registration): the list, and the 街镇."""
    response = unchanged.post("/employers", employer_body(21, community_code=code, staff_count=999))
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert (error["field"], error["type"]) == ("body.community_code", kind)
    assert message in error["message"] and message in response.json()["detail"]
    stored = httpx.get(f"{unchanged.url}/employers/{REF}").json()
    assert (stored["community_code"], stored["staff_count"]) == (None, 120)

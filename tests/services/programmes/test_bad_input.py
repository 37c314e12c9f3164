"""Bad input through real HTTP: a problem+json document with a Chinese message naming the field, and
nothing changed (no row, no outbox event)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from schemas.vocab import IncubatorLevel
from services.programmes import domain
from services.runtime.errors import ProblemError
from tests.services.programmes.conftest import (
    KNOWN,
    REGULAR_POST,
    STREET,
    WELFARE_POST,
    Service,
    course_body,
    credit_code,
    days_ago,
    incubator_body,
    person,
    placement_body,
    running_service,
)

EMPLOYER = credit_code(41)
STRANGER, UNKNOWN_EMPLOYER = person(KNOWN + 1), credit_code(KNOWN + 1)  # never registered


def loan(**overrides) -> dict:
    return {"person_ref": person(40), "street_code": STREET, "amount_yuan": 100_000, "term_months": 24,
            "issued_on": days_ago(1)} | overrides


def grant(**overrides) -> dict:
    return {"programme_code": "startup_subsidy", "kind": "premises", "person_ref": person(41), "street_code": STREET,
            "amount_yuan": 3_000, "granted_on": days_ago(1)} | overrides


def certificate(**overrides) -> dict:
    return {"person_ref": person(43), "street_code": STREET, "occupation_code": "6-18-01-01", "level": 4,
            "certificate_number": "S20260000000001", "issued_on": days_ago(1)} | overrides


CASES = [
    pytest.param("/programmes/courses", course_body(programme_code="basket_weaving"), "body.programme_code",
                 id="unknown programme"),
    pytest.param("/programmes/courses", course_body(programme_code="startup_loan"), "body.programme_code",
                 id="course of a programme that is not training"),
    pytest.param("/programmes/courses", course_body(starts_on=days_ago(1), ends_on=days_ago(5)), "body",
                 id="course ends before it starts"),
    pytest.param("/programmes/courses", course_body(starts_on=20261201), "body.starts_on", id="date as an integer"),
    pytest.param("/programmes/courses", course_body(capacity=0), "body.capacity", id="zero capacity"),
    pytest.param("/programmes/loans", loan(programme_code="nope"), "body.programme_code", id="unknown loan programme"),
    pytest.param("/programmes/loans", loan(amount_yuan=-5), "body.amount_yuan", id="negative loan"),
    pytest.param("/programmes/loans", loan(amount_yuan=0), "body.amount_yuan", id="zero loan"),
    pytest.param("/programmes/loans", loan(amount_yuan=200_001), "body.amount_yuan", id="loan above the person cap"),
    pytest.param("/programmes/loans", loan(person_ref=None, employer_ref=EMPLOYER, amount_yuan=3_000_001),
                 "body.amount_yuan", id="loan above the business cap"),
    pytest.param("/programmes/loans", loan(term_months=37), "body.term_months", id="term beyond the longest"),
    pytest.param("/programmes/loans", loan(employer_ref=EMPLOYER), "body.person_ref", id="two borrowers"),
    pytest.param("/programmes/loans", loan(person_ref=None), "body.person_ref", id="no borrower"),
    pytest.param("/programmes/loans", loan(interest_subsidy_yuan=100_001), "body.interest_subsidy_yuan",
                 id="interest subsidy above the loan"),
    pytest.param("/programmes/loans", loan(issued_on=1670000000), "body.issued_on", id="issued on an integer"),
    pytest.param("/programmes/loans", loan(issued_on="20261201"), "body.issued_on", id="issued on digits"),
    pytest.param("/programmes/loans", loan(issued_on=days_ago(-2)), "body.issued_on", id="issued in the future"),
    pytest.param("/programmes/loans", loan(amount_yuan="100000"), "body.amount_yuan", id="amount as a string"),
    pytest.param("/programmes/grants", grant(programme_code="nope"), "body.programme_code",
                 id="unknown grant programme"),
    pytest.param("/programmes/grants", grant(programme_code="malanhua_training"), "body.programme_code",
                 id="training subsidy granted without a completion"),
    pytest.param("/programmes/grants", grant(amount_yuan=0), "body.amount_yuan", id="zero grant"),
    pytest.param("/programmes/grants", grant(amount_yuan=-100), "body.amount_yuan", id="negative grant"),
    pytest.param("/programmes/grants", grant(amount_yuan=10_001), "body.amount_yuan", id="grant over the cap"),
    pytest.param("/programmes/grants", grant(kind=None), "body.kind", id="startup subsidy without its kind"),
    pytest.param("/programmes/grants", grant(kind="lottery"), "body.kind", id="unknown kind"),
    pytest.param("/programmes/grants", grant(granted_on=20261201), "body.granted_on", id="grant date as an integer"),
    pytest.param("/programmes/grants", grant(programme_code="flexible_social_insurance", kind=None, months=6,
                                             contributions_yuan=4_000, amount_yuan=3_001),
                 "body.amount_yuan", id="reimbursement above three quarters"),
    pytest.param("/programmes/grants", grant(programme_code="flexible_social_insurance", kind=None,
                                             person_ref=None, employer_ref=EMPLOYER, months=6,
                                             contributions_yuan=4_000, amount_yuan=3_000),
                 "body.employer_ref", id="personal subsidy to a business"),
    pytest.param("/programmes/grants", grant(id_number="120111198808082028"), "body.id_number",
                 id="an ID number is not accepted"),
    pytest.param("/programmes/payments", {"grant_id": "nope", "amount_yuan": 10, "paid_on": days_ago(1)},
                 "body.grant_id", id="payment on an unknown grant"),
    pytest.param("/programmes/placements", placement_body(programme_code="nope"), "body.programme_code",
                 id="unknown placement programme"),
    pytest.param("/programmes/placements", placement_body(programme_code="startup_subsidy"), "body.programme_code",
                 id="placement in a programme that places nobody"),
    pytest.param("/programmes/placements", placement_body(starts_on=days_ago(10), ends_on=days_ago(20)),
                 "body.ends_on", id="traineeship ends before it starts"),
    pytest.param("/programmes/placements", placement_body(starts_on=days_ago(30), ends_on=days_ago(1)),
                 "body.ends_on", id="traineeship shorter than three months"),
    pytest.param("/programmes/placements", placement_body(starts_on=days_ago(500), ends_on=days_ago(1)),
                 "body.ends_on", id="traineeship longer than twelve months"),
    pytest.param("/programmes/placements", placement_body(ends_on=None), "body.ends_on",
                 id="traineeship without its end"),
    pytest.param("/programmes/placements", placement_body(starts_on=20261201), "body.starts_on",
                 id="placement start as an integer"),
    pytest.param("/programmes/placements", placement_body(programme_code="internship", ends_on=None), "body.school",
                 id="internship without a school"),
    pytest.param("/programmes/placements", placement_body(safety_net=True), "body.safety_net",
                 id="safety net outside public-welfare posts"),
    pytest.param("/programmes/placements", placement_body(employer_ref="91120111MA0000001X"), "body.employer_ref",
                 id="host with an invalid credit code"),
    pytest.param("/programmes/loans", loan(person_ref=STRANGER), "body.person_ref", id="loan to an unknown person"),
    pytest.param("/programmes/loans", loan(person_ref=None, employer_ref=UNKNOWN_EMPLOYER), "body.employer_ref",
                 id="loan to an unknown business"),
    pytest.param("/programmes/grants", grant(person_ref=STRANGER), "body.person_ref", id="grant to an unknown person"),
    pytest.param("/programmes/grants", grant(person_ref=None, employer_ref=UNKNOWN_EMPLOYER), "body.employer_ref",
                 id="grant to an unknown business"),
    pytest.param("/programmes/placements", placement_body(vacancy_id=REGULAR_POST), "body.vacancy_id",
                 id="traineeship in a regular vacancy"),
    pytest.param("/programmes/placements", placement_body(programme_code="public_welfare_post", ends_on=None),
                 "body.vacancy_id", id="public-welfare placement in a traineeship vacancy"),
    pytest.param("/programmes/placements", placement_body(vacancy_id="0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4aff"),
                 "body.vacancy_id", id="placement in an unknown vacancy"),
    pytest.param("/programmes/placements", placement_body(employer_ref=credit_code(81)), "body.vacancy_id",
                 id="placement in another employer's vacancy"),
    pytest.param("/programmes/payments", {"grant_id": "nope", "amount_yuan": 0, "paid_on": days_ago(1)},
                 "body.amount_yuan", id="zero payment"),
    pytest.param("/programmes/payments", {"grant_id": "nope", "amount_yuan": -10, "paid_on": days_ago(1)},
                 "body.amount_yuan", id="negative payment"),
    pytest.param("/programmes/payments", {"grant_id": "nope", "amount_yuan": 10, "paid_on": 20261201},
                 "body.paid_on", id="payment date as an integer"),
    pytest.param("/programmes/placements", placement_body(person_ref=STRANGER), "body.person_ref",
                 id="placement of an unknown person"),
    pytest.param("/programmes/placements", placement_body(employer_ref=UNKNOWN_EMPLOYER), "body.employer_ref",
                 id="placement with an unknown host"),
    pytest.param("/programmes/refusals", {"programme_code": "flexible_social_insurance", "person_ref": STRANGER,
                                          "reason": "declined", "refused_on": days_ago(1)},
                 "body.person_ref", id="refusal for an unknown person"),
    pytest.param("/programmes/refusals", {"programme_code": "nope", "person_ref": person(42),
                                          "reason": "declined", "refused_on": days_ago(1)},
                 "body.programme_code", id="refusal of an unknown programme"),
    pytest.param("/programmes/refusals", {"programme_code": "flexible_social_insurance", "person_ref": person(42),
                                          "reason": "bored", "refused_on": days_ago(1)},
                 "body.reason", id="refusal for an unknown reason"),
    pytest.param("/programmes/refusals", {"programme_code": "flexible_social_insurance", "person_ref": person(42),
                                          "reason": "declined", "refused_on": 20261201},
                 "body.refused_on", id="refusal date as an integer"),
    pytest.param("/programmes/incubators", incubator_body(street_code="120111999"), "body.street_code",
                 id="incubator in an unknown street"),
    pytest.param("/programmes/incubators", incubator_body(level="provincial"), "body.level",
                 id="incubator at an unknown level"),
    pytest.param("/programmes/incubators", incubator_body(recognised_on=20261201), "body.recognised_on",
                 id="incubator recognised on an integer"),
    pytest.param("/programmes/incubators", incubator_body(recognised_on=days_ago(-1)), "body.recognised_on",
                 id="incubator recognised in the future"),
    pytest.param("/programmes/incubators", incubator_body(name=""), "body.name", id="incubator without a name"),
    pytest.param("/programmes/certificates", certificate(person_ref=STRANGER), "body.person_ref",
                 id="certificate of an unknown person"),
    pytest.param("/programmes/certificates", certificate(occupation_code="lathe"), "body.occupation_code",
                 id="certificate of an occupation that is not a code"),
    pytest.param("/programmes/certificates", certificate(level=6), "body.level", id="certificate level six"),
    pytest.param("/programmes/certificates", certificate(level=0), "body.level", id="certificate level zero"),
    pytest.param("/programmes/certificates", certificate(certificate_number="证书一号"), "body.certificate_number",
                 id="certificate number that is not one"),
    pytest.param("/programmes/certificates", certificate(issued_on=20261201), "body.issued_on",
                 id="certificate issued on an integer"),
    pytest.param("/programmes/certificates", certificate(issued_on=days_ago(-1)), "body.issued_on",
                 id="certificate issued in the future"),
    pytest.param("/programmes/certificates", certificate(enrolment_id="0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a00"),
                 "body.enrolment_id", id="certificate of an unknown enrolment"),
]


@pytest.fixture(scope="module")
def unchanged(tmp_path_factory, broker) -> Iterator[Service]:
    """One service for all the requests that change nothing: each case checks that for itself (its
    counts before and after), so they need not pay for an app, a server and a fed read model each."""
    yield from running_service(tmp_path_factory.mktemp("programmes"), broker.bootstrap)


@pytest.mark.parametrize(("path", "body", "field"), CASES)
def test_bad_input_is_a_problem_naming_the_field_and_changes_nothing(unchanged, path, body, field) -> None:
    service = unchanged
    before = service.counts()
    response = service.post(path, {k: v for k, v in body.items() if v is not None})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["title"] == "请求参数校验失败"
    assert field in [e["field"] for e in problem["errors"]]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in e["message"]) for e in problem["errors"])
    assert "120111198808082028" not in response.text
    assert service.counts() == before


@pytest.fixture
def completed(service):
    course_id = service.post("/programmes/courses", course_body()).json()["course_id"]
    enrolment = service.post(f"/programmes/courses/{course_id}/enrolments",
                             {"person_ref": person(50), "street_code": STREET, "enrolled_on": days_ago(5)}).json()
    return course_id, enrolment["enrolment_id"]


def test_an_unknown_person_cannot_enrol_and_the_problem_says_so_in_chinese(service) -> None:
    course_id = service.post("/programmes/courses", course_body()).json()["course_id"]
    before = service.counts()
    response = service.post(f"/programmes/courses/{course_id}/enrolments",
                            {"person_ref": STRANGER, "street_code": STREET, "enrolled_on": days_ago(5)})
    assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert (error["field"], error["type"]) == ("body.person_ref", "unknown_person")
    assert "未找到该人员" in error["message"]
    assert service.counts() == before


def test_completion_before_enrolment_is_refused_and_changes_nothing(service, completed) -> None:
    _, enrolment_id = completed
    before = service.counts()
    response = service.post(f"/programmes/enrolments/{enrolment_id}/completion",
                            {"completed_on": days_ago(6), "certificate": True})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["body.completed_on"]
    assert "报名" in response.json()["detail"]
    assert service.counts() == before


def test_completion_date_as_an_integer_is_refused(service, completed) -> None:
    _, enrolment_id = completed
    response = service.post(f"/programmes/enrolments/{enrolment_id}/completion",
                            {"completed_on": 20261201, "certificate": True})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "body.completed_on"


def test_a_second_malanhua_subsidy_to_one_person_is_refused(service, completed) -> None:
    course_id, enrolment_id = completed
    assert service.post(f"/programmes/enrolments/{enrolment_id}/completion",
                        {"completed_on": days_ago(1), "certificate": True}).status_code == 200
    other = service.post("/programmes/courses", course_body(title="马兰花创业培训（第2期）")).json()["course_id"]
    second = service.post(f"/programmes/courses/{other}/enrolments",
                          {"person_ref": person(50), "street_code": STREET, "enrolled_on": days_ago(3)}).json()
    before = service.counts()
    response = service.post(f"/programmes/enrolments/{second['enrolment_id']}/completion",
                            {"completed_on": days_ago(1), "certificate": True})
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["type"] == "exclusive_grant"
    assert service.counts() == before
    assert service.get(f"/programmes/enrolments/{second['enrolment_id']}").json()["completed_on"] is None
    # completing twice is a conflict, not a second subsidy
    again = service.post(f"/programmes/enrolments/{enrolment_id}/completion",
                         {"completed_on": days_ago(1), "certificate": True})
    assert again.status_code == 409


def test_a_second_one_off_startup_subsidy_is_refused_other_kinds_repeat(service) -> None:
    body = grant(kind="one_off", person_ref=person(60))
    assert service.post("/programmes/grants", body).status_code == 201
    before = service.counts()
    second = service.post("/programmes/grants", body | {"amount_yuan": 2_000})
    assert second.status_code == 422
    assert second.json()["errors"][0]["field"] == "body.person_ref"
    assert "不得重复" in second.json()["errors"][0]["message"]
    assert service.counts() == before
    premises = body | {"kind": "premises"}
    assert service.post("/programmes/grants", premises).status_code == 201
    assert service.post("/programmes/grants", premises).status_code == 201


def test_a_payment_above_what_is_left_is_refused(service) -> None:
    grant_id = service.post("/programmes/grants", grant(person_ref=person(61))).json()["grant_id"]
    assert service.post("/programmes/payments", {"grant_id": grant_id, "amount_yuan": 2_000,
                                                 "paid_on": days_ago(1)}).status_code == 201
    before = service.counts()
    over = service.post("/programmes/payments", {"grant_id": grant_id, "amount_yuan": 1_001, "paid_on": days_ago(1)})
    assert over.status_code == 422 and over.json()["errors"][0]["field"] == "body.amount_yuan"
    assert service.counts() == before


def test_a_full_course_refuses_the_next_enrolment(service) -> None:
    course_id = service.post("/programmes/courses", course_body(capacity=1)).json()["course_id"]
    ok = service.post(f"/programmes/courses/{course_id}/enrolments",
                      {"person_ref": person(70), "street_code": STREET, "enrolled_on": days_ago(5)})
    full = service.post(f"/programmes/courses/{course_id}/enrolments",
                        {"person_ref": person(71), "street_code": STREET, "enrolled_on": days_ago(5)})
    assert (ok.status_code, full.status_code) == (201, 409)
    assert full.json()["code"] == "course_full"


def test_ending_a_traineeship_needs_whether_the_trainee_was_retained_and_not_before_it_began(service) -> None:
    placement_id = service.post("/programmes/placements", placement_body(person_ref=person(83))).json()["placement_id"]
    before = service.counts()
    for body, field in (({"ended_on": days_ago(1)}, "body.retained_after"),
                        ({"ended_on": days_ago(400), "retained_after": False}, "body.ended_on"),
                        ({"ended_on": 20261201, "retained_after": False}, "body.ended_on")):
        refused = service.post(f"/programmes/placements/{placement_id}/end", body)
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["field"] == field
    assert service.counts() == before


def test_a_person_holds_one_public_welfare_post_at_a_time(service) -> None:
    body = placement_body(programme_code="public_welfare_post", person_ref=person(84), ends_on=None,
                          vacancy_id=WELFARE_POST)
    assert service.post("/programmes/placements", body).status_code == 201
    before = service.counts()
    second = service.post("/programmes/placements", body | {"employer_ref": credit_code(85), "vacancy_id": None})
    assert second.status_code == 422 and second.json()["errors"][0]["field"] == "body.person_ref"
    assert service.counts() == before


@pytest.fixture(scope="module")
def incubated(unchanged: Service) -> tuple[str, str]:
    """A 市级 base recognised 100 days ago with one firm entered 50 days ago, on the shared service."""
    base = unchanged.post("/programmes/incubators", incubator_body(level="municipal", recognised_on=days_ago(100)))
    assert base.status_code == 201, base.text
    base_id = base.json()["incubator_id"]
    firm = unchanged.post(f"/programmes/incubators/{base_id}/firms",
                          {"employer_ref": credit_code(90), "entered_on": days_ago(50)})
    assert firm.status_code == 201, firm.text
    return base_id, firm.json()["incubation_id"]


INCUBATOR_CASES = [
    pytest.param("recognitions", {"level": "district", "recognised_on": days_ago(1)}, "body.level",
                 id="recognised at a lower level"),
    pytest.param("recognitions", {"level": "municipal", "recognised_on": days_ago(1)}, "body.level",
                 id="recognised again at the same level"),
    pytest.param("recognitions", {"level": "national", "recognised_on": days_ago(101)}, "body.recognised_on",
                 id="recognised higher before the current recognition"),
    pytest.param("recognitions", {"level": "national", "recognised_on": 20261201}, "body.recognised_on",
                 id="recognition date as an integer"),
    pytest.param("firms", {"employer_ref": UNKNOWN_EMPLOYER, "entered_on": days_ago(1)}, "body.employer_ref",
                 id="an unknown firm enters"),
    pytest.param("firms", {"employer_ref": credit_code(90), "entered_on": days_ago(1)}, "body.employer_ref",
                 id="a firm enters twice"),
    pytest.param("firms", {"employer_ref": credit_code(91), "entered_on": 20261201}, "body.entered_on",
                 id="entry date as an integer"),
    pytest.param("exit", {"left_on": days_ago(51)}, "body.left_on", id="a firm leaves before it entered"),
    pytest.param("exit", {"left_on": 20261201}, "body.left_on", id="exit date as an integer"),
    pytest.param("jobs", {"headcount": 0, "reported_on": days_ago(1)}, "body.headcount", id="zero jobs"),
    pytest.param("jobs", {"headcount": -3, "reported_on": days_ago(1)}, "body.headcount", id="negative jobs"),
    pytest.param("jobs", {"headcount": "5", "reported_on": days_ago(1)}, "body.headcount", id="jobs as a string"),
    pytest.param("jobs", {"headcount": 5, "reported_on": days_ago(51)}, "body.reported_on",
                 id="jobs reported before the firm entered"),
    pytest.param("jobs", {"headcount": 5, "reported_on": 20261201}, "body.reported_on",
                 id="jobs report date as an integer"),
]


@pytest.mark.parametrize(("action", "body", "field"), INCUBATOR_CASES)
def test_incubator_register_refuses_bad_input_naming_the_field(unchanged, incubated, action, body, field) -> None:
    base_id, incubation_id = incubated
    path = (f"/programmes/incubators/{base_id}/{action}" if action in ("recognitions", "firms")
            else f"/programmes/incubations/{incubation_id}/{action}")
    before = unchanged.counts()
    response = unchanged.post(path, body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert field in [e["field"] for e in errors]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in e["message"]) for e in errors)
    assert unchanged.counts() == before


@pytest.mark.parametrize(("current", "level", "allowed"), [
    ("district", "municipal", True), ("district", "national", True), ("municipal", "national", True),
    ("municipal", "municipal", False), ("national", "municipal", False), ("municipal", "district", False)])
def test_a_base_is_recognised_again_only_at_a_higher_level(current: str, level: str, allowed: bool) -> None:
    since = date(2026, 3, 1)

    def check(on: date) -> None:
        domain.check_recognition(IncubatorLevel(current), since, IncubatorLevel(level), on)

    if allowed:
        check(since)  # the same day as the current recognition is in order
        with pytest.raises(ProblemError) as early:
            check(since - timedelta(days=1))
        assert early.value.errors[0]["field"] == "body.recognised_on"
    else:
        with pytest.raises(ProblemError) as refused:
            check(since + timedelta(days=30))
        assert refused.value.errors[0]["field"] == "body.level"
        assert "只能认定为更高级别" in refused.value.errors[0]["message"]

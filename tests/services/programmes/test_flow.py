"""Recording delivery through real HTTP on a real database, the events on the real broker."""

from __future__ import annotations

import json

from schemas.events.programme import Completed, CourseOpened, Enrolled, Granted, LoanIssued, Paid
from tests.services.programmes.conftest import STREET, course_body, credit_code, days_ago, events_for, person


def test_the_catalogue_is_served_with_its_version(service) -> None:
    catalogue = service.get("/programmes/catalogue").json()
    assert catalogue["version"] == "2026.1"
    by_code = {p["code"]: p for p in catalogue["programmes"]}
    assert {"malanhua_training", "skills_training", "startup_loan", "startup_subsidy", "traineeship", "internship",
            "public_welfare_post", "flexible_social_insurance"} <= set(by_code)
    assert by_code["malanhua_training"]["amount"] == {"rule": "fixed", "yuan": 500, "per": "completion"}
    assert by_code["malanhua_training"]["yearly_target"]["value"] == 2500
    assert "§7" in by_code["malanhua_training"]["source"]


def test_malanhua_course_enrolment_and_completion_pay_500_yuan_with_the_rule_version(broker, service) -> None:
    course = service.post("/programmes/courses", course_body())
    assert course.status_code == 201, course.text
    course_id = course.json()["course_id"]
    enrolment = service.post(f"/programmes/courses/{course_id}/enrolments",
                             {"person_ref": person(1), "street_code": STREET, "enrolled_on": days_ago(10)})
    assert enrolment.status_code == 201, enrolment.text
    enrolment_id = enrolment.json()["enrolment_id"]
    done = service.post(f"/programmes/enrolments/{enrolment_id}/completion",
                        {"completed_on": days_ago(1), "certificate": True})
    assert done.status_code == 200, done.text
    answer = done.json()
    assert answer["completed_on"] == days_ago(1) and answer["certificate"] is True
    assert answer["grant"]["amount_yuan"] == 500 and answer["grant"]["rule_version"] == "2026.1"
    assert answer["payment"]["amount_yuan"] == 500 and answer["payment"]["rule_version"] == "2026.1"
    assert answer["grant"]["paid_yuan"] == 500
    assert service.get(f"/programmes/courses/{course_id}").json()["enrolled_count"] == 1
    assert service.get(f"/programmes/enrolments/{enrolment_id}").json()["completed_on"] == days_ago(1)

    service.wait_published()
    grant_id = answer["grant"]["grant_id"]
    found = events_for(broker.bootstrap, {course_id, enrolment_id, grant_id})
    assert [type(e.data) for e in found] == [CourseOpened, Enrolled, Completed, Granted, Paid]
    assert {e.data.person_ref for e in found[1:]} == {person(1)}
    assert found[3].data.enrolment_id == enrolment_id and found[4].data.amount_yuan == 500
    assert all(e.source == "/services/programmes" for e in found)


def test_skills_training_completion_without_a_subsidy_records_no_grant(service) -> None:
    body = course_body(programme_code="skills_training", title="数控车工（四级）", occupation="车工", level=4)
    course_id = service.post("/programmes/courses", body).json()["course_id"]
    enrolment_id = service.post(f"/programmes/courses/{course_id}/enrolments",
                                {"person_ref": person(2), "street_code": STREET, "enrolled_on": days_ago(9)}
                                ).json()["enrolment_id"]
    done = service.post(f"/programmes/enrolments/{enrolment_id}/completion",
                        {"completed_on": days_ago(1), "certificate": False}).json()
    assert done["grant"] is None and done["payment"] is None


def test_a_loan_to_a_small_business_and_a_grant_paid_in_two_parts(broker, service) -> None:
    employer = credit_code(31)
    loan = service.post("/programmes/loans", {"employer_ref": employer, "street_code": STREET, "amount_yuan": 1_500_000,
                                              "term_months": 24, "interest_subsidy_yuan": 60_000,
                                              "issued_on": days_ago(3)})
    assert loan.status_code == 201, loan.text
    assert loan.json()["rule_version"] == "2026.1" and loan.json()["person_ref"] is None

    grant = service.post("/programmes/grants", {"programme_code": "startup_subsidy", "kind": "premises",
                                                "employer_ref": employer, "street_code": STREET,
                                                "amount_yuan": 20_000, "granted_on": days_ago(2)})
    assert grant.status_code == 201, grant.text
    grant_id = grant.json()["grant_id"]
    first = service.post("/programmes/payments", {"grant_id": grant_id, "amount_yuan": 12_000, "paid_on": days_ago(1)})
    second = service.post("/programmes/payments", {"grant_id": grant_id, "amount_yuan": 8_000, "paid_on": days_ago(0)})
    assert first.status_code == second.status_code == 201, (first.text, second.text)
    assert service.get(f"/programmes/grants/{grant_id}").json()["paid_yuan"] == 20_000
    assert service.get(f"/programmes/payments/{second.json()['payment_id']}").json()["amount_yuan"] == 8_000

    service.wait_published()
    found = events_for(broker.bootstrap, {loan.json()["loan_id"], grant_id})
    assert [type(e.data) for e in found] == [LoanIssued, Granted, Paid, Paid]
    assert found[0].data.employer_ref == employer and found[0].data.amount_yuan == 1_500_000


def test_flexible_employment_subsidy_up_to_three_quarters_of_contributions(service) -> None:
    body = {"programme_code": "flexible_social_insurance", "person_ref": person(3), "street_code": STREET,
            "months": 6, "contributions_yuan": 6_000, "amount_yuan": 4_500, "granted_on": days_ago(1)}
    assert service.post("/programmes/grants", body).status_code == 201
    again = service.post("/programmes/grants", body | {"amount_yuan": 4_501})
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "body.amount_yuan"


def test_events_carry_no_personal_data(broker, service) -> None:
    grant = service.post("/programmes/grants", {"programme_code": "startup_subsidy", "kind": "one_off",
                                                "person_ref": person(4), "street_code": STREET, "amount_yuan": 5_000,
                                                "granted_on": days_ago(1)}).json()
    service.wait_published()
    [event] = events_for(broker.bootstrap, {grant["grant_id"]})
    data = json.loads(event.to_json())["data"]
    assert set(data) <= {"grant_id", "programme_code", "person_ref", "employer_ref", "street_code", "kind",
                         "amount_yuan", "granted_on", "rule_version", "enrolment_id"}


def test_same_idempotency_key_returns_the_first_answer_and_publishes_once(broker, service) -> None:
    body = {"person_ref": person(5), "street_code": STREET, "amount_yuan": 100_000, "term_months": 36,
            "issued_on": days_ago(1)}
    headers = {"Idempotency-Key": "finance-bureau:loan-0001"}
    first = service.post("/programmes/loans", body, headers=headers)
    again = service.post("/programmes/loans", body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    before = service.counts()
    other = service.post("/programmes/loans", body | {"amount_yuan": 120_000}, headers=headers)
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert service.counts() == before
    service.wait_published()
    assert len(events_for(broker.bootstrap, {first.json()["loan_id"]})) == 1

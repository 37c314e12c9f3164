"""Recording delivery through real HTTP on a real database, the events on the real broker."""

from __future__ import annotations

import json

from schemas.events.programme import (
    CertificateIssued,
    Completed,
    CourseOpened,
    Enrolled,
    Granted,
    IncubateeEntered,
    IncubateeJobsReported,
    IncubateeLeft,
    IncubatorRecognised,
    LoanIssued,
    Paid,
    PlacementEnded,
    PlacementStarted,
)
from tests.services.programmes.conftest import (
    STREET,
    WELFARE_POST,
    course_body,
    credit_code,
    days_ago,
    events_for,
    incubator_body,
    person,
    placement_body,
)


def by_subject(events: list) -> dict[str, list[type]]:
    grouped: dict[str, list[type]] = {}
    for event in events:
        grouped.setdefault(event.subject, []).append(type(event.data))
    return grouped


def test_the_catalogue_is_served_with_its_version(service) -> None:
    catalogue = service.get("/programmes/catalogue").json()
    assert catalogue["version"] == "2026.3"
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
    assert answer["grant"]["amount_yuan"] == 500 and answer["grant"]["rule_version"] == "2026.3"
    assert answer["payment"]["amount_yuan"] == 500 and answer["payment"]["rule_version"] == "2026.3"
    assert answer["grant"]["paid_yuan"] == 500
    assert service.get(f"/programmes/courses/{course_id}").json()["enrolled_count"] == 1
    assert service.get(f"/programmes/enrolments/{enrolment_id}").json()["completed_on"] == days_ago(1)

    service.wait_published()
    grant_id = answer["grant"]["grant_id"]
    found = events_for(broker.bootstrap, {course_id, enrolment_id, grant_id})
    # one aggregate's events are in order (one key, one partition); across aggregates there is no order
    assert by_subject(found) == {course_id: [CourseOpened], enrolment_id: [Enrolled, Completed],
                                 grant_id: [Granted, Paid]}
    assert {e.data.person_ref for e in found if e.subject != course_id} == {person(1)}
    granted, paid = [e.data for e in found if e.subject == grant_id]
    assert granted.enrolment_id == enrolment_id and paid.amount_yuan == 500
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


def test_skills_training_completion_with_a_subsidy_within_the_cap(service) -> None:
    body = course_body(programme_code="skills_training", title="电工（五级）", occupation="电工", level=5)
    course_id = service.post("/programmes/courses", body).json()["course_id"]
    enrolments = [service.post(f"/programmes/courses/{course_id}/enrolments",
                               {"person_ref": person(n), "street_code": STREET, "enrolled_on": days_ago(9)}
                               ).json()["enrolment_id"] for n in (6, 7)]
    over = service.post(f"/programmes/enrolments/{enrolments[0]}/completion",
                        {"completed_on": days_ago(1), "certificate": True, "subsidy_yuan": 3_001})
    assert over.status_code == 422 and over.json()["errors"][0]["field"] == "body.subsidy_yuan"
    assert service.get(f"/programmes/enrolments/{enrolments[0]}").json()["completed_on"] is None
    done = service.post(f"/programmes/enrolments/{enrolments[0]}/completion",
                        {"completed_on": days_ago(1), "certificate": True, "subsidy_yuan": 1_800}).json()
    assert done["grant"]["amount_yuan"] == done["payment"]["amount_yuan"] == 1_800
    # not one-off: the same person may be subsidised again for another skills course
    other = service.post("/programmes/courses", body | {"title": "电工（四级）", "level": 4}).json()["course_id"]
    again = service.post(f"/programmes/courses/{other}/enrolments",
                         {"person_ref": person(6), "street_code": STREET, "enrolled_on": days_ago(8)}).json()
    second = service.post(f"/programmes/enrolments/{again['enrolment_id']}/completion",
                          {"completed_on": days_ago(1), "certificate": True, "subsidy_yuan": 2_000})
    assert second.status_code == 200 and second.json()["grant"]["amount_yuan"] == 2_000


def test_a_loan_to_a_small_business_and_a_grant_paid_in_two_parts(broker, service) -> None:
    employer = credit_code(31)
    loan = service.post("/programmes/loans", {"employer_ref": employer, "street_code": STREET, "amount_yuan": 1_500_000,
                                              "term_months": 24, "interest_subsidy_yuan": 60_000,
                                              "issued_on": days_ago(3)})
    assert loan.status_code == 201, loan.text
    assert loan.json()["rule_version"] == "2026.3" and loan.json()["person_ref"] is None

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
    loan_id = loan.json()["loan_id"]
    found = events_for(broker.bootstrap, {loan_id, grant_id})
    assert by_subject(found) == {loan_id: [LoanIssued], grant_id: [Granted, Paid, Paid]}
    [issued] = [e.data for e in found if e.subject == loan_id]
    assert issued.employer_ref == employer and issued.amount_yuan == 1_500_000
    assert [e.data.amount_yuan for e in found if isinstance(e.data, Paid)] == [12_000, 8_000]


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
                         "amount_yuan", "granted_on", "rule_version", "enrolment_id", "eligible_on"}


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


def test_a_traineeship_ends_with_the_trainee_retained(broker, service) -> None:
    started = service.post("/programmes/placements", placement_body())
    assert started.status_code == 201, started.text
    placement_id = started.json()["placement_id"]
    ended = service.post(f"/programmes/placements/{placement_id}/end",
                         {"ended_on": days_ago(1), "retained_after": True})
    assert ended.status_code == 200, ended.text
    assert ended.json()["retained_after"] is True
    assert service.get(f"/programmes/placements/{placement_id}").json()["ended_on"] == days_ago(1)
    service.wait_published()
    found = events_for(broker.bootstrap, {placement_id})
    assert [type(e.data) for e in found] == [PlacementStarted, PlacementEnded]
    assert found[1].data.retained_after is True and found[0].data.vacancy_id == placement_body()["vacancy_id"]


def test_internship_by_school_and_a_public_welfare_safety_net_placement(service) -> None:
    internship = service.post("/programmes/placements", placement_body(
        programme_code="internship", person_ref=person(81), school="天津理工大学", vacancy_id=None, ends_on=None))
    assert internship.status_code == 201, internship.text
    assert internship.json()["school"] == "天津理工大学"
    welfare = service.post("/programmes/placements", placement_body(
        programme_code="public_welfare_post", person_ref=person(82), safety_net=True, ends_on=None,
        vacancy_id=WELFARE_POST))
    assert welfare.status_code == 201, welfare.text
    assert welfare.json()["safety_net"] is True
    ended = service.post(f"/programmes/placements/{welfare.json()['placement_id']}/end", {"ended_on": days_ago(0)})
    assert ended.status_code == 200 and ended.json()["retained_after"] is None

    for n, school in [(100 + n, "天津职业技术师范大学") for n in range(5)] + [(105, "天津理工大学")]:
        assert service.post("/programmes/placements", placement_body(
            programme_code="internship", person_ref=person(n), school=school, vacancy_id=None, ends_on=None,
            starts_on=days_ago(3))).status_code == 201
    stats = service.get(f"/programmes/stats/internships?street_code={STREET}").json()
    assert stats["total"] == {"placements": 7, "students": 7, "small_cell": False}
    assert [(row["school"], row["placements"], row["small_cell"]) for row in stats["schools"]] == [
        ("天津职业技术师范大学", 5, False), ("天津理工大学", 2, True)]
    assert service.get("/programmes/stats/internships?year=2001").json()["total"]["placements"] == 0


def test_an_incubator_rises_to_municipal_and_its_firm_reports_jobs_then_leaves(broker, service) -> None:
    base = service.post("/programmes/incubators", incubator_body())
    assert base.status_code == 201, base.text
    base_id = base.json()["incubator_id"]
    raised = service.post(f"/programmes/incubators/{base_id}/recognitions",
                          {"level": "municipal", "recognised_on": days_ago(30)})
    assert raised.status_code == 200, raised.text
    firm = service.post(f"/programmes/incubators/{base_id}/firms",
                        {"employer_ref": credit_code(92), "entered_on": days_ago(20)}).json()
    for headcount, on in ((4, days_ago(10)), (3, days_ago(2))):
        assert service.post(f"/programmes/incubations/{firm['incubation_id']}/jobs",
                            {"headcount": headcount, "reported_on": on}).status_code == 201
    left = service.post(f"/programmes/incubations/{firm['incubation_id']}/exit", {"left_on": days_ago(1)})
    assert left.status_code == 200 and left.json()["jobs_created"] == 7
    read = service.get(f"/programmes/incubators/{base_id}").json()
    assert (read["level"], read["level_since"], read["firms_incubated"], read["jobs_created"]) == (
        "municipal", days_ago(30), 0, 7)
    assert [r["level"] for r in read["recognitions"]] == ["district", "municipal"]
    service.wait_published()
    recognitions = events_for(broker.bootstrap, {base_id})
    assert [(e.data.level, e.data.previous_level) for e in recognitions] == [("district", None),
                                                                           ("municipal", "district")]
    assert all(type(e.data) is IncubatorRecognised for e in recognitions)
    stay = events_for(broker.bootstrap, {firm["incubation_id"]})
    assert [type(e.data) for e in stay] == [IncubateeEntered, IncubateeJobsReported, IncubateeJobsReported,
                                            IncubateeLeft]
    assert [e.data.headcount for e in stay[1:3]] == [4, 3]
    assert {e.data.street_code for e in recognitions + stay} == {STREET}
    # the base's name stays in the service: events carry codes and references only
    assert all("name" not in json.loads(e.to_json())["data"] for e in recognitions + stay)


def test_a_skills_certificate_is_a_record_whose_number_never_leaves_the_service(broker, service) -> None:
    body = course_body(programme_code="skills_training", title="车工（四级）", occupation="车工", level=4)
    course_id = service.post("/programmes/courses", body).json()["course_id"]
    enrolment_id = service.post(f"/programmes/courses/{course_id}/enrolments",
                                {"person_ref": person(8), "street_code": STREET, "enrolled_on": days_ago(9)}
                                ).json()["enrolment_id"]
    certificate = {"person_ref": person(8), "street_code": STREET, "occupation_code": "6-18-01-01", "level": 4,
                   "certificate_number": "S20261201000123", "issued_on": days_ago(1), "enrolment_id": enrolment_id}
    before = service.counts()
    early = service.post("/programmes/certificates", certificate)
    assert early.status_code == 422 and early.json()["errors"][0]["type"] == "not_completed"
    assert service.counts() == before
    service.post(f"/programmes/enrolments/{enrolment_id}/completion",
                 {"completed_on": days_ago(2), "certificate": True})
    for change, field in (({"issued_on": days_ago(3)}, "body.issued_on"),
                          ({"person_ref": person(9)}, "body.person_ref")):
        refused = service.post("/programmes/certificates", certificate | change)
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == field, refused.text
    issued = service.post("/programmes/certificates", certificate)
    assert issued.status_code == 201, issued.text
    assert issued.json()["programme_code"] == "skills_training"
    read = service.get(f"/programmes/certificates/{issued.json()['certificate_id']}").json()
    assert read["certificate_number"] == "S20261201000123"
    before = service.counts()
    twice = service.post("/programmes/certificates", certificate | {"enrolment_id": None, "person_ref": person(9)})
    assert twice.status_code == 422 and twice.json()["errors"][0]["field"] == "body.certificate_number"
    assert "S20261201000123" not in twice.text and service.counts() == before
    service.wait_published()
    [event] = events_for(broker.bootstrap, {issued.json()["certificate_id"]})
    assert type(event.data) is CertificateIssued
    assert (event.data.occupation_code, event.data.level, event.data.person_ref) == ("6-18-01-01", 4, person(8))
    assert b"S20261201000123" not in event.to_json()

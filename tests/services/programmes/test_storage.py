"""The service on each database engine (SQLite; PostgreSQL when ``TEST_DATABASE_URL`` is set): the
records and their refusals hold the same, and the database itself refuses a second one-off grant."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError

from services.programmes.app import create_app
from services.programmes.settings import Settings
from services.programmes.store import Grant
from tests.conftest import LiveServer
from tests.services.programmes.conftest import (
    STREET,
    Service,
    course_body,
    credit_code,
    days_ago,
    incubator_body,
    known,
    person,
    placement_body,
)

pytestmark = pytest.mark.postgres


@pytest.fixture
def on_engine(database_url: str, tmp_path) -> Service:
    settings = Settings(database_url=database_url, KAFKA_BOOTSTRAP="127.0.0.1:1", LEYE_VAR_DIR=str(tmp_path))
    app = create_app(settings)
    with LiveServer(app) as live:
        app.state.relay.stop()  # no broker here: the events stay in the outbox
        yield known(Service(live, app))


def test_every_record_and_refusal_on_this_engine(on_engine: Service) -> None:
    service = on_engine
    course_id = service.post("/programmes/courses", course_body()).json()["course_id"]
    enrolment = service.post(f"/programmes/courses/{course_id}/enrolments",
                             {"person_ref": person(100), "street_code": STREET, "enrolled_on": days_ago(5)})
    assert enrolment.status_code == 201, enrolment.text
    done = service.post(f"/programmes/enrolments/{enrolment.json()['enrolment_id']}/completion",
                        {"completed_on": days_ago(1), "certificate": True})
    assert done.status_code == 200 and done.json()["payment"]["amount_yuan"] == 500
    loan = service.post("/programmes/loans", {"person_ref": person(100), "street_code": STREET,
                                              "amount_yuan": 200_000, "term_months": 36, "issued_on": days_ago(1)})
    assert loan.status_code == 201, loan.text
    grant = {"programme_code": "startup_subsidy", "kind": "one_off", "person_ref": person(100), "street_code": STREET,
             "amount_yuan": 10_000, "granted_on": days_ago(1)}
    first = service.post("/programmes/grants", grant)
    assert first.status_code == 201, first.text
    assert service.post("/programmes/grants", grant).status_code == 422
    placement = service.post("/programmes/placements", placement_body(person_ref=person(100)))
    assert placement.status_code == 201, placement.text
    certificate = service.post("/programmes/certificates", {
        "person_ref": person(100), "street_code": STREET, "occupation_code": "6-28-01", "level": 5,
        "certificate_number": "S20260000000100", "issued_on": days_ago(1)})
    assert certificate.status_code == 201, certificate.text
    base = service.post("/programmes/incubators", incubator_body()).json()["incubator_id"]
    firm = service.post(f"/programmes/incubators/{base}/firms", {"employer_ref": credit_code(100),
                                                                "entered_on": days_ago(3)})
    assert firm.status_code == 201, firm.text
    jobs = service.post(f"/programmes/incubations/{firm.json()['incubation_id']}/jobs",
                        {"headcount": 3, "reported_on": days_ago(1)})
    assert jobs.status_code == 201, jobs.text
    # thirteen events: the twelve records' and the 资金监管 flag of the one-off subsidy, granted to a
    # person whose facts (a job seeker, not self-employed) do not satisfy 创业补贴's rule
    assert service.counts() == {"outbox": 13, "courses": 1, "enrolments": 1, "loans": 1, "grants": 2, "payments": 1,
                                "placements": 1, "refusals": 0, "certificates": 1, "incubators": 1,
                                "incubator_recognitions": 1, "incubations": 1, "incubation_jobs": 1}


def test_the_unique_index_refuses_a_second_one_off_grant_that_slipped_past_the_check(on_engine: Service) -> None:
    """Two requests at once both pass the read check; the second commit must still fail."""
    def grant() -> Grant:
        return Grant(id=str(uuid.uuid4()), programme_code="startup_subsidy", kind="one_off", person_ref=person(101),
                     street_code=STREET, amount_yuan=5_000, paid_yuan=0, granted_on=date(2026, 1, 5),
                     rule_version="2026.1", exclusive_key=f"startup_subsidy:one_off:{person(101)}")

    sessions = on_engine.app.state.sessions
    with sessions.begin() as session:
        session.add(grant())
    with pytest.raises(IntegrityError), sessions.begin() as session:
        session.add(grant())

"""The event handlers on a real database: idempotency, reconciliation of events that arrive before
their aggregate, and which events open cases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import func, select

from schemas import new_event
from schemas.events.registration import EmploymentRegistered
from schemas.events.vacancy import FlagReason, VacancyClosed, VacancyFlagged
from schemas.reference import STREETS
from schemas.vocab import EmploymentForm, FlagCategory, KeyGroup, VacancyCloseReason
from services.matching.app import create_app
from services.matching.handlers import EventApplier
from services.matching.index import MatchIndex
from services.matching.settings import Settings
from services.matching.store import Case, PendingEvent, Referral, Station, VacancyRow
from services.runtime.db import make_engine, make_session_factory, migrate
from tests.conftest import LiveServer

from .helpers import credit_code, filled, jobseeker, mass_layoff, posted
from .test_service import MIGRATIONS

STREET = sorted(STREETS)[6]
EMPLOYER = credit_code(4242)
PERSON = "c" * 64
NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


@pytest.fixture
def applier(database_url: str) -> Iterator[EventApplier]:
    engine = make_engine(database_url)
    migrate(engine, MIGRATIONS)
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        session.add(Station(station_code="s1", street_code=STREET, community="甲", matchmaker_id="m1",
                            matchmaker_name="某", active=True))
    yield EventApplier(sessions, MatchIndex(), lambda: NOW)
    engine.dispose()


def flagged(vacancy_id: str):
    return new_event(VacancyFlagged(vacancy_id=vacancy_id, employer_ref=EMPLOYER, street_code=STREET,
                                    reasons=[FlagReason(category=FlagCategory.GENDER, explanation="限男性")]),
                     source="/services/vacancies")


def closed(vacancy_id: str):
    return new_event(VacancyClosed(vacancy_id=vacancy_id, reason=VacancyCloseReason.WITHDRAWN,
                                   closed_on=NOW.date()), source="/services/vacancies")


def employed(person_ref: str):
    return new_event(EmploymentRegistered(person_ref=person_ref, street_code=STREET, key_groups=[KeyGroup.RESIDENT],
                                          form=EmploymentForm.FLEXIBLE, employed_on=NOW.date(),
                                          was_registered_unemployed=False), source="/services/registration")


def _made_in_order(*builders):
    """Events created in this order, so their UUIDv7 ids are in this order too."""
    return [build() for build in builders]


@pytest.mark.parametrize(("make", "deliver", "status", "vacancy_cases"), [
    pytest.param(lambda: _made_in_order(lambda: posted("v1", STREET, EMPLOYER), lambda: filled("v1", STREET)),
                 [1, 0], "filled", 0, id="filled delivered before the earlier posted"),
    pytest.param(lambda: _made_in_order(lambda: posted("v1", STREET, EMPLOYER), lambda: closed("v1")),
                 [1, 0], "closed", 0, id="closed delivered before the earlier posted"),
    pytest.param(lambda: _made_in_order(lambda: flagged("v1"), lambda: posted("v1", STREET, EMPLOYER)),
                 [0, 1], "open", 1, id="withheld, then fixed and posted: the older flag is superseded"),
    pytest.param(lambda: _made_in_order(lambda: posted("v1", STREET, EMPLOYER)),
                 [0, 0], "open", 1, id="posted twice: one case"),
])
def test_vacancy_events_in_any_delivery_order(applier: EventApplier, make, deliver: list[int], status: str,
                                              vacancy_cases: int) -> None:
    events = make()
    for position in deliver:
        applier.apply_batch([events[position]])
    with applier.sessions() as session:
        assert session.get(VacancyRow, "v1").status == status
        assert session.scalar(select(func.count()).select_from(Case).where(Case.vacancy_id == "v1")) == vacancy_cases
        assert session.scalar(select(func.count()).select_from(PendingEvent)) == 0
    assert ("v1" in applier.index.vacancies) is (status == "open")


def test_registration_opens_one_case_with_referrals_and_employment_closes_it(applier: EventApplier) -> None:
    applier.apply_batch([posted("v1", STREET, EMPLOYER), posted("v2", STREET, EMPLOYER, skills={"焊工": 2})])
    registered = jobseeker(PERSON, STREET, "甲")
    applier.apply_batch([registered, registered])
    applier.apply_batch([registered])
    with applier.sessions() as session:
        [case] = session.scalars(select(Case).where(Case.person_ref == PERSON)).all()
        referrals = session.scalars(select(Referral).where(Referral.case_id == case.case_id)
                                    .order_by(Referral.score.desc())).all()
        assert [r.vacancy_id for r in referrals] == ["v1", "v2"]
        assert referrals[0].breakdown["skills"] == 1.0 and referrals[1].breakdown["skills"] == 0.0
    applier.apply_batch([employed(PERSON)])
    with applier.sessions() as session:
        assert session.get(Case, case.case_id).status == "closed"
    assert PERSON not in applier.index.people


def test_person_events_before_the_registration_are_kept_then_applied(applier: EventApplier) -> None:
    registered = jobseeker(PERSON, STREET, "甲")
    later_employment = employed(PERSON)
    applier.apply_batch([later_employment])
    with applier.sessions() as session:
        assert session.scalar(select(func.count()).select_from(PendingEvent)) == 1
    applier.apply_batch([registered])
    with applier.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 0  # already employed: no case
    assert PERSON not in applier.index.people


def test_only_a_mass_layoff_opens_an_intervention_case(applier: EventApplier) -> None:
    applier.apply_batch([posted("v1", STREET, EMPLOYER), mass_layoff(EMPLOYER, STREET)])
    with applier.sessions() as session:
        [case] = session.scalars(select(Case).where(Case.origin == "layoff")).all()
        assert (case.employer_ref, [m["vacancy_id"] for m in case.prematched]) == (EMPLOYER, ["v1"])


def test_requests_wait_for_the_first_station_and_then_go_to_the_least_loaded(broker, tmp_path) -> None:
    """With no station at all the request is parked, not dropped; creating a station dispatches it.
    A 街镇 without a station of its own falls back to the district's least-loaded station."""
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'm.sqlite3'}", kafka_bootstrap=broker.bootstrap),
                     lambda: NOW)
    with LiveServer(app) as server:
        client = httpx.Client(base_url=server.url, timeout=10)
        app.state.components.applier.apply_batch([jobseeker(PERSON, STREET, "甲")])
        other_street = sorted(STREETS)[7]
        for code in ("s-busy", "s-idle"):
            response = client.post("/stations", json={"station_code": code, "street_code": other_street,
                                                      "community": "乙", "matchmaker_id": f"m-{code}",
                                                      "matchmaker_name": "某"})
            assert response.status_code == 201
        assert [item["person_ref"] for item in client.get("/matchmakers/m-s-busy/worklist").json()] == [PERSON]
        app.state.components.applier.apply_batch([jobseeker("d" * 64, STREET, "甲")])
        assert [item["person_ref"] for item in client.get("/matchmakers/m-s-idle/worklist").json()] == ["d" * 64]

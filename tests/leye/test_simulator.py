"""The simulator's traffic: deterministic for a seed, and every body it sends is one the receiving
service accepts (validated with that service's own request model)."""

from __future__ import annotations

from collections import Counter

import orjson
import pytest

from leye.simulator.traffic import SCENARIOS, Traffic
from schemas import is_valid_credit_code, is_valid_id_number
from services.registration.api import models as registration
from services.vacancies.api import employers, headcount, layoffs, monitored, sessions, vacancies

REQUEST_MODELS = {
    "register_person": registration.PersonIn,
    "register_unemployment": registration.UnemploymentIn,
    "record_followup": registration.FollowupIn,
    "register_employment": registration.EmploymentIn,
    "certify_hardship": registration.HardshipIn,
    "close_registration": registration.CloseIn,
    "register_employer": employers.EmployerIn,
    "post_vacancy": vacancies.VacancyIn,
    "fill_vacancy": vacancies.FillIn,
    "close_vacancy": vacancies.CloseIn,
    "schedule_session": sessions.SessionIn,
    "start_session": sessions.StartIn,
    "end_session": sessions.EndIn,
    "report_headcount": headcount.HeadcountIn,
    "enrol_monitored": monitored.MonitoredIn,
    "report_layoff": layoffs.LayoffIn,
}


def plan(seed: int, scenario: str, street: str | None = None, n: int = 800) -> list:
    """The first ``n`` calls, answering each as the services would (every call accepted)."""
    traffic = Traffic(seed, scenario=scenario, street=street)
    calls = []
    for i in range(n):
        action = traffic.next_action()
        action.succeeded = True
        if action.on_success is not None:
            action.on_success({"person_ref": f"{i:064x}", "vacancy_id": f"id-{i}", "session_id": f"id-{i}",
                               "status": "open"})
        calls.append(action)
    return calls


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_same_seed_same_traffic_and_other_seed_other_traffic(scenario: str) -> None:
    def shape(calls):
        return [(c.kind, c.resolved_path(), orjson.dumps(c.body)) for c in calls]

    assert shape(plan(5, scenario, "120111100")) == shape(plan(5, scenario, "120111100"))
    assert shape(plan(5, scenario, "120111100")) != shape(plan(6, scenario, "120111100"))


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_body_is_accepted_by_the_receiving_service_model(scenario: str) -> None:
    calls = plan(11, scenario, "120111103")
    assert {c.kind for c in calls} == set(REQUEST_MODELS), "every kind of call is exercised"
    for call in calls:
        REQUEST_MODELS[call.kind].model_validate_json(orjson.dumps(call.body))
        if call.kind == "register_person":
            assert is_valid_id_number(call.body["id_number"])
        if call.kind == "register_employer":
            assert is_valid_credit_code(call.body["employer_ref"])


def test_layoff_wave_concentrates_on_its_street() -> None:
    calls = plan(2, "layoff-wave", "120111100", n=1500)
    layoffs_by_street = Counter(c.street_code for c in calls if c.kind == "report_layoff")
    unemployment = Counter(c.street_code for c in calls if c.kind == "register_unemployment")
    assert set(layoffs_by_street) == {"120111100"}
    assert unemployment.most_common(1)[0][0] == "120111100"
    assert unemployment["120111100"] > 0.5 * sum(unemployment.values())

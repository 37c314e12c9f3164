"""The simulator's traffic: deterministic for a seed, and every body it sends is one the receiving
service accepts (validated with that service's own request model), with amounts within the programme
catalogue's caps; households of a plausible size and shape; the ``policy`` scenario's 政策找人 path."""

from __future__ import annotations

import asyncio
import functools
from collections import Counter
from datetime import date, timedelta
from statistics import mean

import orjson
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from leye.simulator.population import HOUSEHOLD_SIZES, Population
from leye.simulator.run import GatewayClient
from leye.simulator.traffic import LIVE_WEIGHTS, SCENARIOS, Action, Traffic
from schemas import is_valid_credit_code, is_valid_id_number
from schemas.reference import load_communities
from schemas.vocab import HouseholdRelation
from services.programmes.api import certificates, eligibility, grants, incubators, loans, placements, training
from services.programmes.catalogue import load as load_catalogue
from services.registration.api import models as registration
from services.vacancies.api import employers, enterprises, headcount, layoffs, monitored, sessions, vacancies
from tests.conftest import LiveServer

COMMUNITIES = load_communities()

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
    "sample_viewers": sessions.ViewersIn,
    "apply_livestream": sessions.ApplicationIn,
    "decide_application": sessions.OutcomeIn,
    "report_headcount": headcount.HeadcountIn,
    "enrol_monitored": monitored.MonitoredIn,
    "report_layoff": layoffs.LayoffIn,
    "register_household": registration.HouseholdIn,
    "open_course": training.CourseIn,
    "enrol_course": training.EnrolmentIn,
    "complete_course": training.CompletionIn,
    "issue_loan": loans.LoanIn,
    "grant_subsidy": grants.GrantIn,
    "pay_grant": grants.PaymentIn,
    "place_traineeship": placements.PlacementIn,
    "place_internship": placements.PlacementIn,
    "place_public_welfare": placements.PlacementIn,
    "end_placement": placements.PlacementEndIn,
    "refuse_programme": eligibility.RefusalIn,
    "register_key_enterprise": enterprises.KeyEnterpriseIn,
    "open_issue": enterprises.IssueIn,
    "close_issue": enterprises.IssueCloseIn,
    "report_shortage": enterprises.ShortageIn,
    "close_shortage": enterprises.ShortageCloseIn,
    "issue_certificate": certificates.CertificateIn,
    "register_incubator": incubators.IncubatorIn,
    "raise_incubator": incubators.RecognitionIn,
    "enter_incubator": incubators.IncubationIn,
    "report_incubatee_jobs": incubators.JobsIn,
    "leave_incubator": incubators.IncubationExitIn,
}
IDS = ("vacancy_id", "session_id", "course_id", "enrolment_id", "grant_id", "placement_id", "household_ref",
       "loan_id", "refusal_id", "issue_id", "shortage_id", "incubator_id", "incubation_id", "certificate_id",
       "application_id")
LIVE_KINDS = set(LIVE_WEIGHTS)
MONDAY = date(2026, 12, 7)  # the day's 直播带岗 runs on working days only: the plans do not depend on today


def plan(seed: int, scenario: str, street: str | None = None, n: int = 800) -> list:
    """The first ``n`` calls, answering each as the services would (every call accepted). A call is
    only handed out after every call it waits for."""
    traffic = Traffic(seed, scenario=scenario, street=street, today=MONDAY)
    return [answer(traffic.next_action(), i) for i in range(n)]


def answer(action, i: int):
    """Accept the ``i``-th call as its service would, with made-up ids."""
    assert all(p.succeeded for p in action.prerequisites()), f"{action.kind} handed out before what it waits for"
    action.succeeded = True
    action.response = {"person_ref": f"{i:064x}", "status": "open"} | {key: f"id-{i}" for key in IDS}
    if action.on_success is not None:
        action.on_success(action.response)
    return action


LONG = ("normal", "policy")


@functools.cache
def long_plan(scenario: str) -> tuple:
    """Enough calls of the scenarios with programmes for their rarer calls to appear (shared by tests)."""
    return tuple(plan(11, scenario, "120111103", n=6000))  # 创业孵化基地 calls are a few in a thousand


def test_every_kind_of_call_is_exercised() -> None:
    kinds = {c.kind for scenario in LONG for c in long_plan(scenario)}
    assert kinds == set(REQUEST_MODELS), f"not exercised: {set(REQUEST_MODELS) - kinds}"


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_same_seed_same_traffic_and_other_seed_other_traffic(scenario: str) -> None:
    def shape(calls):
        return [(c.kind, c.resolved_path(), orjson.dumps(c.resolved_body())) for c in calls]

    assert shape(plan(5, scenario, "120111100")) == shape(plan(5, scenario, "120111100"))
    assert shape(plan(5, scenario, "120111100")) != shape(plan(6, scenario, "120111100"))


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_body_is_accepted_by_the_receiving_service_model(scenario: str) -> None:
    calls = long_plan(scenario) if scenario in LONG else plan(11, scenario, "120111103")
    assert {c.kind for c in calls} <= set(REQUEST_MODELS)
    catalogue = load_catalogue()
    for call in calls:
        body = REQUEST_MODELS[call.kind].model_validate_json(orjson.dumps(call.resolved_body()))
        if call.kind == "register_person":
            assert is_valid_id_number(call.body["id_number"])
            # the community code is the list's entry of the person's 街镇 and name (充分就业社区)
            community = COMMUNITIES[call.body["community_code"]]
            assert (community.street_code, community.name) == (call.body["street_code"], call.body["community"])
        if call.kind == "register_employer":
            assert is_valid_credit_code(call.body["employer_ref"])
        if call.kind in ("issue_loan", "grant_subsidy"):  # amounts within the catalogue's caps
            programme = catalogue.get(body.programme_code)
            assert programme is not None
            cap = programme.cap_for("person" if body.person_ref else "employer")
            if body.programme_code == "flexible_social_insurance":  # at most ¾ of the contributions
                assert 0 < body.amount_yuan * 4 <= body.contributions_yuan * 3
            else:
                assert cap is not None and 0 < body.amount_yuan <= cap


def test_layoff_wave_concentrates_on_its_street() -> None:
    calls = plan(2, "layoff-wave", "120111100", n=1500)
    layoffs_by_street = Counter(c.street_code for c in calls if c.kind == "report_layoff")
    unemployment = Counter(c.street_code for c in calls if c.kind == "register_unemployment")
    assert set(layoffs_by_street) == {"120111100"}
    assert unemployment.most_common(1)[0][0] == "120111100"
    assert unemployment["120111100"] > 0.5 * sum(unemployment.values())


def test_programme_traffic_follows_the_plans_relative_volumes() -> None:
    kinds = Counter(c.kind for c in long_plan("normal"))
    enrolled, completed = kinds["enrol_course"], kinds["complete_course"]
    assert enrolled > kinds["place_traineeship"] > kinds["place_public_welfare"] > 0  # 8,500 : 1,700 : 300 a year
    assert 0 < completed <= enrolled
    assert 0 < kinds["issue_loan"] < kinds["grant_subsidy"]
    assert kinds["pay_grant"] <= kinds["grant_subsidy"]


def test_households_are_realistic_for_a_tianjin_district() -> None:
    population = Population(seed=4)
    households = [population.household() for _ in range(1000)]
    sizes = Counter(len(h) for h in households)
    assert set(sizes) <= set(HOUSEHOLD_SIZES) and sizes[1] and sizes[5]
    assert 2.3 < mean(len(h) for h in households) < 2.7
    communities = load_communities()
    for household in households:
        relations = [relation for relation, _ in household]
        assert relations[0] is HouseholdRelation.HEAD and relations.count(HouseholdRelation.HEAD) == 1
        assert relations.count(HouseholdRelation.SPOUSE) <= 1
        assert len({(p.street_code, p.community) for _, p in household}) == 1  # one 社区
        head = household[0][1]
        assert any(c.name == head.community and c.street_code == head.street_code for c in communities.values())


def test_households_become_zero_employment_and_are_cleared() -> None:
    """Registered after every member's registration (and employment, for most); a member losing the
    only job makes a family 零就业, a member's employment clears it (as the simulator derives it from
    the calls it sent, the registration service's rule)."""
    traffic = Traffic(8)
    calls, flips = [], Counter()
    was: dict[int, bool] = {}
    for i in range(2000):
        calls.append(answer(traffic.next_action(), i))
        for household in traffic.households:
            if household.action.emitted:
                now = household.zero_employment()
                if id(household) in was and was[id(household)] != now:
                    flips["identified" if now else "cleared"] += 1
                was[id(household)] = now
    registered = [c for c in calls if c.kind == "register_household"]
    assert len(registered) > 20
    for call in registered:
        members = call.resolved_body()["members"]
        assert 1 <= len(members) <= 5 and len({m["person_ref"] for m in members}) == len(members)
        assert len(call.also_after) >= len(members)  # after every member's registration (and employment)
    assert 0 < sum(was.values()) < len(was) / 3  # some families are 零就业, most are not
    assert flips["identified"] > 0 and flips["cleared"] > 0


def test_the_policy_scenario_makes_people_eligible_and_settles_their_cases() -> None:
    """政策找人: 就业困难人员认定, then flexible work (灵活就业社保补贴's rule) or a 公益性岗位; key-group
    people starting a business; graduates on 见习 — each followed by the grant or placement that
    closes the case, for the same person, after the call that made them eligible."""
    calls = plan(21, "policy", n=1500)
    ref_of = {id(c): c.response["person_ref"] for c in calls if c.kind == "register_person"}

    def person(call):  # the person_ref of a call: its registration's answer
        first = call
        while first.after is not None:
            first = first.after
        return ref_of.get(id(first))

    history: dict[str, list[tuple[int, str]]] = {}  # person → their calls that matter here, in order
    for i, c in enumerate(calls):
        if c.kind == "certify_hardship" or c.kind == "register_employment" and c.body["form"] == "flexible":
            history.setdefault(person(c), []).append((i, c.kind))
    granted = [(c.resolved_body()["person_ref"], i) for i, c in enumerate(calls)
               if c.kind == "grant_subsidy" and c.body["programme_code"] == "flexible_social_insurance"]
    assert len(granted) >= 5
    for ref, i in granted:  # certified, then in flexible work (eligible from then on), then granted
        before = [kind for j, kind in history[ref] if j < i]
        assert "certify_hardship" in before
        assert "register_employment" in before[before.index("certify_hardship"):]
    codes = Counter(c.body["programme_code"] for c in calls if c.kind in (
        "grant_subsidy", "place_traineeship", "place_public_welfare", "refuse_programme"))
    assert {"flexible_social_insurance", "startup_subsidy", "traineeship", "public_welfare_post"} <= set(codes)



def test_key_enterprises_have_officers_ledgers_and_shortages_and_some_reports_are_missed() -> None:
    """Each issue and shortage is on an enterprise already registered as key; some issues are left
    open past their due day, and some monitored enterprises were enrolled months before their first
    report (the months between are overdue)."""
    assert 0 < Counter(c.kind for c in long_plan("normal"))["register_key_enterprise"] < 100  # a few hundred a year
    traffic = Traffic(4)
    calls = [answer(traffic.register_employer(), i) for i in range(30)]
    for kind, n in (("register_key_enterprise", 15), ("open_issue", 60), ("close_issue", 40), ("report_shortage", 20),
                    ("close_shortage", 10), ("report_headcount", 40)):
        calls += [answer(action, len(calls)) for action in (getattr(traffic, kind)() for _ in range(n)) if action]
    keys = {c.body["employer_ref"] for c in calls if c.kind == "register_key_enterprise"}
    assert all(c.resolved_path().split("/")[3] in keys for c in calls if c.kind in ("open_issue", "report_shortage"))
    closed = {id(c.after) for c in calls if c.kind == "close_issue"}
    today = traffic.today.isoformat()
    overdue = [c for c in calls if c.kind == "open_issue" and id(c) not in closed and c.body["due_on"] < today]
    assert overdue and len(closed) > len(overdue)
    enrolled = [c.body["enrolled_on"] for c in calls if c.kind == "enrol_monitored"]
    assert any(on < today[:8] + "01" for on in enrolled) and any(on == today for on in enrolled)


def test_each_working_day_runs_one_livestream_recorded_live_and_none_at_the_weekend() -> None:
    calls = long_plan("normal")
    live = [c for c in calls if c.kind == "schedule_session" and c.body["title"] == "每日直播带岗·西青好岗"]
    assert len(live) == 1 and len(live[0].resolved_body()["vacancy_ids"]) == 3
    session_id = live[0].response["session_id"]
    counts = Counter(c.kind for c in calls if c.resolved_path().startswith(f"/v1/recruitment-sessions/{session_id}/"))
    assert counts["start_session"] == 1 and "end_session" not in counts  # left in progress for the wall
    assert min(counts["sample_viewers"], counts["apply_livestream"], counts["decide_application"]) > 10
    hires = Counter(c.resolved_path() for c in calls if c.kind == "decide_application" and c.body["outcome"] == "hired")
    assert hires
    saturday = Traffic(11, today=MONDAY + timedelta(days=5))
    assert not any(saturday.next_action().kind in LIVE_KINDS for _ in range(800))


def test_a_call_whose_outcome_the_gateway_could_not_tell_is_asked_again_under_the_same_key() -> None:
    """A 504 (the backend did not answer in time) may hide a write that happened: the simulator asks
    again with the same Idempotency-Key, as a department's client should, and counts the final answer."""
    keys: list[str] = []
    app = FastAPI()

    @app.post("/oauth/token")
    async def token() -> dict:
        return {"access_token": "t", "expires_in": 900}

    @app.post("/v1/persons")
    async def register(request: Request) -> JSONResponse:
        keys.append(request.headers["Idempotency-Key"])
        if len(keys) == 1:
            return JSONResponse({"code": "backend_timeout"}, status_code=504, headers={"Retry-After": "0"})
        return JSONResponse({"person_ref": "p-1"}, status_code=201)

    async def call() -> int:
        client = GatewayClient(server.url, "client", "secret")
        try:
            response = await client.call(Action(kind="register_person", method="POST", path="/v1/persons",
                                                body={}), "sim-run-1")
            return response.status_code
        finally:
            await client.close()

    with LiveServer(app) as server:
        assert asyncio.run(call()) == 201
    assert keys == ["sim-run-1", "sim-run-1"]

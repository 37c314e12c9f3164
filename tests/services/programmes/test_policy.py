"""政策找人 in the programmes service: the read model of person facts fed by registration events, the
catalogue's rules evaluated only where a fact they read changed, ``programme.eligible`` through the
outbox, "why eligible" in Chinese, refusals. The rules' pure parts are checked against a naive
evaluation of every rule on every change."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import select

from schemas import new_event, parse_event
from schemas.events.household import ZeroEmploymentCleared, ZeroEmploymentIdentified
from schemas.events.programme import Eligible, Refused
from schemas.events.registration import (
    EmploymentRegistered,
    FollowupRecorded,
    HardshipCertified,
    RegistrationClosed,
    UnemploymentRegistered,
)
from schemas.vocab import (
    ClosureReason,
    ContactChannel,
    EmploymentForm,
    FollowupOutcome,
    HardshipCategory,
    KeyGroup,
    RegistrationKind,
    RegistrationPlace,
    UnemploymentReason,
    ZeroEmploymentClearReason,
)
from services.programmes.catalogue import load
from services.programmes.eligibility import RuleIndex, evaluate_naively
from services.programmes.facts import FACT_NAMES, NO_FACTS, apply, apply_household, changed
from services.programmes.store import Eligibility, PersonFactsRow, ProcessedEvent
from services.runtime.outbox import OutboxMessage
from tests.services.programmes.conftest import STREET, credit_code, days_ago, jobseeker, person, today

HARDSHIP = (KeyGroup.RESIDENT, KeyGroup.HARDSHIP, KeyGroup.AGE_4050)
SOURCE = "/services/registration"


def certified(person_ref: str, groups=HARDSHIP):
    return new_event(HardshipCertified(person_ref=person_ref, street_code=STREET, key_groups=list(groups),
                                       categories=[HardshipCategory.AGE_4050], certified_on=today()), source=SOURCE)


def employed(person_ref: str, form: EmploymentForm, groups=HARDSHIP):
    needs_employer = form in (EmploymentForm.EMPLOYED, EmploymentForm.PUBLIC_WELFARE)
    return new_event(EmploymentRegistered(person_ref=person_ref, street_code=STREET, key_groups=list(groups), form=form,
                                          employer_ref=credit_code(1) if needs_employer else None,
                                          employed_on=today(), was_registered_unemployed=False), source=SOURCE)


def unemployed(person_ref: str, groups=HARDSHIP):
    return new_event(UnemploymentRegistered(
        person_ref=person_ref, street_code=STREET, key_groups=[*groups, KeyGroup.REGISTERED_UNEMPLOYED],
        unemployed_since=today(), reason=UnemploymentReason.DISMISSED, registered_on=today(),
        registration_place=RegistrationPlace.RESIDENCE), source=SOURCE)


def followed_up(person_ref: str, groups=HARDSHIP):
    return new_event(FollowupRecorded(person_ref=person_ref, street_code=STREET, key_groups=list(groups),
                                      channel=ContactChannel.PHONE, outcome=FollowupOutcome.STILL_UNEMPLOYED,
                                      followed_up_on=today()), source=SOURCE)


def eligible_events(service, person_ref: str) -> list[Eligible]:
    with service.app.state.sessions() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        found = [parse_event(row.payload) for row in rows]
    return [e.data for e in found if isinstance(e.data, Eligible) and e.data.person_ref == person_ref]


# --- pure: facts and the rule index --------------------------------------------------------------


def test_facts_follow_the_registration_events() -> None:
    ref = person(1)
    facts = apply(NO_FACTS, jobseeker(ref).data)
    assert (facts.status, facts.street_code, facts.key_groups) == ("jobseeker", STREET, frozenset({"resident"}))
    facts = apply(facts, unemployed(ref).data)
    assert (facts.status, facts.unemployment_spells, facts.employment_form) == ("unemployed", 1, None)
    employed_facts = apply(facts, employed(ref, EmploymentForm.FLEXIBLE).data)
    assert (employed_facts.status, employed_facts.employment_form) == ("employed", "flexible")
    assert changed(facts, employed_facts) == {"status", "employment_form", "key_groups"}
    closed = new_event(RegistrationClosed(person_ref=ref, street_code=STREET, key_groups=[KeyGroup.RESIDENT],
                                          registration=RegistrationKind.UNEMPLOYMENT, reason=ClosureReason.EMPLOYED,
                                          closed_on=today()), source=SOURCE)
    assert apply(facts, closed.data).status == "jobseeker"


def test_the_index_hands_out_only_the_rules_that_read_a_changed_fact() -> None:
    index = RuleIndex(load())
    assert {r.programme_code for r in index.affected(frozenset({"employment_form"}))} == {
        "flexible_social_insurance", "startup_subsidy"}
    assert {r.programme_code for r in index.affected(frozenset({"status"}))} == {"traineeship", "public_welfare_post"}
    assert index.affected(frozenset({"graduation_year", "unemployment_spells", "street_code"})) == ()
    assert len(index.affected(frozenset(FACT_NAMES))) == len(index.rules) == 4


def test_incremental_evaluation_agrees_with_evaluating_every_rule_on_every_change() -> None:
    """Random event sequences: after each event, the answers kept by evaluating only the affected rules
    equal those of evaluating every rule."""
    index = RuleIndex(load())
    rng = random.Random(17)
    groups = [KeyGroup.RESIDENT, KeyGroup.HARDSHIP, KeyGroup.GRADUATE_UNEMPLOYED, KeyGroup.ZERO_EMPLOYMENT_FAMILY,
              KeyGroup.GRADUATE, KeyGroup.VETERAN]
    for n in range(200):
        ref = person(1000 + n)
        facts, kept = NO_FACTS, dict.fromkeys((r.programme_code for r in index.rules), False)
        for _ in range(12):
            chosen = rng.sample(groups, rng.randint(1, 3))
            kind = rng.randrange(5)
            if kind == 0:
                event = jobseeker(ref, key_groups=chosen)
            elif kind == 1:
                event = unemployed(ref, chosen)
            elif kind == 2:
                event = employed(ref, rng.choice(list(EmploymentForm)), chosen)
            elif kind == 3:
                event = certified(ref, chosen)
            else:
                event = followed_up(ref, chosen)
            after = apply(facts, event.data)
            for rule in index.affected(changed(facts, after)):
                kept[rule.programme_code] = rule.holds(after)
            facts = after
            assert kept == dict(evaluate_naively(index.rules, facts))


# --- the service: read model, eligibility, outbox -------------------------------------------------


def test_a_hardship_person_taking_up_flexible_work_becomes_eligible_once(service) -> None:
    ref = person(150)
    assert service.feed(certified(ref)) == 0  # hardship, but not in flexible work yet
    became = employed(ref, EmploymentForm.FLEXIBLE)
    assert service.feed(became, became) == 1
    assert service.feed(became) == 0  # redelivered: already applied
    [event] = eligible_events(service, ref)
    assert (event.programme_code, event.programme_name, event.rule_version) == (
        "flexible_social_insurance", "灵活就业社保补贴", "2026.3")
    assert event.cause_event_id == became.id and event.street_code == STREET
    assert [(c.clause, c.fact, c.value) for c in event.clauses] == [
        ("重点群体包含就业困难人员", "key_groups", ["age_4050", "hardship", "resident"]),
        ("就业形式为灵活就业", "employment_form", "flexible")]
    # a follow-up changes no fact a rule reads: nothing is evaluated, nothing published
    evaluations = service.app.state.components.applier.evaluations
    assert service.feed(followed_up(ref)) == 0
    assert service.app.state.components.applier.evaluations == evaluations
    with service.app.state.sessions() as session:
        assert session.get(ProcessedEvent, became.id) is not None
        state = session.get(Eligibility, (ref, "flexible_social_insurance"))
        assert state.eligible and state.event_id is not None


def test_eligibility_ends_with_the_fact_and_is_published_again_when_it_returns(service) -> None:
    ref = person(151)
    assert service.feed(certified(ref), employed(ref, EmploymentForm.FLEXIBLE)) == 1
    # no longer in flexible work, but now unemployed and 就业困难: a 公益性岗位 (托底安置) is for them
    assert service.feed(unemployed(ref)) == 1
    with service.app.state.sessions() as session:
        assert not session.get(Eligibility, (ref, "flexible_social_insurance")).eligible
        assert session.get(Eligibility, (ref, "public_welfare_post")).eligible
    assert service.feed(employed(ref, EmploymentForm.FLEXIBLE)) == 1
    assert [e.programme_code for e in eligible_events(service, ref)] == [
        "flexible_social_insurance", "public_welfare_post", "flexible_social_insurance"]


def test_a_person_who_already_received_a_one_off_programme_is_not_published(service) -> None:
    ref = person(152)
    groups = (KeyGroup.RESIDENT, KeyGroup.GRADUATE)
    created = service.post("/programmes/grants", {
        "programme_code": "startup_subsidy", "kind": "one_off", "person_ref": ref, "street_code": STREET,
        "amount_yuan": 5_000, "granted_on": days_ago(1)})
    assert created.status_code == 201, created.text
    assert service.feed(employed(ref, EmploymentForm.SELF_EMPLOYED, groups)) == 0
    with service.app.state.sessions() as session:
        state = session.get(Eligibility, (ref, "startup_subsidy"))
        assert state.eligible and state.event_id is None


def test_a_person_is_known_once_any_registration_event_arrived(service) -> None:
    ref = person(9_001)  # not registered by the fixture
    body = {"person_ref": ref, "street_code": STREET, "amount_yuan": 50_000, "term_months": 24,
            "issued_on": days_ago(1)}
    refused = service.post("/programmes/loans", body)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "body.person_ref"
    service.feed(certified(ref))
    with service.app.state.sessions() as session:
        row = session.get(PersonFactsRow, ref)
        assert (row.status, row.key_groups) == (None, ["age_4050", "hardship", "resident"])
    assert service.post("/programmes/loans", body).status_code == 201


# --- why eligible, refusals ------------------------------------------------------------------------


def test_why_eligible_explains_each_clause_in_chinese(service) -> None:
    ref = person(153)
    service.feed(certified(ref), employed(ref, EmploymentForm.FLEXIBLE))
    why = service.get(f"/programmes/eligibility/{ref}/flexible_social_insurance")
    assert why.status_code == 200, why.text
    answer = why.json()
    assert answer["eligible"] is True and answer["rule_version"] == "2026.3" and answer["event_id"]
    assert answer["summary"] == ("符合灵活就业社保补贴的条件：重点群体包含就业困难人员（现为：“4050”人员、"
                                 "就业困难人员、常住劳动力）；就业形式为灵活就业（现为：灵活就业）。")
    assert [(c["fact_label"], c["value_text"], c["held"]) for c in answer["clauses"]] == [
        ("重点群体", "“4050”人员、就业困难人员、常住劳动力", True), ("就业形式", "灵活就业", True)]

    not_yet = service.get(f"/programmes/eligibility/{ref}/public_welfare_post").json()
    assert not_yet["eligible"] is False and not_yet["found_at"] is None
    assert "登记状态为登记失业（现为：已就业）——不满足" in not_yet["summary"]

    every = service.get(f"/programmes/eligibility/{ref}").json()
    assert {(e["programme_code"], e["eligible"]) for e in every} == {
        ("flexible_social_insurance", True), ("public_welfare_post", False), ("traineeship", False),
        ("startup_subsidy", False)}

    for path, code in ((f"/programmes/eligibility/{person(9_002)}/flexible_social_insurance", "person_not_found"),
                       (f"/programmes/eligibility/{ref}/basket_weaving", "programme_not_found"),
                       (f"/programmes/eligibility/{ref}/startup_loan", "no_eligibility_rule")):
        missing = service.get(path)
        assert (missing.status_code, missing.json()["code"]) == (404, code)
        assert missing.headers["content-type"] == "application/problem+json"


def test_a_refusal_is_recorded_and_published(service) -> None:
    ref = person(154)
    refused = service.post("/programmes/refusals", {"programme_code": "flexible_social_insurance",
                                                    "person_ref": ref, "reason": "declined",
                                                    "refused_on": days_ago(0)})
    assert refused.status_code == 201, refused.text
    body = refused.json()
    assert (body["reason"], body["street_code"], body["refused_on"]) == ("declined", STREET, today().isoformat())
    assert service.get(f"/programmes/refusals/{body['refusal_id']}").json() == body
    with service.app.state.sessions() as session:
        [event] = [parse_event(r.payload) for r in session.scalars(select(OutboxMessage))
                   if parse_event(r.payload).subject == ref]
    assert isinstance(event.data, Refused) and event.data.refusal_id == body["refusal_id"]


@pytest.mark.parametrize("path", ["/programmes/eligibility/not-a-ref", "/programmes/eligibility/not-a-ref/traineeship"])
def test_a_malformed_person_ref_is_a_problem_naming_the_path(service, path) -> None:
    response = service.get(path)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "path.person_ref"


# --- household flags (leye.household): 零就业家庭 members ------------------------------------------------

HOUSEHOLD = {"household_ref": "hh-policy-1", "street_code": STREET, "community_code": f"{STREET}901",
             "community": "测试社区", "members": 2}


def identified(*refs: str):
    return new_event(ZeroEmploymentIdentified(**HOUSEHOLD, identified_on=today(), seeking_members=list(refs)),
                     source=SOURCE)


def cleared(employed_ref: str):
    return new_event(ZeroEmploymentCleared(**HOUSEHOLD, identified_on=today(), cleared_on=today(),
                                           reason=ZeroEmploymentClearReason.EMPLOYMENT,
                                           employed_person_ref=employed_ref), source=SOURCE)


def test_a_zero_employment_household_gives_its_members_the_group_until_it_is_cleared() -> None:
    resident = apply(NO_FACTS, unemployed(person(1), groups=(KeyGroup.RESIDENT,)).data)
    flagged = apply_household(resident, STREET, zero_employment=True)
    assert (flagged.zero_employment_household, "zero_employment_family" in flagged.key_groups) == ("yes", True)
    assert changed(resident, flagged) == {"zero_employment_household", "key_groups"}
    again = apply(flagged, followed_up(person(1), groups=(KeyGroup.RESIDENT,)).data)  # groups as registration has them
    assert "zero_employment_family" in again.key_groups  # kept while the household is one
    assert apply_household(again, STREET, zero_employment=False).key_groups == {"resident"}


def test_members_of_a_zero_employment_household_are_found_for_public_welfare_posts(service) -> None:
    """The catalogue's 公益性岗位 (托底安置) rule reads 零就业家庭成员: a member registered unemployed is
    found eligible when the household is derived one, and no longer when it is cleared."""
    seeker, other = person(160), person(161)
    assert service.feed(unemployed(seeker, groups=(KeyGroup.RESIDENT,))) == 0  # no hardship, no household yet
    assert service.feed(identified(seeker, other)) == 1  # the other member is not unemployed
    [event] = eligible_events(service, seeker)
    assert event.programme_code == "public_welfare_post"
    assert [(c.fact, c.value) for c in event.clauses][0] == ("key_groups", ["registered_unemployed", "resident",
                                                                            "zero_employment_family"])
    with service.app.state.sessions() as session:
        assert session.get(PersonFactsRow, other).street_code == STREET  # known from the household alone
    assert service.feed(cleared(other)) == 0
    with service.app.state.sessions() as session:
        assert not session.get(Eligibility, (seeker, "public_welfare_post")).eligible
        assert session.get(PersonFactsRow, seeker).household_ref is None

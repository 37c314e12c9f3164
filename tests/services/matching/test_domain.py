"""Scoring rules, their properties, the index against the naive scorer, SLA deadlines and stars."""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leye.bench.match import synthetic
from schemas.reference import STREETS
from schemas.vocab import Education, IndustrySection, KeyGroup, VacancyKind
from services.matching import domain
from services.matching.domain import Person, Vacancy
from services.matching.index import MatchIndex

TODAY = date(2026, 6, 1)
STREET_A, STREET_B = sorted(STREETS)[:2]


def person(**changes) -> Person:
    base = Person(person_ref="a" * 64, street_code=STREET_A, age=30, education=Education.SENIOR_HIGH,
                  skills={"电工": 3}, desired_industry=IndustrySection.C, desired_salary_min=5000)
    return dataclasses.replace(base, **changes)


def vacancy(**changes) -> Vacancy:
    base = Vacancy(vacancy_id="v1", street_code=STREET_A, industry=IndustrySection.C, kind=VacancyKind.REGULAR,
                   salary_max=6000, education_required=Education.SENIOR_HIGH, skills_required={"电工": 3},
                   age_min=18, age_max=45, valid_until=TODAY + timedelta(days=10))
    return dataclasses.replace(base, **changes)


@pytest.mark.parametrize(("p", "v"), [
    pytest.param(person(education=Education.JUNIOR_HIGH), vacancy(), id="education below the requirement"),
    pytest.param(person(age=50), vacancy(), id="older than the age range"),
    pytest.param(person(age=17), vacancy(), id="younger than the age range"),
    pytest.param(person(), vacancy(open=False), id="vacancy closed or filled"),
    pytest.param(person(), vacancy(valid_until=TODAY - timedelta(days=1)), id="vacancy expired"),
])
def test_hard_requirements_rule_a_pair_out(p: Person, v: Vacancy) -> None:
    assert domain.score(p, v, TODAY) is None


@pytest.mark.parametrize(("p", "v", "component", "expected"), [
    pytest.param(person(), vacancy(), "skills", 1.0, id="skill at the required level"),
    pytest.param(person(skills={"电工": 1}), vacancy(), "skills", 0.3333, id="skill below the level"),
    pytest.param(person(skills={}), vacancy(), "skills", 0.0, id="skill missing"),
    pytest.param(person(skills={}), vacancy(skills_required={}), "skills", 1.0, id="no skills required"),
    pytest.param(person(), vacancy(street_code=STREET_B), "location", 0.3, id="other 街镇"),
    pytest.param(person(), vacancy(salary_max=4000), "salary", 0.8, id="offer below the wish"),
    pytest.param(person(desired_salary_min=None), vacancy(salary_max=100), "salary", 1.0, id="no salary wish"),
    pytest.param(person(desired_industry=None), vacancy(), "industry", 0.5, id="no industry wish"),
    pytest.param(person(), vacancy(industry=IndustrySection.F), "industry", 0.0, id="other industry"),
    pytest.param(person(key_groups=frozenset({KeyGroup.GRADUATE})), vacancy(kind=VacancyKind.TRAINEESHIP),
                 "kind", 1.0, id="见习 for a graduate"),
    pytest.param(person(), vacancy(kind=VacancyKind.TRAINEESHIP), "kind", 0.2, id="见习 for a non-graduate"),
    pytest.param(person(key_groups=frozenset({KeyGroup.AGE_4050})), vacancy(kind=VacancyKind.PUBLIC_WELFARE),
                 "kind", 1.0, id="公益性岗位 for the hard-to-employ"),
    pytest.param(person(unemployed_since=TODAY - timedelta(days=200)), vacancy(), "priority", 1.0,
                 id="long-term unemployed"),
    pytest.param(person(unemployed_since=TODAY - timedelta(days=30)), vacancy(), "priority", 0.0,
                 id="recently unemployed"),
    pytest.param(person(key_groups=frozenset({KeyGroup.ZERO_EMPLOYMENT_FAMILY})), vacancy(), "priority", 1.0,
                 id="零就业家庭"),
    pytest.param(person(key_groups=frozenset({KeyGroup.GRADUATE_UNEMPLOYED})), vacancy(), "priority", 1.0,
                 id="离校未就业"),
])
def test_breakdown_components(p: Person, v: Vacancy, component: str, expected: float) -> None:
    match = domain.score(p, v, TODAY)
    assert match is not None
    assert match.breakdown[component] == expected
    assert match.score == round(sum(domain.WEIGHTS[k] * x for k, x in domain.breakdown(p, v, TODAY).items()), 4)


educations = st.sampled_from(list(Education))
people = st.builds(
    Person, person_ref=st.just("b" * 64), street_code=st.sampled_from(sorted(STREETS)), age=st.integers(16, 63),
    education=educations,
    skills=st.dictionaries(st.sampled_from(["电工", "焊工", "厨师", "育婴员"]), st.integers(1, 5), max_size=4),
    desired_industry=st.none() | st.sampled_from(list(IndustrySection)),
    desired_salary_min=st.none() | st.integers(0, 20000),
    key_groups=st.frozensets(st.sampled_from(list(KeyGroup)), max_size=3),
    unemployed_since=st.none() | st.dates(date(2024, 1, 1), TODAY),
)
vacancies = st.builds(
    Vacancy, vacancy_id=st.just("v9"), street_code=st.sampled_from(sorted(STREETS)),
    industry=st.sampled_from(list(IndustrySection)), kind=st.sampled_from(list(VacancyKind)),
    salary_max=st.integers(0, 30000), education_required=st.none() | educations,
    skills_required=st.dictionaries(st.sampled_from(["电工", "焊工", "厨师"]), st.integers(1, 5), max_size=3),
    age_min=st.none() | st.integers(16, 30), age_max=st.none() | st.integers(31, 63),
    valid_until=st.just(TODAY + timedelta(days=5)),
)


@settings(max_examples=200, deadline=None)
@given(p=people, v=vacancies)
def test_score_and_breakdown_stay_in_range(p: Person, v: Vacancy) -> None:
    match = domain.score(p, v, TODAY)
    if match is not None:
        assert 0.0 <= match.score <= 1.0
        assert set(match.breakdown) == set(domain.WEIGHTS)
        assert all(0.0 <= value <= 1.0 for value in match.breakdown.values())


@settings(max_examples=200, deadline=None)
@given(p=people, v=vacancies, required=educations)
def test_meeting_the_education_requirement_always_ranks_above_not_meeting(p: Person, v: Vacancy,
                                                                           required: Education) -> None:
    """All else equal, only the person who meets the requirement is ranked at all; and a hard
    requirement is never outweighed: the other person has the best possible soft profile."""
    v = dataclasses.replace(v, education_required=required, age_min=None, age_max=None)
    below = [e for e in Education if e.rank < required.rank]
    meets = dataclasses.replace(p, person_ref="1" * 64, education=required)
    index = MatchIndex()
    index.put_vacancy(v)
    index.put_person(meets)
    if below:
        perfect = dataclasses.replace(
            meets, person_ref="2" * 64, education=below[0], street_code=v.street_code,
            skills={name: 5 for name in v.skills_required}, desired_industry=v.industry, desired_salary_min=None,
            key_groups=frozenset(KeyGroup), unemployed_since=TODAY - timedelta(days=400),
        )
        index.put_person(perfect)
        assert domain.score(perfect, v, TODAY) is None
    ranked = [m.person_ref for m in domain.naive_top_candidates(v, [meets], TODAY, 10)]
    assert [m.person_ref for m in index.top_candidates(v, TODAY, 10)] == ranked == ["1" * 64]


def test_index_returns_the_naive_scores_in_both_directions() -> None:
    all_people, all_vacancies = synthetic(seed=5)
    sample_people, sample_vacancies = all_people[:3000], all_vacancies[:1500]
    index = MatchIndex()
    for p in sample_people:
        index.put_person(p)
    for v in sample_vacancies:
        index.put_vacancy(v)
    rng = random.Random(1)
    for v in rng.sample(sample_vacancies, 15):
        fast = index.top_candidates(v, TODAY, 20)
        slow = domain.naive_top_candidates(v, sample_people, TODAY, 20)
        assert [m.score for m in fast] == [m.score for m in slow]
        assert all(m.breakdown == domain.score(index.people[m.person_ref], v, TODAY).breakdown for m in fast)
    for p in rng.sample(sample_people, 15):
        assert [m.score for m in index.top_vacancies(p, TODAY, 20)] == \
            [m.score for m in domain.naive_top_vacancies(p, sample_vacancies, TODAY, 20)]


def test_removed_people_and_closed_vacancies_leave_the_index() -> None:
    index = MatchIndex()
    p, v = person(), vacancy()
    index.put_person(p)
    index.put_vacancy(v)
    assert [m.vacancy_id for m in index.top_vacancies(p, TODAY)] == ["v1"]
    index.put_vacancy(dataclasses.replace(v, open=False))
    index.put_person(p, active=False)
    assert index.top_vacancies(p, TODAY) == []
    assert index.top_candidates(v, TODAY) == []


@pytest.mark.parametrize(("opened", "contact_due", "referral_due"), [
    pytest.param(datetime(2026, 6, 1, 1, 0, tzinfo=UTC), datetime(2026, 6, 1, 16, 0, tzinfo=UTC),
                 datetime(2026, 6, 4, 1, 0, tzinfo=UTC), id="09:00 Shanghai: due at local midnight"),
    pytest.param(datetime(2026, 6, 1, 17, 30, tzinfo=UTC), datetime(2026, 6, 2, 16, 0, tzinfo=UTC),
                 datetime(2026, 6, 4, 17, 30, tzinfo=UTC), id="01:30 Shanghai next day counts as that day"),
])
def test_sla_deadlines(opened: datetime, contact_due: datetime, referral_due: datetime) -> None:
    assert domain.contact_due(opened) == contact_due
    assert domain.referral_due(opened) == referral_due


@pytest.mark.parametrize(("args", "stars"), [
    pytest.param((0, 0, 0, 0), None, id="nothing to judge yet"),
    pytest.param((10, 10, 10, 3), 5, id="all deadlines met, 30% placed"),
    pytest.param((10, 5, 4, 0), 2, id="half the deadlines, no placements"),
    pytest.param((10, 0, 2, 0), 1, id="nothing met"),
])
def test_star_rating(args: tuple[int, int, int, int], stars: int | None) -> None:
    assert domain.rate(*args).stars == stars


def test_layoff_prematch_ranks_by_likely_skills_then_street_then_pay() -> None:
    ranked = domain.layoff_prematch([
        vacancy(vacancy_id="other-skill", skills_required={"厨师": 2}, salary_max=9000),
        vacancy(vacancy_id="far", street_code=STREET_B, skills_required={"电工": 2}),
        vacancy(vacancy_id="near-low-pay", skills_required={"电工": 2}, salary_max=4000),
        vacancy(vacancy_id="near", skills_required={"电工": 2}),
    ], STREET_A, {"电工": 3})
    assert [m["vacancy_id"] for m in ranked] == ["near", "near-low-pay", "far", "other-skill"]
    assert ranked[0]["breakdown"] == {"industry": 1.0, "skills": 1.0, "location": 1.0}

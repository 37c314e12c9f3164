"""Pure matching and case rules: no I/O, no clock (callers pass ``today`` / ``now``).

Scoring a (person, vacancy) pair has two steps:

1. **Hard requirements** (:func:`eligible`): the vacancy is open, the person's education meets the
   requirement (``Education.meets``) and their age is inside the vacancy's age range. A pair that
   fails one is never suggested, whatever its soft score would be.
2. **Soft score** (:func:`score`): seven components, each in 0..1, combined with the fixed
   :data:`WEIGHTS` (they sum to 1, so the score is in 0..1 too). The components are the breakdown
   a 红娘 reads to explain a suggestion:

   - ``skills``: mean over the vacancy's required skills of min(person level / required level, 1);
     a missing skill counts 0; no required skills = 1.
   - ``education``: 1 when the requirement is met (always, after the hard filter; kept so the
     breakdown says so).
   - ``location``: 1 in the same 街镇, :data:`OTHER_STREET` elsewhere in the district.
   - ``salary``: 1 when the offer's maximum reaches the person's desired minimum (or they stated
     none), else offer maximum / desired minimum.
   - ``industry``: 1 for the desired 门类, 0 for another, :data:`NO_PREFERENCE` without a wish.
   - ``kind``: 见习 posts fit graduates, 公益性岗位 fit the hard-to-employ (1 vs :data:`KIND_MISFIT`);
     regular and flexible posts get :data:`KIND_NEUTRAL`.
   - ``priority``: 1 for the groups the action plan prioritises (long-term unemployed ≥ 6 months,
     就业困难人员, 零就业家庭, 离校未就业), else 0.

The in-memory index (:mod:`services.matching.index`) computes exactly these formulas on arrays;
a test checks that both agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from schemas.fields import SHANGHAI, Skill
from schemas.vocab import Education, IndustrySection, KeyGroup, VacancyKind

WEIGHTS: dict[str, float] = {
    "skills": 0.30,
    "education": 0.10,
    "location": 0.20,
    "salary": 0.15,
    "industry": 0.10,
    "kind": 0.05,
    "priority": 0.10,
}
OTHER_STREET = 0.3
NO_PREFERENCE = 0.5
KIND_NEUTRAL = {VacancyKind.REGULAR: 0.7, VacancyKind.FLEXIBLE: 0.5}
KIND_MISFIT = 0.2
LONG_TERM_UNEMPLOYED_DAYS = 183  # six months

GRADUATE_GROUPS = frozenset({KeyGroup.GRADUATE, KeyGroup.GRADUATE_UNEMPLOYED})
HARD_TO_EMPLOY_GROUPS = frozenset(
    {KeyGroup.HARDSHIP, KeyGroup.ZERO_EMPLOYMENT_FAMILY, KeyGroup.DISABLED, KeyGroup.AGE_4050}
)
PRIORITY_GROUPS = frozenset({KeyGroup.HARDSHIP, KeyGroup.ZERO_EMPLOYMENT_FAMILY, KeyGroup.GRADUATE_UNEMPLOYED})

REFERRAL_DAYS = 3


@dataclass(frozen=True)
class Person:
    """What matching knows about a job seeker (no names, no ID numbers)."""

    person_ref: str
    street_code: str
    age: int
    education: Education
    skills: dict[str, int] = field(default_factory=dict)  # skill name -> level 1..5
    desired_industry: IndustrySection | None = None
    desired_salary_min: int | None = None
    key_groups: frozenset[KeyGroup] = frozenset()
    unemployed_since: date | None = None
    community: str | None = None


@dataclass(frozen=True)
class Vacancy:
    """What matching knows about a posting; ``open`` is false once closed, flagged or filled."""

    vacancy_id: str
    street_code: str
    industry: IndustrySection
    kind: VacancyKind
    salary_max: int
    education_required: Education | None = None
    skills_required: dict[str, int] = field(default_factory=dict)
    age_min: int | None = None
    age_max: int | None = None
    valid_until: date | None = None
    open: bool = True


@dataclass(frozen=True)
class Match:
    """A scored pair: ``score`` is the weighted sum of ``breakdown`` (all rounded to 4 places)."""

    person_ref: str
    vacancy_id: str
    score: float
    breakdown: dict[str, float]


def skills_by_name(skills: Iterable[Skill]) -> dict[str, int]:
    """Skill list of an event to name -> highest level (a name listed twice keeps its best level)."""
    levels: dict[str, int] = {}
    for skill in skills:
        levels[skill.name] = max(levels.get(skill.name, 0), skill.level)
    return levels


def vacancy_is_open(vacancy: Vacancy, today: date) -> bool:
    return vacancy.open and (vacancy.valid_until is None or vacancy.valid_until >= today)


def eligible(person: Person, vacancy: Vacancy, today: date) -> bool:
    """The hard requirements; no soft score can outweigh them."""
    if not vacancy_is_open(vacancy, today):
        return False
    if not person.education.meets(vacancy.education_required):
        return False
    if vacancy.age_min is not None and person.age < vacancy.age_min:
        return False
    return vacancy.age_max is None or person.age <= vacancy.age_max


def is_priority(person: Person, today: date) -> bool:
    """Long-term unemployed (≥ 6 months), 就业困难人员, 零就业家庭 or 离校未就业."""
    if person.key_groups & PRIORITY_GROUPS:
        return True
    return person.unemployed_since is not None and (today - person.unemployed_since).days >= LONG_TERM_UNEMPLOYED_DAYS


def kind_fit(kind: VacancyKind, groups: frozenset[KeyGroup]) -> float:
    if kind is VacancyKind.TRAINEESHIP:
        return 1.0 if groups & GRADUATE_GROUPS else KIND_MISFIT
    if kind is VacancyKind.PUBLIC_WELFARE:
        return 1.0 if groups & HARD_TO_EMPLOY_GROUPS else KIND_MISFIT
    return KIND_NEUTRAL[kind]


def skill_fit(have: dict[str, int], required: dict[str, int]) -> float:
    """Mean over required skills of min(level held / level required, 1); 1 when nothing is required."""
    if not required:
        return 1.0
    return sum(min(have.get(name, 0) / level, 1.0) for name, level in required.items()) / len(required)


def breakdown(person: Person, vacancy: Vacancy, today: date) -> dict[str, float]:
    """The seven soft components, unrounded (see the module docstring)."""
    skills = skill_fit(person.skills, vacancy.skills_required)
    wish = person.desired_salary_min or 0
    salary = 1.0 if wish == 0 or vacancy.salary_max >= wish else vacancy.salary_max / wish
    if person.desired_industry is None:
        industry = NO_PREFERENCE
    else:
        industry = 1.0 if person.desired_industry is vacancy.industry else 0.0
    return {
        "skills": skills,
        "education": 1.0 if person.education.meets(vacancy.education_required) else 0.0,
        "location": 1.0 if person.street_code == vacancy.street_code else OTHER_STREET,
        "salary": salary,
        "industry": industry,
        "kind": kind_fit(vacancy.kind, person.key_groups),
        "priority": 1.0 if is_priority(person, today) else 0.0,
    }


def total(parts: dict[str, float]) -> float:
    return sum(WEIGHTS[name] * value for name, value in parts.items())


def score(person: Person, vacancy: Vacancy, today: date) -> Match | None:
    """The explained score of a pair, or ``None`` when a hard requirement rules it out."""
    if not eligible(person, vacancy, today):
        return None
    parts = breakdown(person, vacancy, today)
    return Match(person.person_ref, vacancy.vacancy_id, round(total(parts), 4),
                 {name: round(value, 4) for name, value in parts.items()})


def naive_top_candidates(vacancy: Vacancy, people: list[Person], today: date, limit: int) -> list[Match]:
    """Straightforward reference: score everyone, sort. The index must return the same scores."""
    matches = [m for p in people if (m := score(p, vacancy, today)) is not None]
    return sorted(matches, key=lambda m: (-m.score, m.person_ref))[:limit]


def naive_top_vacancies(person: Person, vacancies: list[Vacancy], today: date, limit: int) -> list[Match]:
    matches = [m for v in vacancies if (m := score(person, v, today)) is not None]
    return sorted(matches, key=lambda m: (-m.score, m.vacancy_id))[:limit]


def layoff_prematch(vacancies: list[Vacancy], street_code: str, likely_skills: dict[str, int],
                    limit: int = 20) -> list[dict[str, object]]:
    """Vacancies for workers about to be laid off (提前介入), given open vacancies of the employer's
    industry. The workers are not known yet, so their likely skills stand in for them (the skills
    their employer asked for in its own postings). Ranked by skill fit (a vacancy asking for none
    fits anyone), then same 街镇, then pay; each with its breakdown."""
    ranked = []
    for vacancy in vacancies:
        parts = {
            "industry": 1.0,
            "skills": round(skill_fit(likely_skills, vacancy.skills_required), 4),
            "location": 1.0 if vacancy.street_code == street_code else OTHER_STREET,
        }
        ranked.append((-(parts["skills"] + parts["location"]), -vacancy.salary_max, vacancy.vacancy_id, vacancy, parts))
    ranked.sort(key=lambda item: item[:3])
    return [{"vacancy_id": v.vacancy_id, "street_code": v.street_code, "salary_max": v.salary_max, "breakdown": parts}
            for *_, v, parts in ranked[:limit]]


# --- SLA deadlines ---------------------------------------------------------------------------------


def contact_due(opened_at: datetime) -> datetime:
    """当天主动联系: by the end of the opening day in Asia/Shanghai (next local midnight), in UTC."""
    local_day = opened_at.astimezone(SHANGHAI).date()
    return datetime.combine(local_day + timedelta(days=1), time(0), tzinfo=SHANGHAI).astimezone(UTC)


def referral_due(opened_at: datetime) -> datetime:
    """3日内人岗双向推介: three days (72 hours) after the case was opened."""
    return opened_at.astimezone(UTC) + timedelta(days=REFERRAL_DAYS)


# --- 星级 (star rating) ----------------------------------------------------------------------------

SLA_WEIGHT = 0.6
PLACEMENT_WEIGHT = 0.4
PLACEMENT_TARGET = 0.3


@dataclass(frozen=True)
class Rating:
    deadlines_due: int
    deadlines_met: int
    cases_closed: int
    cases_placed: int
    stars: int | None


def rate(deadlines_due: int, deadlines_met: int, cases_closed: int, cases_placed: int) -> Rating:
    """星级 of a 红娘, 1..5, or ``None`` with nothing to judge yet.

    stars = 1 + round(4 × (0.6 × SLA compliance + 0.4 × min(placement rate / 0.3, 1)))

    - SLA compliance = deadlines met / deadlines due (each case has two: same-day contact and
      3-day referral; a deadline counts once it passed or was met);
    - placement rate = closed cases with a hire / closed cases; 30 % placements earns the full part.
    A part without data counts 0, so a new 红娘 starts low and rises with work done.
    """
    if deadlines_due == 0 and cases_closed == 0:
        return Rating(0, 0, 0, 0, None)
    compliance = deadlines_met / deadlines_due if deadlines_due else 0.0
    placement = min((cases_placed / cases_closed) / PLACEMENT_TARGET, 1.0) if cases_closed else 0.0
    stars = 1 + round(4 * (SLA_WEIGHT * compliance + PLACEMENT_WEIGHT * placement))
    return Rating(deadlines_due, deadlines_met, cases_closed, cases_placed, stars)

"""人岗匹配：10万求职者中取岗位前20名候选人、2万岗位中取个人前20个岗位的耗时与内存。

Builds a synthetic read model (seeded, so every run scores the same data): 100,000 people and
20,000 open vacancies across the 12 街镇, 20 门类, a vocabulary of 300 skills and realistic spreads
of age, education, wishes and key groups. Then, single-threaded:

- ``vacancy_top20_*``: :meth:`MatchIndex.top_candidates` for random vacancies, p50/p95 in ms;
- ``person_top20_*``: :meth:`MatchIndex.top_vacancies` for random people, p50/p95 in ms;
- ``naive_*``: the straightforward pure-Python scorer (``domain.naive_top_*``: score every pair,
  sort) on a few of the same queries; ``speedup_vs_naive`` = naive mean / index mean over both
  directions (each direction's total time, so the slower vacancy direction weighs in fully);
- ``rss_mib_100k``: resident-memory growth while loading the 100,000 people into the index
  (``VmRSS`` from ``/proc/self/status``), which includes the Python objects kept for breakdowns.

``quick`` shrinks only the number of timed queries, not the data.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import TypeVar

from schemas.reference import STREETS
from schemas.vocab import Education, IndustrySection, KeyGroup, VacancyKind

# A benchmark of the matching service's pure code may import it (import-linter forbids this only for
# leye's operational commands, which go through a service's CLI or HTTP API).
from services.matching import domain
from services.matching.domain import Person, Vacancy
from services.matching.index import MatchIndex

_T = TypeVar("_T")

PEOPLE = 100_000
VACANCIES = 20_000
TODAY = date(2026, 6, 1)


def _rss_mib() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _skills(rng: random.Random, vocabulary: list[str], most: int) -> dict[str, int]:
    return {name: rng.randint(1, 5) for name in rng.sample(vocabulary, rng.randint(0, most))}


def synthetic(seed: int = 20260601) -> tuple[list[Person], list[Vacancy]]:
    rng = random.Random(seed)
    streets = sorted(STREETS)
    sections = list(IndustrySection)
    educations = list(Education)
    groups = list(KeyGroup)
    vocabulary = [f"技能{i:03d}" for i in range(300)]
    people = [
        Person(
            person_ref=f"{i:064x}", street_code=rng.choice(streets), age=rng.randint(16, 60),
            education=rng.choice(educations), skills=_skills(rng, vocabulary, 6),
            desired_industry=rng.choice([None, *sections]),
            desired_salary_min=rng.choice([None, rng.randrange(2000, 12000, 500)]),
            key_groups=frozenset(rng.sample(groups, rng.randint(0, 2))),
            unemployed_since=rng.choice([None, TODAY - timedelta(days=rng.randint(0, 400))]),
        )
        for i in range(PEOPLE)
    ]
    vacancies = []
    for i in range(VACANCIES):
        age_min = rng.choice([None, 18, 22, 25])
        vacancies.append(Vacancy(
            vacancy_id=f"v{i}", street_code=rng.choice(streets), industry=rng.choice(sections),
            kind=rng.choice(list(VacancyKind)), salary_max=rng.randrange(2500, 20000, 500),
            education_required=rng.choice([None, *educations]), skills_required=_skills(rng, vocabulary, 4),
            age_min=age_min, age_max=rng.choice([None, 35, 45, 55]), valid_until=TODAY + timedelta(days=30),
        ))
    return people, vacancies


def _pcts(samples_s: list[float]) -> tuple[float, float]:
    ms = sorted(s * 1000 for s in samples_s)
    return round(statistics.median(ms), 2), round(ms[min(len(ms) - 1, int(0.95 * len(ms)))], 2)


def _timed(call: Callable[[_T], object], items: Iterable[_T]) -> list[float]:
    samples = []
    for item in items:
        started = time.perf_counter()
        call(item)
        samples.append(time.perf_counter() - started)
    return samples


def run(quick: bool = False) -> dict[str, float | int]:
    """Time top-20 queries both ways on the index and with the naive scorer; measure memory."""
    people, vacancies = synthetic()
    index = MatchIndex()
    before = _rss_mib()
    for person in people:
        index.put_person(person)
    rss = _rss_mib() - before
    for vacancy in vacancies:
        index.put_vacancy(vacancy)

    rng = random.Random(7)
    queries = 40 if quick else 200
    vacancy_samples = _timed(lambda v: index.top_candidates(v, TODAY, 20), rng.sample(vacancies, queries))
    person_samples = _timed(lambda p: index.top_vacancies(p, TODAY, 20), rng.sample(people, queries))

    naive_queries = 2 if quick else 5
    naive_vacancy = _timed(lambda v: domain.naive_top_candidates(v, people, TODAY, 20),
                           rng.sample(vacancies, naive_queries))
    naive_person = _timed(lambda p: domain.naive_top_vacancies(p, vacancies, TODAY, 20),
                          rng.sample(people, naive_queries))
    index_mean = statistics.mean(vacancy_samples) + statistics.mean(person_samples)
    naive_mean = statistics.mean(naive_vacancy) + statistics.mean(naive_person)

    v50, v95 = _pcts(vacancy_samples)
    p50, p95 = _pcts(person_samples)
    return {
        "people": PEOPLE,
        "vacancies": VACANCIES,
        "queries": queries,
        "vacancy_top20_p50_ms": v50,
        "vacancy_top20_p95_ms": v95,
        "person_top20_p50_ms": p50,
        "person_top20_p95_ms": p95,
        "naive_vacancy_top20_ms": round(statistics.mean(naive_vacancy) * 1000, 1),
        "naive_person_top20_ms": round(statistics.mean(naive_person) * 1000, 1),
        "speedup_vs_naive": round(naive_mean / index_mean, 1),
        "rss_mib_100k": round(rss, 1),
    }

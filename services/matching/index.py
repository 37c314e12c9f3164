"""In-memory index of the read models, for fast top-k matching.

People and open vacancies are held column-wise in numpy arrays (one row per person or vacancy, at
most 20 skill slots per row, the event contracts' limit), so scoring one vacancy against 100,000
people is a handful of vectorised passes instead of 100,000 Python calls. The formulas are those of
:mod:`services.matching.domain`; ranking uses the vectorised total, and the top ``limit`` rows are
re-scored with :func:`domain.score` so every returned breakdown is exactly the pure function's.

The database is the record: the index is rebuilt from it at start and updated after each committed
event. With several replicas each applies only its own partitions' events, so before every query
the index calls :attr:`MatchIndex.catch_up`, which :class:`services.matching.sync.IndexSync` points
at the database. Updates carry the row's revision and an update older than the one the index holds
for that row is ignored, so updates may arrive twice and in any order. Methods are thread-safe
(one lock): events are applied in a worker thread while API requests read in the thread pool.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

import numpy as np
from numpy.typing import NDArray

from schemas.reference import STREETS
from schemas.vocab import IndustrySection, KeyGroup, VacancyKind

from . import domain
from .domain import Match, Person, Vacancy

MAX_SKILLS = 20
_STREETS = {code: i for i, code in enumerate(sorted(STREETS))}
_SECTIONS = {section: i for i, section in enumerate(IndustrySection)}
_KINDS = {kind: i for i, kind in enumerate(VacancyKind)}
_GROUP_BIT = {group: 1 << i for i, group in enumerate(KeyGroup)}


def _mask(groups: Iterable[KeyGroup]) -> int:
    bits = 0
    for group in groups:
        bits |= _GROUP_BIT[group]
    return bits


_GRADUATE_MASK = _mask(domain.GRADUATE_GROUPS)
_HARD_MASK = _mask(domain.HARD_TO_EMPLOY_GROUPS)
_PRIORITY_MASK = _mask(domain.PRIORITY_GROUPS)


class _Skills:
    """Skill names to small integer ids (0 = empty slot)."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}

    def encode(self, skills: dict[str, int]) -> tuple[list[int], list[int]]:
        ids = [self.ids.setdefault(name, len(self.ids) + 1) for name in skills]
        return ids, list(skills.values())


class _Table:
    """Rows of fixed-width columns with an id -> row map; freed rows are reused."""

    def __init__(self, columns: dict[str, tuple[type, tuple[int, ...], float]], capacity: int = 1024) -> None:
        self._spec = columns
        self.capacity = capacity
        self.cols: dict[str, NDArray[Any]] = {
            name: np.full((capacity, *shape), fill, dtype=dtype) for name, (dtype, shape, fill) in columns.items()
        }
        self.ids: list[str | None] = [None] * capacity
        self.rows: dict[str, int] = {}
        self._free: list[int] = []
        self._next = 0
        self.width = 0  # most skill slots any row has used: queries only look at these columns

    def row_for(self, key: str) -> int:
        if key in self.rows:
            return self.rows[key]
        if self._free:
            row = self._free.pop()
        else:
            if self._next == self.capacity:
                self._grow()
            row, self._next = self._next, self._next + 1
        self.rows[key], self.ids[row] = row, key
        return row

    def remove(self, key: str) -> int | None:
        row = self.rows.pop(key, None)
        if row is not None:
            self.ids[row] = None
            self._free.append(row)
        return row

    def _grow(self) -> None:
        new = self.capacity * 2
        for name, (dtype, shape, fill) in self._spec.items():
            grown: NDArray[Any] = np.full((new, *shape), fill, dtype=dtype)
            grown[: self.capacity] = self.cols[name]
            self.cols[name] = grown
        self.ids.extend([None] * (new - self.capacity))
        self.capacity = new

    @property
    def used(self) -> int:
        return self._next


def _top(totals: np.ndarray, limit: int) -> np.ndarray:
    """Positions of the ``limit`` highest finite totals, any order."""
    candidates = np.flatnonzero(np.isfinite(totals))
    if len(candidates) <= limit:
        return candidates
    part = np.argpartition(-totals[candidates], limit - 1)[:limit]
    return candidates[part]


class MatchIndex:
    """People and vacancies for top-k queries in both directions."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._skills = _Skills()
        self.people: dict[str, Person] = {}
        self.vacancies: dict[str, Vacancy] = {}
        # newest revision applied per id, kept after a removal so an older update cannot resurrect it
        self._person_rev: dict[str, int] = {}
        self._vacancy_rev: dict[str, int] = {}
        self.revision = 0  # every change up to this revision is in the index (see sync.IndexSync)
        self.catch_up: Callable[[], object] = lambda: None  # called before each query
        self._p = _Table({
            "active": (np.bool_, (), False), "street": (np.int16, (), -1), "age": (np.int16, (), 0),
            "edu": (np.int8, (), 0), "industry": (np.int8, (), -1), "wish": (np.float64, (), 0.0),
            "groups": (np.int32, (), 0), "since": (np.int32, (), 0),
            "skill": (np.int32, (MAX_SKILLS,), 0), "level": (np.float64, (MAX_SKILLS,), 0.0),
        }, capacity=4096)
        self._v = _Table({
            "open": (np.bool_, (), False), "until": (np.int32, (), 0), "street": (np.int16, (), -1),
            "industry": (np.int8, (), -1), "kind": (np.int8, (), 0), "salary": (np.float64, (), 0.0),
            "edu": (np.int8, (), -1), "age_min": (np.int16, (), 0), "age_max": (np.int16, (), 999),
            "skill": (np.int32, (MAX_SKILLS,), 0), "level": (np.float64, (MAX_SKILLS,), 1.0),
            "nreq": (np.int16, (), 0),
        }, capacity=1024)

    # --- updates ----------------------------------------------------------------------------------

    def put_person(self, person: Person, active: bool = True, revision: int | None = None) -> None:
        """Insert or replace a person; inactive people (employed, closed) are never candidates.
        With ``revision``, an update not newer than the one already applied is ignored."""
        with self._lock:
            if revision is not None:
                if self._person_rev.get(person.person_ref, -1) >= revision:
                    return
                self._person_rev[person.person_ref] = revision
            if not active:
                self.people.pop(person.person_ref, None)
                row = self._p.remove(person.person_ref)
                if row is not None:
                    self._p.cols["active"][row] = False
                return
            self.people[person.person_ref] = person
            row = self._p.row_for(person.person_ref)
            c = self._p.cols
            c["active"][row] = True
            c["street"][row] = _STREETS[person.street_code]
            c["age"][row] = person.age
            c["edu"][row] = person.education.rank
            c["industry"][row] = -1 if person.desired_industry is None else _SECTIONS[person.desired_industry]
            c["wish"][row] = person.desired_salary_min or 0
            c["groups"][row] = _mask(person.key_groups)
            c["since"][row] = person.unemployed_since.toordinal() if person.unemployed_since else 0
            ids, levels = self._skills.encode(person.skills)
            c["skill"][row] = 0
            c["level"][row] = 0.0
            c["skill"][row, : len(ids)] = ids
            c["level"][row, : len(ids)] = levels
            self._p.width = max(self._p.width, len(ids))

    def put_vacancy(self, vacancy: Vacancy, revision: int | None = None) -> None:
        """Insert or replace a vacancy; a vacancy that is no longer open leaves the index.
        With ``revision``, an update not newer than the one already applied is ignored."""
        with self._lock:
            if revision is not None:
                if self._vacancy_rev.get(vacancy.vacancy_id, -1) >= revision:
                    return
                self._vacancy_rev[vacancy.vacancy_id] = revision
            if not vacancy.open:
                self.vacancies.pop(vacancy.vacancy_id, None)
                row = self._v.remove(vacancy.vacancy_id)
                if row is not None:
                    self._v.cols["open"][row] = False
                return
            self.vacancies[vacancy.vacancy_id] = vacancy
            row = self._v.row_for(vacancy.vacancy_id)
            c = self._v.cols
            c["open"][row] = True
            c["until"][row] = vacancy.valid_until.toordinal() if vacancy.valid_until else 10**7
            c["street"][row] = _STREETS[vacancy.street_code]
            c["industry"][row] = _SECTIONS[vacancy.industry]
            c["kind"][row] = _KINDS[vacancy.kind]
            c["salary"][row] = vacancy.salary_max
            c["edu"][row] = -1 if vacancy.education_required is None else vacancy.education_required.rank
            c["age_min"][row] = vacancy.age_min or 0
            c["age_max"][row] = 999 if vacancy.age_max is None else vacancy.age_max
            ids, levels = self._skills.encode(vacancy.skills_required)
            c["skill"][row] = 0
            c["level"][row] = 1.0
            c["skill"][row, : len(ids)] = ids
            c["level"][row, : len(ids)] = levels
            c["nreq"][row] = len(ids)
            self._v.width = max(self._v.width, len(ids))

    def advance(self, revision: int, *, contiguous: bool) -> None:
        """Record that every change up to ``revision`` is applied. ``contiguous``: only if the index
        already held everything before it (a process's own commit, whose rows were just put)."""
        with self._lock:
            if not contiguous or revision == self.revision + 1:
                self.revision = max(self.revision, revision)

    # --- queries ----------------------------------------------------------------------------------

    def top_candidates(self, vacancy: Vacancy, today: date, limit: int = 20) -> list[Match]:
        """The best ``limit`` eligible people for a vacancy, best first (ties by person_ref)."""
        if not domain.vacancy_is_open(vacancy, today) or limit <= 0:
            return []
        self.catch_up()
        with self._lock:
            n, c = self._p.used, self._p.cols
            if n == 0:
                return []
            mask = c["active"][:n].copy()
            if vacancy.education_required is not None:
                mask &= c["edu"][:n] >= vacancy.education_required.rank
            if vacancy.age_min is not None:
                mask &= c["age"][:n] >= vacancy.age_min
            if vacancy.age_max is not None:
                mask &= c["age"][:n] <= vacancy.age_max
            rows = np.flatnonzero(mask)  # hard requirements first: score only eligible people
            groups = c["groups"][rows]
            parts = {
                "skills": self._skills_for_vacancy(vacancy, rows),
                "education": 1.0,
                "location": np.where(c["street"][rows] == _STREETS[vacancy.street_code], 1.0, domain.OTHER_STREET),
                "salary": _salary(c["wish"][rows], float(vacancy.salary_max)),
                "industry": _industry(c["industry"][rows], _SECTIONS[vacancy.industry]),
                "kind": _kind(vacancy.kind, groups),
                "priority": _priority(groups, c["since"][rows], today),
            }
            rows = rows[_top(np.broadcast_to(_weighted(parts), rows.shape), limit)]
            people = [self.people[self._p.ids[r]] for r in rows]
        matches = [m for p in people if (m := domain.score(p, vacancy, today)) is not None]
        return sorted(matches, key=lambda m: (-m.score, m.person_ref))

    def top_vacancies(self, person: Person, today: date, limit: int = 20) -> list[Match]:
        """The best ``limit`` open vacancies the person is eligible for, best first."""
        if limit <= 0:
            return []
        self.catch_up()
        with self._lock:
            n, c = self._v.used, self._v.cols
            if n == 0:
                return []
            mask = c["open"][:n] & (c["until"][:n] >= today.toordinal()) & (c["edu"][:n] <= person.education.rank)
            mask &= (c["age_min"][:n] <= person.age) & (c["age_max"][:n] >= person.age)
            kinds = c["kind"][:n]
            kind_value = np.array([domain.kind_fit(kind, person.key_groups) for kind in VacancyKind])
            wish = person.desired_salary_min or 0
            salary = c["salary"][:n]
            parts = {
                "skills": self._skills_for_person(person, n),
                "education": 1.0,
                "location": np.where(c["street"][:n] == _STREETS.get(person.street_code, -2), 1.0,
                                     domain.OTHER_STREET),
                "salary": np.ones(n) if wish == 0 else np.where(salary >= wish, 1.0, salary / wish),
                "industry": (np.full(n, domain.NO_PREFERENCE) if person.desired_industry is None
                             else (c["industry"][:n] == _SECTIONS[person.desired_industry]).astype(np.float64)),
                "kind": kind_value[kinds],
                "priority": 1.0 if domain.is_priority(person, today) else 0.0,
            }
            totals = np.where(mask, _weighted(parts), -np.inf)
            rows = _top(totals, limit)
            vacancies = [self.vacancies[self._v.ids[r]] for r in rows]
        matches = [m for v in vacancies if (m := domain.score(person, v, today)) is not None]
        return sorted(matches, key=lambda m: (-m.score, m.vacancy_id))

    def vacancies_in_industry(self, section: IndustrySection, today: date) -> list[Vacancy]:
        """Open vacancies of one 门类 (for layoff pre-matching; a few hundred at most)."""
        self.catch_up()
        with self._lock:
            return [v for v in self.vacancies.values() if v.industry is section and domain.vacancy_is_open(v, today)]

    def _skills_for_vacancy(self, vacancy: Vacancy, rows: np.ndarray) -> np.ndarray | float:
        required = vacancy.skills_required
        if not required:
            return 1.0
        known = {self._skills.ids[name]: level for name, level in required.items() if name in self._skills.ids}
        if not known or self._p.width == 0:
            return np.zeros(len(rows))
        req_ids = np.array(sorted(known), dtype=np.int32)
        req_levels = np.array([known[i] for i in sorted(known)], dtype=np.float64)
        skill = self._p.cols["skill"][rows, : self._p.width]
        pos = np.minimum(np.searchsorted(req_ids, skill), len(req_ids) - 1)
        hit = req_ids[pos] == skill
        level = self._p.cols["level"][rows, : self._p.width]
        contrib = np.where(hit, np.minimum(level / req_levels[pos], 1.0), 0.0)
        return contrib.sum(axis=1) / len(required)

    def _skills_for_person(self, person: Person, n: int) -> np.ndarray:
        c = self._v.cols
        has_req = c["nreq"][:n] > 0
        known = {self._skills.ids[name]: level for name, level in person.skills.items() if name in self._skills.ids}
        if not known:
            return np.where(has_req, 0.0, 1.0)
        own_ids = np.array(sorted(known), dtype=np.int32)
        own_levels = np.array([known[i] for i in sorted(known)], dtype=np.float64)
        width = max(self._v.width, 1)
        skill = c["skill"][:n, :width]
        pos = np.minimum(np.searchsorted(own_ids, skill), len(own_ids) - 1)
        hit = own_ids[pos] == skill
        contrib = np.where(hit, np.minimum(own_levels[pos] / c["level"][:n, :width], 1.0), 0.0)
        return np.where(has_req, contrib.sum(axis=1) / np.maximum(c["nreq"][:n], 1), 1.0)


def _weighted(parts: dict[str, np.ndarray | float]) -> np.ndarray:
    total: np.ndarray | float = 0.0
    for name, value in parts.items():
        total = total + domain.WEIGHTS[name] * value
    return np.asarray(total, dtype=np.float64)


def _salary(wish: np.ndarray, offer: float) -> np.ndarray:
    ratio = np.divide(offer, wish, out=np.ones_like(wish), where=wish > 0)
    return np.where((wish == 0) | (offer >= wish), 1.0, ratio)


def _industry(desired: np.ndarray, section: int) -> np.ndarray:
    return np.where(desired == -1, domain.NO_PREFERENCE, np.where(desired == section, 1.0, 0.0))


def _kind(kind: VacancyKind, groups: np.ndarray) -> np.ndarray | float:
    if kind is VacancyKind.TRAINEESHIP:
        return np.where(groups & _GRADUATE_MASK, 1.0, domain.KIND_MISFIT)
    if kind is VacancyKind.PUBLIC_WELFARE:
        return np.where(groups & _HARD_MASK, 1.0, domain.KIND_MISFIT)
    return domain.KIND_NEUTRAL[kind]


def _priority(groups: np.ndarray, since: np.ndarray, today: date) -> np.ndarray:
    long_term = (since > 0) & (today.toordinal() - since >= domain.LONG_TERM_UNEMPLOYED_DAYS)
    return np.where(((groups & _PRIORITY_MASK) != 0) | long_term, 1.0, 0.0)

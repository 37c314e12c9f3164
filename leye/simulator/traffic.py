"""What the simulator sends: a deterministic stream of API calls for one seed and scenario.

``Traffic.next_action()`` draws the next call from weights that depend on the scenario, and keeps
just enough state (people by status, employers, open vacancies, sessions) to make each call valid:
an unemployment registration is only sent for a registered person, a fill only for an open vacancy.
Ids the server assigns (vacancy and session ids) are filled in by the sender from the responses,
through ``Action.on_success``.

Scenarios:
- ``normal``: a steady mix of registrations, postings, follow-ups and placements.
- ``layoff-wave``: mass layoffs and a surge of unemployment registrations in one 街镇.
- ``graduation``: graduation season; most new registrations are 离校未就业 graduates.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from schemas.vocab import Education, KeyGroup, VacancyKind

from .population import Employer, Person, Population

SHANGHAI = ZoneInfo("Asia/Shanghai")
SCENARIOS = ("normal", "layoff-wave", "graduation")

# Relative weights of each kind of call per scenario.
WEIGHTS: dict[str, dict[str, float]] = {
    "normal": {
        "register_person": 30, "register_unemployment": 12, "record_followup": 8, "register_employment": 8,
        "certify_hardship": 2, "close_registration": 2, "register_employer": 5, "post_vacancy": 15,
        "fill_vacancy": 5, "close_vacancy": 2, "schedule_session": 2, "run_session": 2, "report_headcount": 5,
        "report_layoff": 0.5,
    },
    "graduation": {
        "register_person": 45, "register_unemployment": 6, "record_followup": 6, "register_employment": 8,
        "certify_hardship": 1, "close_registration": 1, "register_employer": 4, "post_vacancy": 15,
        "fill_vacancy": 5, "close_vacancy": 1, "schedule_session": 3, "run_session": 3, "report_headcount": 3,
        "report_layoff": 0.2,
    },
    "layoff-wave": {
        "register_person": 25, "register_unemployment": 25, "record_followup": 5, "register_employment": 4,
        "certify_hardship": 2, "close_registration": 1, "register_employer": 5, "post_vacancy": 8,
        "fill_vacancy": 2, "close_vacancy": 2, "schedule_session": 1, "run_session": 1, "report_headcount": 8,
        "report_layoff": 6,
    },
}


@dataclass(eq=False)
class Action:
    """One API call. ``kind`` names it in the simulator's log; ``street_code`` is where it counts.

    ``after`` is the call that must have succeeded first (the person's registration before their
    unemployment registration); ``path`` may be a function evaluated once ``after`` answered, for
    ids the server assigns. ``on_success`` receives the response body.
    """

    kind: str
    method: str
    path: str | Callable[[], str]
    body: dict[str, Any]
    street_code: str | None = None
    on_success: Callable[[dict[str, Any]], None] | None = None
    after: Action | None = None
    finished: asyncio.Event = field(default_factory=asyncio.Event)
    succeeded: bool = False
    response: dict[str, Any] | None = None  # the accepted response's body

    def resolved_path(self) -> str:
        return self.path() if callable(self.path) else self.path


@dataclass(eq=False)
class _Known:
    """A simulated person; ``status`` is what the simulator has sent so far, not what was accepted."""

    person: Person
    status: str = "registered"  # registered → unemployed → employed → closed
    ref: str | None = None
    last: Action | None = None  # the person's latest call: the next one waits for it


@dataclass(eq=False)
class _Posting:
    """A vacancy or session the simulator created; ``id`` is known once the server answered."""

    action: Action
    id: str | None = None


@dataclass
class Traffic:
    seed: int
    scenario: str = "normal"
    street: str | None = None  # the 街镇 code a scenario concentrates on
    today: date = field(default_factory=lambda: datetime.now(SHANGHAI).date())

    def __post_init__(self) -> None:
        if self.scenario not in SCENARIOS:
            raise ValueError(f"未知场景：{self.scenario}（可选：{'、'.join(SCENARIOS)}）")
        self.population = Population(self.seed, today=self.today)
        self.rng = self.population.rng
        self.people: list[_Known] = []
        self.employers: list[Employer] = []
        self.monitored: list[Employer] = []
        self.registered: dict[str, Action] = {}  # employer credit code → its registration call
        self.enrolled: dict[str, Action] = {}  # monitored employer → its 失业动态监测 enrolment call
        self.open_vacancies: list[_Posting] = []
        self.scheduled_sessions: list[_Posting] = []
        self.sessions_to_end: list[Action] = []
        self.kinds = list(WEIGHTS[self.scenario])
        self.weights = [WEIGHTS[self.scenario][k] for k in self.kinds]

    # -- choosing --------------------------------------------------------------------------------------

    def next_action(self) -> Action:
        if self.sessions_to_end and self.rng.random() < 0.3:
            return self.sessions_to_end.pop(0)
        while True:
            kind = self.rng.choices(self.kinds, self.weights)[0]
            action = getattr(self, kind)()
            if action is not None:
                return action

    def _focus(self) -> str | None:
        """The scenario's 街镇 for about two thirds of the scenario-specific calls."""
        return self.street if self.street and self.rng.random() < 0.67 else None

    def _pick(self, statuses: tuple[str, ...], group: KeyGroup | None = None) -> _Known | None:
        candidates = [p for p in self.people[-500:]
                      if p.status in statuses and (group is None or group in p.person.key_groups)]
        return self.rng.choice(candidates) if candidates else None

    # -- people ----------------------------------------------------------------------------------------

    def register_person(self) -> Action:
        graduate = self.rng.random() < (0.6 if self.scenario == "graduation" else 0.12)
        person = self.population.person(street_code=self._focus(), graduate=graduate)
        known = _Known(person)
        self.people.append(known)

        def registered(response: dict[str, Any]) -> None:
            known.ref = response["person_ref"]

        body = {
            "registered_on": self.today.isoformat(), "name": person.name, "id_number": person.id_number,
            "phone": person.phone, "street_code": person.street_code, "community": person.community,
            "education": person.education.value,
            "skills": [{"name": name, "level": level} for name, level in person.skills],
            "desired_industry": person.desired_industry,
            "desired_salary_min": person.desired_salary[0], "desired_salary_max": person.desired_salary[1],
            "key_groups": [g.value for g in person.key_groups],
        }
        if person.graduation_year:
            body["graduation_year"] = person.graduation_year
        known.last = Action("register_person", "POST", "/v1/persons", body, person.street_code, registered)
        return known.last

    def register_unemployment(self) -> Action | None:
        known = self._pick(("registered",))
        if known is None:
            return None
        reason = "graduated" if KeyGroup.GRADUATE in known.person.key_groups else self.rng.choice(
            ("contract_ended", "dismissed", "resigned", "employer_closed"))
        if self.scenario == "layoff-wave" and known.person.street_code == self.street:
            reason = "dismissed"
        since = self.today - timedelta(days=self.rng.choice((0, 3, 10, 40, 200)))
        body = {"registered_on": self.today.isoformat(), "unemployed_since": since.isoformat(), "reason": reason,
                "registration_place": self.rng.choice(("residence", "household", "insurance", "work"))}
        return self._person_action("register_unemployment", known, "unemployment", body, "unemployed")

    def record_followup(self) -> Action | None:
        known = self._pick(("unemployed",))
        if known is None:
            return None
        body = {"channel": self.rng.choice(("phone", "visit", "online")),
                "outcome": self.rng.choice(("still_unemployed", "in_training", "still_unemployed")),
                "followed_up_on": self.today.isoformat()}
        return self._person_action("record_followup", known, "followups", body, None)

    def register_employment(self) -> Action | None:
        known = self._pick(("registered", "unemployed"))
        if known is None or not self.employers:
            return None
        employer = self.rng.choice(self.employers)
        body = {"form": "employed", "employer_ref": employer.credit_code,
                "industry": {"section": employer.industry_section, "division": employer.industry_division},
                "employed_on": self.today.isoformat()}
        return self._person_action("register_employment", known, "employment", body, "employed")

    def certify_hardship(self) -> Action | None:
        group = self.rng.choice((KeyGroup.AGE_4050, KeyGroup.ZERO_EMPLOYMENT_FAMILY, KeyGroup.DISABLED))
        known = self._pick(("unemployed",), group)
        if known is None or known.last is not None and known.last.kind == "certify_hardship":
            return None
        category = {KeyGroup.AGE_4050: "age_4050", KeyGroup.ZERO_EMPLOYMENT_FAMILY: "zero_employment_family",
                    KeyGroup.DISABLED: "disabled"}[group]
        body = {"categories": [category], "certified_on": self.today.isoformat()}
        return self._person_action("certify_hardship", known, "hardship", body, None)

    def close_registration(self) -> Action | None:
        known = self._pick(("employed",))
        if known is None:
            return None
        body = {"reason": "employed", "closed_on": self.today.isoformat()}
        return self._person_action("close_registration", known, "close", body, "closed")

    def _person_action(self, kind: str, known: _Known, sub: str, body: dict[str, Any], then: str | None) -> Action:
        known.status = then or known.status
        action = Action(kind, "POST", lambda: f"/v1/persons/{known.ref}/{sub}", body, known.person.street_code,
                        after=known.last)
        known.last = action
        return action

    # -- employers, vacancies, sessions, reports -----------------------------------------------------

    def register_employer(self) -> Action:
        employer = self.population.employer(street_code=self._focus())
        self.employers.append(employer)
        if self.rng.random() < 0.4:
            self.monitored.append(employer)
        body = {"employer_ref": employer.credit_code, "name": employer.name,
                "industry": {"section": employer.industry_section, "division": employer.industry_division},
                "street_code": employer.street_code, "staff_count": employer.staff}
        action = Action("register_employer", "POST", "/v1/employers", body, employer.street_code)
        self.registered[employer.credit_code] = action
        return action

    def post_vacancy(self) -> Action | None:
        if not self.employers:
            return None
        draft = self.population.vacancy(self.rng.choice(self.employers))
        body: dict[str, Any] = {
            "employer_ref": draft.employer.credit_code, "title": draft.title, "description": draft.description,
            "industry": {"section": draft.employer.industry_section, "division": draft.employer.industry_division},
            "street_code": draft.employer.street_code, "kind": draft.kind.value, "headcount": draft.headcount,
            "salary_min": draft.salary[0], "salary_max": draft.salary[1],
            "skills_required": [{"name": name, "level": level} for name, level in draft.skills_required],
            "valid_from": self.today.isoformat(),
            "valid_until": (self.today + timedelta(days=draft.valid_days)).isoformat(),
        }
        if draft.education_required is not None:
            body["education_required"] = draft.education_required.value
        if draft.kind is VacancyKind.TRAINEESHIP:
            body["education_required"] = Education.JUNIOR_COLLEGE.value

        posting = _Posting(Action("post_vacancy", "POST", "/v1/vacancies", body, draft.employer.street_code,
                                  after=self.registered[draft.employer.credit_code]))
        posting.action.on_success = lambda response: setattr(posting, "id", response["vacancy_id"])
        self.open_vacancies.append(posting)
        return posting.action

    def fill_vacancy(self) -> Action | None:
        return self._vacancy_action("fill_vacancy", "fill", {"count": 1})

    def close_vacancy(self) -> Action | None:
        return self._vacancy_action("close_vacancy", "close", {"reason": "withdrawn"})

    def _vacancy_action(self, kind: str, sub: str, body: dict[str, Any]) -> Action | None:
        if not self.open_vacancies:
            return None
        posting = self.open_vacancies.pop(self.rng.randrange(len(self.open_vacancies)))
        return Action(kind, "POST", lambda: f"/v1/vacancies/{posting.id}/{sub}", body, after=posting.action)

    def schedule_session(self) -> Action:
        kind = self.rng.choice(("onsite", "livestream", "livestream"))
        street = self.population.street(self._focus())
        at = datetime.combine(self.today, time(9), SHANGHAI) + timedelta(hours=self.rng.randint(1, 48))
        body = {"kind": kind, "title": "直播带岗·西青好岗" if kind == "livestream" else "西青区春风行动专场招聘会",
                "street_code": street, "scheduled_at": at.isoformat()}
        posting = _Posting(Action("schedule_session", "POST", "/v1/recruitment-sessions", body, street))
        posting.action.on_success = lambda response: setattr(posting, "id", response["session_id"])
        self.scheduled_sessions.append(posting)
        return posting.action

    def run_session(self) -> Action | None:
        """Start a scheduled session; the matching end call follows as its own action."""
        if not self.scheduled_sessions:
            return None
        posting = self.scheduled_sessions.pop(0)
        viewers = self.rng.randint(200, 5000)
        applications = self.rng.randint(5, max(6, viewers // 50))
        end = {"viewers": viewers, "applications": applications, "hires": self.rng.randint(0, applications // 3)}
        start = Action("start_session", "POST", lambda: f"/v1/recruitment-sessions/{posting.id}/start", {},
                       after=posting.action)
        self.sessions_to_end.append(
            Action("end_session", "POST", lambda: f"/v1/recruitment-sessions/{posting.id}/end", end, after=start)
        )
        return start

    def report_headcount(self) -> Action | None:
        if not self.monitored:
            return None
        employer = self.rng.choice(self.monitored)
        if employer.credit_code not in self.enrolled:  # reports need the enrolment, baseline fixed there
            body = {"employer_ref": employer.credit_code, "baseline_headcount": employer.staff,
                    "enrolled_on": self.today.isoformat()}
            enrol = Action("enrol_monitored", "POST", "/v1/monitored-enterprises", body, employer.street_code,
                           after=self.registered[employer.credit_code])
            self.enrolled[employer.credit_code] = enrol
            return enrol
        wave = self.scenario == "layoff-wave" and employer.street_code == self.street
        lost = int(employer.staff * (self.rng.uniform(0.1, 0.3) if wave else self.rng.uniform(0, 0.05)))
        decreases = {"layoff": lost} if wave else {"resignation": lost}
        body = {"employer_ref": employer.credit_code, "month": self.today.strftime("%Y-%m"),
                "baseline_headcount": employer.staff, "current_headcount": employer.staff - lost,
                "decreases": decreases}
        return Action("report_headcount", "POST", "/v1/headcount-reports", body, employer.street_code,
                      after=self.enrolled[employer.credit_code])

    def report_layoff(self) -> Action | None:
        in_wave = self.scenario == "layoff-wave" and self.street
        candidates = [e for e in self.employers if e.staff >= 30 and (not in_wave or e.street_code == self.street)]
        if not candidates:
            return None
        employer = self.rng.choice(candidates)
        mass = self.scenario == "layoff-wave" or self.rng.random() < 0.3
        cuts = max(20, employer.staff // 5) if mass else max(1, employer.staff // 30)
        notice = self.rng.choice((10, 20, 35, 45)) if mass else 40
        body = {"employer_ref": employer.credit_code, "staff_count": employer.staff,
                "planned_cuts": min(cuts, employer.staff),
                "reason": self.rng.choice(("serious_difficulty", "restructuring", "business_change")),
                "notified_on": self.today.isoformat(), "planned_on": (self.today + timedelta(days=notice)).isoformat()}
        return Action("report_layoff", "POST", "/v1/layoffs", body, employer.street_code,
                      after=self.registered[employer.credit_code])

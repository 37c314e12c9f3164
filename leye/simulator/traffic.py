"""What the simulator sends: a deterministic stream of API calls for one seed and scenario.

``Traffic.next_action()`` draws the next call from weights that depend on the scenario, and keeps
just enough state (people by status, employers, open vacancies, sessions) to make each call valid:
an unemployment registration is only sent for a registered person, a fill only for an open vacancy.
Ids the server assigns (person refs, vacancy, session, course, enrolment, grant, placement and
household ids) are filled in by the sender from the responses, through ``Action.on_success``; a path
or body fields that need them are functions evaluated once the calls they wait for (``after``,
``also_after``) answered. Calls that belong together later (a course's completion, a grant's payment,
the end of a 见习) are queued and come out some calls later, never before what they wait for.

Scenarios:
- ``normal``: a steady mix of registrations, postings, follow-ups and placements; households (户) whose
  members' status changes make some of them 零就业家庭 and clear them again; and the programmes at
  the plan's relative yearly volumes (马兰花 and 职业技能培训 courses, 创业担保贷款, 创业补贴, 见习,
  实习, 公益性岗位, 灵活就业社保补贴), each granted to people the rules find eligible (政策找人).
- ``layoff-wave``: mass layoffs and a surge of unemployment registrations in one 街镇.
- ``graduation``: graduation season; most new registrations are 离校未就业 graduates.
- ``policy``: 政策找人 end to end: people come to qualify for a programme (就业困难人员 certified and
  then in flexible work or placed on a 公益性岗位, key-group people starting a business, graduates
  taking a 见习), so the programmes service publishes ``programme.eligible`` and matching opens a
  红娘 case of origin ``policy``; the grant, placement or refusal recorded later closes it.
"""

from __future__ import annotations

import asyncio
import heapq
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from schemas.vocab import Education, EmploymentForm, HardshipCategory, KeyGroup, VacancyKind

from .population import Employer, Person, Population, community_code

SHANGHAI = ZoneInfo("Asia/Shanghai")
SCENARIOS = ("normal", "layoff-wave", "graduation", "policy")

# Relative weights of each kind of call per scenario. In ``normal`` one unit is about 1,000 calls a year
# in Xiqing (30 ≈ 30,000 求职登记), so the programmes' weights follow the plan's yearly volumes:
# 马兰花 2,500 trained and 职业技能培训 (about 5,500 人次 assumed) → 8 enrolments; 创业担保贷款
# 5,000万元 at about 30万元 a loan → 0.2; 创业补贴 5,000万元 → 3 grants (with 灵活就业社保补贴);
# 见习 1,000 kept of about 1,700 placed → 1.7; 实习 200 → 0.2; 公益性岗位 300 → 0.3. A call whose
# people do not exist yet (no eligible person, no open course) is not sent: another is drawn.
# Key enterprises (重点企业, action plan §2): Xiqing has a few hundred, so about 300 a year are put on
# the register (0.3), each raising a couple of ledger issues (0.6, most closed: 0.5) and a shortage
# or so (0.4, most filled: 0.3) a year.
# 创业孵化基地 (action plan §6: one new 市级 base a year, 300 incubated firms by 2025): a few bases are
# recognised a year (0.005, and one is opened whenever a firm needs a base and none is), about 100 firms
# enter a year (0.1), each reporting jobs a couple of times and a third leaving. 职业技能 certificates
# follow the completions of 职业技能培训 that award one.
WEIGHTS: dict[str, dict[str, float]] = {
    "normal": {
        "register_person": 30, "register_unemployment": 12, "record_followup": 8, "register_employment": 8,
        "certify_hardship": 2, "close_registration": 2, "register_employer": 5, "post_vacancy": 15,
        "fill_vacancy": 5, "close_vacancy": 2, "schedule_session": 2, "run_session": 2, "report_headcount": 5,
        "report_layoff": 0.5,
        "register_household": 2, "household_job_loss": 0.4, "household_reemployment": 0.6,
        "open_course": 0.3, "enrol_course": 8, "issue_loan": 0.2, "grant_subsidy": 3, "place_traineeship": 1.7,
        "place_internship": 0.2, "place_public_welfare": 0.3, "refuse_programme": 1.5,
        "register_key_enterprise": 0.3, "open_issue": 0.6, "close_issue": 0.5, "report_shortage": 0.4,
        "close_shortage": 0.3, "register_incubator": 0.005, "enter_incubator": 0.1,
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
    # 政策找人: the calls that make people newly eligible (unemployment, 就业困难人员认定, flexible work
    # or a business of their own) and those that settle their cases (grants, placements, refusals).
    "policy": {
        "register_person": 15, "register_unemployment": 15, "record_followup": 2, "register_employment": 12,
        "certify_hardship": 12, "close_registration": 1, "register_employer": 4, "post_vacancy": 8,
        "fill_vacancy": 1, "close_vacancy": 1, "schedule_session": 0.5, "run_session": 0.5, "report_headcount": 1,
        "report_layoff": 0.1,
        "register_household": 1, "household_job_loss": 0.3, "household_reemployment": 0.3,
        "open_course": 0.3, "enrol_course": 3, "issue_loan": 0.5, "grant_subsidy": 10, "place_traineeship": 4,
        "place_internship": 0.3, "place_public_welfare": 4, "refuse_programme": 2,
        "register_key_enterprise": 0.2, "open_issue": 0.4, "close_issue": 0.3, "report_shortage": 0.3,
        "close_shortage": 0.2, "register_incubator": 0.005, "enter_incubator": 0.1,
    },
}

# 直播带岗 recorded live (action plan §13: one every working day): on a working day the simulator schedules
# and starts the day's session on a few of its open postings, then, while it runs, viewer samples,
# applications by registered people and the employers' answers. It is left running, so the wall shows
# a session in progress. Every scenario has it: the plan runs one whatever else happens.
LIVE_WEIGHTS = {"sample_viewers": 3, "apply_livestream": 3, "decide_application": 1}
LIVE_VACANCIES = 3
for _weights in WEIGHTS.values():
    _weights.update(LIVE_WEIGHTS)

# Programmes a person can be found eligible for (the catalogue's rules, services/programmes/catalogue.yaml),
# mirrored on what the simulator has sent, to pick who gets a grant, a placement or a refusal.
STARTUP_GROUPS = frozenset({"graduate", "hardship", "rural_surplus", "veteran", "disabled"})
SCHOOLS = ("天津大学", "南开大学", "天津工业大学", "天津商业大学", "天津职业技术师范大学", "天津城建大学",
           "天津现代职业技术学院", "天津轻工职业技术学院")
TRADES = ("电工", "焊工", "养老护理员", "家政服务员", "中式烹调师", "电子商务师", "数控车工", "保育师")
# 职业分类大典 codes of the trades above whose code the simulator knows; the others get no certificate record
TRADE_CODES = {"电工": "6-28-01", "焊工": "6-18-02-04", "养老护理员": "4-10-01-05", "中式烹调师": "6-01-02-01",
               "数控车工": "6-18-01-01"}
MONTH_DAYS = {3: 95, 6: 183, 12: 360}  # planned 见习 lengths, in days well inside the catalogue's 3–12 months
OFFICERS = ("张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄敏", "周涛", "吴婷", "徐亮", "孙丽")
OCCUPATIONS = (("6-18-01-01", "车工"), ("6-18-02-04", "焊工"), ("6-28-01", "电工"), ("4-10-01-05", "养老护理员"),
               ("6-01-02-01", "中式烹调师"), ("4-02-06-01", "快递员"), ("6-26-01-02", "装配钳工"))


@dataclass(eq=False)
class Action:
    """One API call. ``kind`` names it in the simulator's log; ``street_code`` is where it counts.

    ``after`` is the call that must have succeeded first (the person's registration before their
    unemployment registration), ``also_after`` any others (a household's members; the person a
    course enrolment is for); ``path`` may be a function evaluated once they answered, for ids the
    server assigns, and ``fill`` adds body fields the same way (a ``person_ref``). ``on_success``
    receives the response body.
    """

    kind: str
    method: str
    path: str | Callable[[], str]
    body: dict[str, Any]
    street_code: str | None = None
    on_success: Callable[[dict[str, Any]], None] | None = None
    after: Action | None = None
    also_after: tuple[Action, ...] = ()
    fill: Callable[[], dict[str, Any]] | None = None
    finished: asyncio.Event = field(default_factory=asyncio.Event)
    succeeded: bool = False
    emitted: bool = False  # handed out by Traffic.next_action: calls that wait for it may be handed out
    response: dict[str, Any] | None = None  # the accepted response's body

    def resolved_path(self) -> str:
        return self.path() if callable(self.path) else self.path

    def resolved_body(self) -> dict[str, Any]:
        return self.body | self.fill() if self.fill is not None else self.body

    def response_id(self, key: str) -> str:
        """An id from this call's accepted answer (for the calls that wait for it)."""
        assert self.response is not None, f"{self.kind} has not answered"
        return str(self.response[key])

    def prerequisites(self) -> tuple[Action, ...]:
        return ((self.after,) if self.after is not None else ()) + self.also_after


@dataclass(eq=False)
class _Live:
    """The day's 直播带岗: its scheduling and start calls, the postings it shows (with the hires sent
    for each), the applications not answered yet and the viewers of the last sample."""

    scheduled: _Posting
    start: Action
    shown: list[_Posting]
    hires: dict[int, int] = field(default_factory=dict)  # index in ``shown`` → hires sent
    applications: list[tuple[int, Action]] = field(default_factory=list)
    viewers: int = 200


@dataclass(eq=False)
class _Known:
    """A simulated person; ``status`` is what the simulator has sent so far, not what was accepted."""

    person: Person
    status: str = "registered"  # registered → unemployed → employed → closed
    ref: str | None = None
    last: Action | None = None  # the person's latest call: the next one waits for it
    groups: set[str] = field(default_factory=set)  # key groups as registration keeps them
    form: str | None = None  # the form of the current employment
    household: _Household | None = None
    found: set[str] = field(default_factory=set)  # programmes 政策找人 found them eligible for, not settled
    settled: set[str] = field(default_factory=set)  # programmes granted, placed or refused to them

    def ready(self) -> bool:
        """Known to the simulator as sent: the person's latest call was handed out."""
        return self.last is None or self.last.emitted

    def eligible(self) -> set[str]:
        """The programmes the catalogue's rules make the person eligible for (on what was sent)."""
        out = set()
        seeking = self.status in ("registered", "unemployed")
        if "graduate_unemployed" in self.groups and seeking:
            out.add("traineeship")
        if self.groups & {"hardship", "zero_employment_family"} and self.status == "unemployed":
            out.add("public_welfare_post")
        if "hardship" in self.groups and self.form == "flexible":
            out.add("flexible_social_insurance")
        if self.form == "self_employed" and self.groups & STARTUP_GROUPS:
            out.add("startup_subsidy")
        return out

    def refresh(self) -> None:
        """After a change of status, groups or form: newly eligible programmes are found."""
        self.found |= self.eligible() - self.settled

    def settle(self, programme: str) -> None:
        self.found.discard(programme)
        self.settled.add(programme)


@dataclass(eq=False)
class _Household:
    """A household the simulator registered; ``ref`` once the server answered."""

    members: list[_Known]
    action: Action
    ref: str | None = None

    def zero_employment(self) -> bool:
        """零就业家庭 as registration derives it: someone seeking work, nobody employed."""
        return (any(m.status in ("registered", "unemployed") for m in self.members)
                and not any(m.status == "employed" for m in self.members))


@dataclass(eq=False)
class _Posting:
    """A vacancy or session the simulator created; ``id`` is known once the server answered."""

    action: Action
    id: str | None = None
    places: int = 0  # 见习 or 公益性岗位 places left for placements, seats left on a course
    taken: set[int] = field(default_factory=set)  # the people (``id`` of their _Known) a course enrolled


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
        self.key_enterprises: dict[str, Action] = {}  # key enterprise → its (first) registration call
        self.open_issues: list[tuple[str, Action]] = []  # (employer, issue call) not closed yet
        self.open_shortages: list[tuple[str, Action]] = []
        self.open_vacancies: list[_Posting] = []
        self.scheduled_sessions: list[_Posting] = []
        self.sessions_to_end: list[Action] = []
        self.live: _Live | None = None
        self.households: list[_Household] = []
        self.courses: list[_Posting] = []  # courses with seats left (``places``)
        self.incubators: list[_Posting] = []  # 创业孵化基地 registered
        self.incubated: set[tuple[int, str]] = set()  # (base, firm) pairs that entered once
        self.posts: dict[str, list[_Posting]] = {"traineeship": [], "public_welfare": []}  # with places left
        self.step = 0
        self._queue: list[tuple[int, int, Action]] = []  # (due step, order, call): calls that come later
        self._queued = 0
        self.kinds = list(WEIGHTS[self.scenario])
        self.weights = [WEIGHTS[self.scenario][k] for k in self.kinds]

    # -- choosing --------------------------------------------------------------------------------------

    def next_action(self) -> Action:
        action = self._next_action()
        action.emitted = True
        return action

    def _next_action(self) -> Action:
        self.step += 1
        if self._queue and self._queue[0][0] <= self.step:
            return heapq.heappop(self._queue)[2]
        if self.sessions_to_end and self.rng.random() < 0.3:
            return self.sessions_to_end.pop(0)
        if self.live is None and self.today.weekday() < 5 and len(self.open_vacancies) >= LIVE_VACANCIES:
            return self._daily_livestream()
        while True:
            kind = self.rng.choices(self.kinds, self.weights)[0]
            action = getattr(self, kind)()
            if action is not None:
                return action

    def _later(self, action: Action, steps: int = 0) -> Action:
        """Queue ``action`` to come out ``steps`` calls from now (0: next), after what was queued before it
        for the same call. Whatever it waits for was handed out or queued earlier, so never after it."""
        self._queued += 1
        heapq.heappush(self._queue, (self.step + steps, self._queued, action))
        return action

    def _focus(self) -> str | None:
        """The scenario's 街镇 for about two thirds of the scenario-specific calls."""
        return self.street if self.street and self.rng.random() < 0.67 else None

    def _pick(self, statuses: tuple[str, ...], group: KeyGroup | None = None,
              test: Callable[[_Known], bool] | None = None) -> _Known | None:
        candidates = [p for p in self.people[-500:]
                      if p.status in statuses and (group is None or group in p.person.key_groups) and p.ready()
                      and (test is None or test(p))]
        return self.rng.choice(candidates) if candidates else None

    # -- people ----------------------------------------------------------------------------------------

    def register_person(self, person: Person | None = None) -> Action:
        if person is None:
            graduate = self.rng.random() < (0.6 if self.scenario == "graduation" else 0.12)
            person = self.population.person(street_code=self._focus(), graduate=graduate)
        known = _Known(person, groups={g.value for g in person.key_groups})
        known.refresh()
        self.people.append(known)

        def registered(response: dict[str, Any]) -> None:
            known.ref = response["person_ref"]

        body = {
            "registered_on": self.today.isoformat(), "name": person.name, "id_number": person.id_number,
            "phone": person.phone, "street_code": person.street_code, "community": person.community,
            # the code too, so monitoring counts the person in the community (充分就业社区)
            "community_code": community_code(person.street_code, person.community),
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
        if known is None:
            return None
        return self._employ(known, self._employment_form(known))

    def _employment_form(self, known: _Known) -> EmploymentForm:
        """Most people take a job with an employer; 就业困难人员 often flexible work (灵活就业), some
        key-group people start a business (自主创业) — what 政策找人 looks for, more so in ``policy``."""
        policy = self.scenario == "policy"
        if "hardship" in known.groups and self.rng.random() < (0.7 if policy else 0.35):
            return EmploymentForm.FLEXIBLE
        if known.groups & STARTUP_GROUPS and self.rng.random() < (0.35 if policy else 0.05):
            return EmploymentForm.SELF_EMPLOYED
        if not self.employers or self.rng.random() < 0.08:
            return EmploymentForm.FLEXIBLE
        return EmploymentForm.EMPLOYED

    def _employ(self, known: _Known, form: EmploymentForm, employer: Employer | None = None) -> Action:
        body: dict[str, Any] = {"form": form.value, "employed_on": self.today.isoformat()}
        if form in (EmploymentForm.EMPLOYED, EmploymentForm.PUBLIC_WELFARE):
            employer = employer or self.rng.choice(self.employers)
            body |= {"employer_ref": employer.credit_code,
                     "industry": {"section": employer.industry_section, "division": employer.industry_division}}
        known.form = form.value
        return self._person_action("register_employment", known, "employment", body, "employed")

    def certify_hardship(self) -> Action | None:
        group = self.rng.choice((KeyGroup.AGE_4050, KeyGroup.ZERO_EMPLOYMENT_FAMILY, KeyGroup.DISABLED))
        known = self._pick(("unemployed",), group, lambda p: "hardship" not in p.groups)
        category = {KeyGroup.AGE_4050: HardshipCategory.AGE_4050, KeyGroup.DISABLED: HardshipCategory.DISABLED,
                    KeyGroup.ZERO_EMPLOYMENT_FAMILY: HardshipCategory.ZERO_EMPLOYMENT_FAMILY}[group]
        if known is None and self.scenario == "policy":  # other grounds (long unemployment, …) the bureau accepts
            known, category = self._pick(("unemployed",), test=lambda p: "hardship" not in p.groups), \
                HardshipCategory.OTHER
        if known is None:
            return None
        known.groups |= {"hardship"} | ({category.value} if category is not HardshipCategory.OTHER else set())
        body = {"categories": [category.value], "certified_on": self.today.isoformat()}
        return self._person_action("certify_hardship", known, "hardship", body, None)

    def close_registration(self) -> Action | None:
        known = self._pick(("employed",))
        if known is None:
            return None
        body = {"reason": "employed", "closed_on": self.today.isoformat()}
        return self._person_action("close_registration", known, "close", body, "closed")

    def _person_action(self, kind: str, known: _Known, sub: str, body: dict[str, Any], then: str | None) -> Action:
        known.status = then or known.status
        # key groups as registration changes them (domain.groups_after), for the eligibility mirror
        if then == "unemployed":
            known.groups.add("registered_unemployed")
            known.form = None
        elif then in ("employed", "closed"):
            known.groups -= {"registered_unemployed", "graduate_unemployed"}
        known.refresh()
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
        if draft.kind.value in self.posts:  # 见习 and 公益性岗位 posts take programme placements
            posting.places = draft.headcount
            self.posts[draft.kind.value].append(posting)
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

    def _daily_livestream(self) -> Action:
        """Schedule the working day's 直播带岗 on postings of the simulator's (taken out of the open ones,
        so no other call fills or closes them) and queue its start."""
        shown = [self.open_vacancies.pop(self.rng.randrange(len(self.open_vacancies))) for _ in range(LIVE_VACANCIES)]
        street = self.population.street(self._focus())
        body = {"kind": "livestream", "title": "每日直播带岗·西青好岗", "street_code": street,
                "scheduled_at": datetime.combine(self.today, time(9), SHANGHAI).isoformat()}
        posting = _Posting(Action("schedule_session", "POST", "/v1/recruitment-sessions", body, street,
                                  also_after=tuple(p.action for p in shown),
                                  fill=lambda: {"vacancy_ids": [p.id for p in shown]}))
        posting.action.on_success = lambda response: setattr(posting, "id", response["session_id"])
        start = Action("start_session", "POST", lambda: f"/v1/recruitment-sessions/{posting.id}/start", {},
                       street, after=posting.action)
        self.live = _Live(posting, self._later(start), shown)
        return posting.action

    def sample_viewers(self) -> Action | None:
        live = self.live
        if live is None:
            return None
        live.viewers = max(0, live.viewers + self.rng.randint(-150, 250))
        return Action("sample_viewers", "POST", lambda: f"/v1/recruitment-sessions/{live.scheduled.id}/viewers",
                      {"viewers": live.viewers}, live.start.street_code, after=live.start)

    def apply_livestream(self) -> Action | None:
        live, known = self.live, self._pick(("registered", "unemployed"))
        if live is None or known is None or known.last is None:
            return None
        index = self.rng.randrange(len(live.shown))
        posting = live.shown[index]
        action = Action("apply_livestream", "POST",
                        lambda: f"/v1/recruitment-sessions/{live.scheduled.id}/applications", {},
                        live.start.street_code, after=live.start, also_after=(known.last,),
                        fill=lambda: {"person_ref": known.ref, "vacancy_id": posting.id})
        live.applications.append((index, action))
        return action

    def decide_application(self) -> Action | None:
        """An employer answers an application: a hire while the posting has posts left (a hire fills one)."""
        live = self.live
        if live is None or not live.applications:
            return None
        index, applied = live.applications.pop(0)
        hired = self.rng.random() < 0.4 and live.hires.get(index, 0) < live.shown[index].action.body["headcount"]
        live.hires[index] = live.hires.get(index, 0) + hired
        return Action("decide_application", "POST",
                      lambda: f"/v1/recruitment-sessions/{live.scheduled.id}/applications/"
                              f"{applied.response_id('application_id')}/outcome",
                      {"outcome": "hired" if hired else "not_hired"}, live.start.street_code, after=applied)

    def report_headcount(self) -> Action | None:
        if not self.monitored:
            return None
        employer = self.rng.choice(self.monitored)
        if employer.credit_code not in self.enrolled:  # reports need the enrolment, baseline fixed there
            # a fifth were enrolled two months back and missed those reports (overdue: a warning)
            enrolled = self.today
            if self.rng.random() < 0.2:
                enrolled = (self.today.replace(day=1) - timedelta(days=40)).replace(day=1)
            body = {"employer_ref": employer.credit_code, "baseline_headcount": employer.staff,
                    "enrolled_on": enrolled.isoformat()}
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

    def register_key_enterprise(self) -> Action | None:
        """Put a registered employer on the key-enterprise register with an officer (一企一专员), or now
        and then give one already there another officer."""
        if not self.employers:
            return None
        employer = self.rng.choice(self.employers[-300:])
        n = self.rng.randrange(len(OFFICERS))
        first = self.key_enterprises.get(employer.credit_code)
        body = {"employer_ref": employer.credit_code, "officer_id": f"officer-{n + 1:02d}",
                "officer_name": OFFICERS[n], "enrolled_on": self.today.isoformat()}
        if first is not None:  # another officer; the enrolment date stays the first one's
            body["enrolled_on"] = first.body["enrolled_on"]
        action = Action("register_key_enterprise", "POST", "/v1/key-enterprises", body, employer.street_code,
                        after=first or self.registered[employer.credit_code])
        self.key_enterprises.setdefault(employer.credit_code, action)
        return action

    def open_issue(self) -> Action | None:
        """A problem on a key enterprise's ledger (挂账), due in one to four weeks; some were raised weeks
        ago and are already past their due day (overdue until closed)."""
        if not self.key_enterprises:
            return None
        ref = self.rng.choice(list(self.key_enterprises))
        kind = self.rng.choice(("labour_demand", "labour_demand", "shortage", "policy", "other"))
        opened = self.today - timedelta(days=self.rng.choice((0, 0, 0, 2, 7, 30, 45)))
        due = opened + timedelta(days=self.rng.choice((7, 14, 30)))
        summaries = {"labour_demand": "新增产线需招聘普工", "shortage": "技术工人招聘困难",
                     "policy": "咨询稳岗返还政策", "other": "员工通勤班车协调"}
        body = {"kind": kind, "summary": summaries[kind], "opened_on": opened.isoformat(),
                "due_on": due.isoformat()}
        action = Action("open_issue", "POST", f"/v1/key-enterprises/{ref}/issues", body,
                        after=self.key_enterprises[ref])
        self.open_issues.append((ref, action))
        return action

    def close_issue(self) -> Action | None:
        """销号: most issues are closed; those left open past their due day stay overdue."""
        if not self.open_issues:
            return None
        ref, opened = self.open_issues.pop(self.rng.randrange(len(self.open_issues)))
        body = {"closed_on": self.today.isoformat(), "resolution": "已协调解决"}
        return Action("close_issue", "POST",
                      lambda: f"/v1/key-enterprises/{ref}/issues/{opened.response_id('issue_id')}/close", body,
                      after=opened)

    def report_shortage(self) -> Action | None:
        """用缺工: a key enterprise's posts it cannot fill, by occupation."""
        if not self.key_enterprises:
            return None
        ref = self.rng.choice(list(self.key_enterprises))
        code, name = self.rng.choice(OCCUPATIONS)
        body = {"occupation_code": code, "occupation": name, "headcount": self.rng.choice((2, 5, 10, 20, 50)),
                "reported_on": self.today.isoformat()}
        action = Action("report_shortage", "POST", f"/v1/key-enterprises/{ref}/shortages", body,
                        after=self.key_enterprises[ref])
        self.open_shortages.append((ref, action))
        return action

    def close_shortage(self) -> Action | None:
        if not self.open_shortages:
            return None
        ref, reported = self.open_shortages.pop(self.rng.randrange(len(self.open_shortages)))
        return Action("close_shortage", "POST",
                      lambda: f"/v1/key-enterprises/{ref}/shortages/{reported.response_id('shortage_id')}/close",
                      {"closed_on": self.today.isoformat()}, after=reported)

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

    # -- households (户) ------------------------------------------------------------------------------

    def register_household(self) -> Action:
        """A household's members registered (求职登记; most members then in work: 就业登记) and then the
        household itself. A household with nobody in work is a 零就业家庭 from the start."""
        members = self.population.household(street_code=self._focus())
        first: Action | None = None
        known_members: list[_Known] = []
        for _relation, person in members:
            registration = self.register_person(person)
            known = self.people[-1]
            known_members.append(known)
            if first is None:
                first = registration
            else:
                self._later(registration)
            if self.rng.random() < 0.8:
                self._later(self._employ(known, EmploymentForm.EMPLOYED if self.employers and self.rng.random() < 0.9
                                         else EmploymentForm.FLEXIBLE))
        head = members[0][1]
        body = {"community_code": community_code(head.street_code, head.community),
                "registered_on": self.today.isoformat()}
        household = _Household(known_members, Action("register_household", "POST", "/v1/households", body,
                                                     head.street_code))
        household.action.fill = lambda: {"members": [
            {"person_ref": m.ref, "relation": relation.value}
            for (relation, _), m in zip(members, household.members, strict=True)]}
        household.action.also_after = tuple(m.last for m in known_members if m.last is not None)
        household.action.on_success = lambda response: setattr(household, "ref", response["household_ref"])
        for member in known_members:
            member.household = household
        self.households.append(household)
        self._later(household.action)
        assert first is not None
        return first

    def _ready_households(self) -> list[_Household]:
        return [h for h in self.households[-300:] if h.action.emitted and all(m.ready() for m in h.members)]

    def household_job_loss(self) -> Action | None:
        """The only member in work loses the job (失业登记): the family becomes 零就业."""
        candidates = [h for h in self._ready_households()
                      if [m.status for m in h.members].count("employed") == 1]
        if not candidates:
            return None
        household = self.rng.choice(candidates)
        known = next(m for m in household.members if m.status == "employed")
        body = {"registered_on": self.today.isoformat(), "unemployed_since": self.today.isoformat(),
                "reason": self.rng.choice(("contract_ended", "dismissed", "employer_closed")),
                "registration_place": "household"}
        return self._person_action("register_unemployment", known, "unemployment", body, "unemployed")

    def household_reemployment(self) -> Action | None:
        """A member of a 零就业家庭 finds work (就业登记), which clears the family."""
        candidates = [h for h in self._ready_households() if h.zero_employment()]
        if not candidates:
            return None
        household = self.rng.choice(candidates)
        known = self.rng.choice([m for m in household.members if m.status in ("registered", "unemployed")])
        return self._employ(known, self._employment_form(known))

    # -- programmes (services/programmes, catalogue.yaml) ---------------------------------------------

    def _programme_action(self, kind: str, path: str | Callable[[], str], body: dict[str, Any], known: _Known,
                          after: Action | None = None, *, street: bool = True) -> Action:
        """A programme call about ``known``: sent once the person's latest call answered (their
        ``person_ref`` is filled in then) and after ``after`` (the course, the grant, the post);
        with the person's 街镇 in the body unless ``street`` is false (a refusal has none)."""
        waits = [a for a in (after, known.last) if a is not None]
        where = {"street_code": known.person.street_code} if street else {}
        return Action(kind, "POST", path, where | body,
                      known.person.street_code, after=waits[0] if waits else None, also_after=tuple(waits[1:]),
                      fill=lambda: {"person_ref": known.ref})

    def open_course(self) -> Action:
        """A 马兰花 创业培训 class (about 30, ten days) or a 职业技能培训 course by trade and level."""
        malanhua = self.rng.random() < 2.5 / 8
        street = self.population.street(self._focus())
        body: dict[str, Any] = {"street_code": street, "starts_on": self.today.isoformat()}
        if malanhua:
            body |= {"programme_code": "malanhua_training", "title": "马兰花创业培训（SIYB）", "capacity": 30,
                     "ends_on": (self.today + timedelta(days=10)).isoformat()}
        else:
            trade, level = self.rng.choice(TRADES), self.rng.choice((3, 4, 5, 5))
            body |= {"programme_code": "skills_training", "title": f"{trade}职业技能培训", "occupation": trade,
                     "level": level, "capacity": self.rng.randint(30, 50),
                     "ends_on": (self.today + timedelta(days=self.rng.choice((20, 30, 45)))).isoformat()}
        course = _Posting(Action("open_course", "POST", "/v1/programmes/courses", body, street),
                          places=body["capacity"])
        course.action.on_success = lambda response: setattr(course, "id", response["course_id"])
        self.courses.append(course)
        return course.action

    def enrol_course(self) -> Action | None:
        """A person enrols; most complete some calls later (马兰花: the 500 元 is granted and paid on
        completion; 职业技能培训: a subsidy by level, within the cap)."""
        if not self.courses:  # people ask for training before a class is open: the bureau opens one
            return self.open_course()
        course = self.rng.choice(self.courses[-20:])
        known = self._pick(("registered", "unemployed"), test=lambda p: id(p) not in course.taken)
        if known is None:
            return None
        course.taken.add(id(known))
        course.places -= 1
        if course.places == 0:
            self.courses.remove(course)
        enrolment = self._programme_action("enrol_course", lambda: f"/v1/programmes/courses/{course.id}/enrolments",
                                           {"enrolled_on": self.today.isoformat()}, known, after=course.action)
        if self.rng.random() < 0.9:
            completion: dict[str, Any] = {"completed_on": self.today.isoformat(),
                                          "certificate": self.rng.random() < 0.85}
            if course.action.body["programme_code"] == "skills_training":
                completion["subsidy_yuan"] = {3: 1200, 4: 1800, 5: 2400}[course.action.body["level"]]
            done = self._later(Action(
                "complete_course", "POST",
                lambda: f"/v1/programmes/enrolments/{enrolment.response_id('enrolment_id')}/completion",
                completion, known.person.street_code, after=enrolment), self.rng.randint(20, 80))
            trade = course.action.body.get("occupation")
            if completion["certificate"] and trade in TRADE_CODES:
                body = {"street_code": known.person.street_code, "occupation_code": TRADE_CODES[trade],
                        "level": course.action.body["level"], "issued_on": self.today.isoformat(),
                        "certificate_number": f"S{self.today:%Y%m%d}{self.rng.randrange(10**8):08d}"}
                self._later(Action("issue_certificate", "POST", "/v1/programmes/certificates", body,
                                   known.person.street_code, after=done,
                                   fill=lambda: {"person_ref": known.ref,
                                                 "enrolment_id": enrolment.response_id("enrolment_id")}),
                            self.rng.randint(81, 120))
        return enrolment

    def issue_loan(self) -> Action | None:
        """创业担保贷款: mostly to people who started a business, up to 20万元 for 1–3 years; some to
        small businesses, up to 300万元 for 1–2 years. 贴息: about half the interest."""
        known = self._pick(("employed",), test=lambda p: p.form == "self_employed")
        if known is not None and self.rng.random() < 0.85:
            amount = self.rng.choice((50_000, 100_000, 150_000, 200_000, 200_000))
            term = self.rng.choice((12, 24, 36))
            body = {"programme_code": "startup_loan", "amount_yuan": amount, "term_months": term,
                    "interest_subsidy_yuan": amount * 175 * term // 12 // 10_000, "issued_on": self.today.isoformat()}
            return self._programme_action("issue_loan", "/v1/programmes/loans", body, known)
        small = [e for e in self.employers if e.staff <= 100]
        if not small:
            return None
        employer = self.rng.choice(small)
        amount, term = self.rng.choice((500_000, 1_000_000, 2_000_000, 3_000_000)), self.rng.choice((12, 24))
        body = {"programme_code": "startup_loan", "employer_ref": employer.credit_code,
                "street_code": employer.street_code, "amount_yuan": amount, "term_months": term,
                "interest_subsidy_yuan": amount * 175 * term // 12 // 10_000, "issued_on": self.today.isoformat()}
        return Action("issue_loan", "POST", "/v1/programmes/loans", body, employer.street_code,
                      after=self.registered[employer.credit_code])

    def grant_subsidy(self) -> Action | None:
        """A grant to someone 政策找人 found (灵活就业社保补贴: ¾ of the contributions paid; 一次性创业补贴),
        else a 创业带动就业补贴 to an employer; each paid some calls later."""
        known = self._pick(("employed", "closed"), test=lambda p: bool(
            p.found & {"flexible_social_insurance", "startup_subsidy"}))
        if known is not None:
            programme = self.rng.choice(sorted(known.found & {"flexible_social_insurance", "startup_subsidy"}))
            known.settle(programme)
            if programme == "flexible_social_insurance":
                months = self.rng.choice((3, 6, 6, 12))
                contributions = months * self.rng.randrange(900, 1300, 50)
                body: dict[str, Any] = {"programme_code": programme, "months": months,
                                        "contributions_yuan": contributions, "amount_yuan": contributions * 3 // 4}
            else:
                body = {"programme_code": programme, "kind": "one_off", "amount_yuan": 10_000}
            grant = self._programme_action("grant_subsidy", "/v1/programmes/grants",
                                           {**body, "granted_on": self.today.isoformat()}, known)
        else:
            if not self.employers:
                return None
            employer = self.rng.choice(self.employers)
            jobs = self.rng.randint(1, 10)
            body = {"programme_code": "startup_subsidy", "kind": "job_creation", "employer_ref": employer.credit_code,
                    "street_code": employer.street_code, "amount_yuan": min(50_000, 2_000 * jobs),
                    "granted_on": self.today.isoformat()}
            grant = Action("grant_subsidy", "POST", "/v1/programmes/grants", body, employer.street_code,
                           after=self.registered[employer.credit_code])
        self._later(Action("pay_grant", "POST", "/v1/programmes/payments",
                           {"amount_yuan": grant.body["amount_yuan"], "paid_on": self.today.isoformat()},
                           grant.street_code, after=grant,
                           fill=lambda: {"grant_id": grant.response_id("grant_id")}), self.rng.randint(10, 60))
        return grant

    def register_incubator(self) -> Action:
        """A 创业孵化基地 recognised, mostly 区级; half the 区级 ones are raised to 市级 later on (the first
        one always, so a short run shows a new 市级 base: the plan's yearly figure)."""
        street = self.population.street(self._focus())
        level = self.rng.choices(("district", "municipal", "national"), weights=(7, 2, 1))[0] \
            if self.incubators else "district"
        base = _Posting(Action("register_incubator", "POST", "/v1/programmes/incubators",
                               {"name": f"西青区创业孵化基地（{len(self.incubators) + 1}号）", "street_code": street,
                                "level": level, "recognised_on": self.today.isoformat()}, street))
        base.action.on_success = lambda response: setattr(base, "id", response["incubator_id"])
        self.incubators.append(base)
        if level == "district" and (len(self.incubators) == 1 or self.rng.random() < 0.5):
            self._later(Action("raise_incubator", "POST", lambda: f"/v1/programmes/incubators/{base.id}/recognitions",
                               {"level": "municipal", "recognised_on": self.today.isoformat()}, street,
                               after=base.action), self.rng.randint(50, 300))
        return base.action

    def enter_incubator(self) -> Action | None:
        """A registered business enters a base (one is opened if there is none); it reports the jobs it
        created a couple of times, and about a third leave some calls later."""
        if not self.incubators:
            return self.register_incubator()
        index = self.rng.randrange(len(self.incubators))
        base = self.incubators[index]
        firms = [e for e in self.employers if (index, e.credit_code) not in self.incubated]
        if not firms:
            return None
        firm = self.rng.choice(firms)
        self.incubated.add((index, firm.credit_code))
        street = base.action.street_code
        entered = Action("enter_incubator", "POST", lambda: f"/v1/programmes/incubators/{base.id}/firms",
                         {"employer_ref": firm.credit_code, "entered_on": self.today.isoformat()}, street,
                         after=base.action, also_after=(self.registered[firm.credit_code],))
        step, last = 0, entered
        for _ in range(self.rng.choice((0, 1, 2, 2, 3))):
            step += self.rng.randint(30, 150)
            last = self._later(Action("report_incubatee_jobs", "POST",
                                      lambda: f"/v1/programmes/incubations/{entered.response_id('incubation_id')}/jobs",
                                      {"headcount": self.rng.randint(1, 8), "reported_on": self.today.isoformat()},
                                      street, after=last), step)
        if self.rng.random() < 0.35:
            self._later(Action("leave_incubator", "POST",
                               lambda: f"/v1/programmes/incubations/{entered.response_id('incubation_id')}/exit",
                               {"left_on": self.today.isoformat()}, street, after=last),
                        step + self.rng.randint(30, 150))
        return entered

    def place_traineeship(self) -> Action | None:
        """A 离校未就业 graduate starts a 见习 on a 见习岗位; it ends some calls later, and about 60 % are
        kept by the host (吸纳), which is their employment."""
        posts = self.posts["traineeship"]
        known = self._pick(("registered", "unemployed"), test=lambda p: "traineeship" in p.found)
        if not posts or known is None:
            return None
        post = self.rng.choice(posts[-20:])
        post.places -= 1
        if post.places <= 0:
            posts.remove(post)
        known.settle("traineeship")
        months = self.rng.choice((3, 6, 6, 12))
        body = {"programme_code": "traineeship", "employer_ref": post.action.body["employer_ref"],
                "starts_on": self.today.isoformat(),
                "ends_on": (self.today + timedelta(days=MONTH_DAYS[months])).isoformat()}
        placement = self._placement("place_traineeship", body, known, post)
        kept = self.rng.random() < 0.6
        self._later(Action("end_placement", "POST",
                           lambda: f"/v1/programmes/placements/{placement.response_id('placement_id')}/end",
                           {"ended_on": self.today.isoformat(), "retained_after": kept}, known.person.street_code,
                           after=placement), self.rng.randint(30, 120))
        if kept:
            employer = next(e for e in self.employers if e.credit_code == post.action.body["employer_ref"])
            self._later(self._employ(known, EmploymentForm.EMPLOYED, employer), self.rng.randint(121, 150))
        return placement

    def place_internship(self) -> Action | None:
        """A student (a registered graduate) does a 大学生实习 with an employer, ended some calls later."""
        known = self._pick(("registered",), KeyGroup.GRADUATE)
        if known is None or not self.employers or "internship" in known.settled:
            return None
        known.settled.add("internship")
        employer = self.rng.choice(self.employers)
        body = {"programme_code": "internship", "employer_ref": employer.credit_code,
                "school": self.rng.choice(SCHOOLS), "starts_on": self.today.isoformat(),
                "ends_on": (self.today + timedelta(days=self.rng.choice((30, 60, 90)))).isoformat()}
        placement = self._programme_action("place_internship", "/v1/programmes/placements", body, known,
                                           after=self.registered[employer.credit_code])
        self._later(Action("end_placement", "POST",
                           lambda: f"/v1/programmes/placements/{placement.response_id('placement_id')}/end",
                           {"ended_on": self.today.isoformat()}, known.person.street_code, after=placement),
                    self.rng.randint(30, 120))
        return placement

    def place_public_welfare(self) -> Action | None:
        """托底安置: an unemployed 就业困难人员 (or 零就业家庭 member) placed on a 公益性岗位, registered as
        employment of that form with the post's employer."""
        posts = self.posts["public_welfare"]
        known = self._pick(("unemployed",), test=lambda p: "public_welfare_post" in p.found)
        if not posts or known is None:
            return None
        post = self.rng.choice(posts[-20:])
        post.places -= 1
        if post.places <= 0:
            posts.remove(post)
        known.settle("public_welfare_post")
        body = {"programme_code": "public_welfare_post", "employer_ref": post.action.body["employer_ref"],
                "safety_net": True, "starts_on": self.today.isoformat()}
        placement = self._placement("place_public_welfare", body, known, post)
        employer = next(e for e in self.employers if e.credit_code == post.action.body["employer_ref"])
        self._later(self._employ(known, EmploymentForm.PUBLIC_WELFARE, employer))
        return placement

    def _placement(self, kind: str, body: dict[str, Any], known: _Known, post: _Posting) -> Action:
        action = self._programme_action(kind, "/v1/programmes/placements", body, known, after=post.action)
        person_fill = action.fill
        assert person_fill is not None
        action.fill = lambda: person_fill() | {"vacancy_id": post.id}
        return action

    def refuse_programme(self) -> Action | None:
        """A 红娘 records that someone found eligible will not take it up: they found work meanwhile
        (放弃), or could not be reached — which closes their 政策找人 case."""
        statuses = ("registered", "unemployed", "employed", "closed")
        known = self._pick(statuses, test=lambda p: bool(p.found - p.eligible()))
        if known is None and self.rng.random() < 0.2:
            known = self._pick(statuses, test=lambda p: bool(p.found))
        if known is None:
            return None
        lapsed = sorted(known.found - known.eligible())
        programme = self.rng.choice(lapsed or sorted(known.found))
        known.settle(programme)
        body = {"programme_code": programme, "reason": "declined" if lapsed else "unreachable",
                "refused_on": self.today.isoformat()}
        return self._programme_action("refuse_programme", "/v1/programmes/refusals", body, known, street=False)

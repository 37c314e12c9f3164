"""Every indicator of ``services/monitoring/indicators/catalogue.py`` computed again in plain Python, straight
from the events, without ClickHouse: the independent side of the indicator-equivalence tests, and
of ``leye bench faults`` and the end-to-end tests, which feed it the events the systems of record
kept (:mod:`leye.reconcile`). Not test code for that reason; it imports nothing of the services.

``compute(code, events, start, end, street=, group=, industry=)`` returns ``(value, people)`` with the
meaning the indicators module documents. Written from DOMAIN.md §6 and the indicator docstrings, not
from the SQL.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable
from datetime import date, timedelta

from schemas import CloudEvent
from schemas.events import (
    community,
    enterprise,
    household,
    layoff,
    programme,
    referral,
    registration,
    statistics,
    vacancy,
)
from schemas.fields import SHANGHAI
from schemas.vocab import CaseOrigin

Result = tuple[float | None, int | None]


def day(event: CloudEvent) -> date:
    return event.time.astimezone(SHANGHAI).date()


def order(event: CloudEvent) -> tuple:
    return (event.time, event.id)


def add_months(d: date, months: int) -> date:
    month_index = d.year * 12 + d.month - 1 + months
    year, month = divmod(month_index, 12)
    return date(year, month + 1, min(d.day, calendar.monthrange(year, month + 1)[1]))


class Reference:
    def __init__(self, events: Iterable[CloudEvent], start: date, end: date, *, street: str = "", group: str = "",
                 industry: str = "") -> None:
        self.events = sorted(events, key=order)
        self.start, self.end, self.street, self.group, self.industry = start, end, street, group, industry

    # helpers ------------------------------------------------------------------------------------------
    def of(self, *types: type) -> list[CloudEvent]:
        return [e for e in self.events if isinstance(e.data, types)]

    def in_period(self, *types: type) -> list[CloudEvent]:
        return [e for e in self.of(*types) if self.start <= day(e) <= self.end]

    def street_ok(self, street: str) -> bool:
        return not self.street or street == self.street

    def group_ok(self, groups: Iterable[str]) -> bool:
        return not self.group or self.group in [str(g) for g in groups]

    def industry_ok(self, section: str) -> bool:
        return not self.industry or section == self.industry

    def latest(self, events: Iterable[CloudEvent], key: Callable[[CloudEvent], str]) -> dict[str, CloudEvent]:
        out: dict[str, CloudEvent] = {}
        for event in sorted(events, key=order):
            if day(event) <= self.end:
                out[key(event)] = event
        return out

    @staticmethod
    def count(n: int) -> Result:
        return float(n), n

    @staticmethod
    def share(found: int, total: int, people: bool = True) -> Result:
        return (None if total == 0 else 100 * found / total), (min(found, total) if people else None)

    # people -------------------------------------------------------------------------------------------
    def unemployed_stock(self) -> list[CloudEvent]:
        status = [e for e in self.of(registration.UnemploymentRegistered, registration.EmploymentRegistered,
                                     registration.RegistrationClosed)
                  if not isinstance(e.data, registration.RegistrationClosed) or e.data.registration == "unemployment"]
        latest = self.latest(status, lambda e: e.data.person_ref)
        return [e for e in latest.values() if isinstance(e.data, registration.UnemploymentRegistered)
                and self.street_ok(e.data.street_code) and self.group_ok(e.data.key_groups)]

    def person_flow(self, kind: type) -> list[CloudEvent]:
        return [e for e in self.in_period(kind)
                if self.street_ok(e.data.street_code) and self.group_ok(e.data.key_groups)]

    def employment_rate(self, cohort: Callable[[CloudEvent], bool],
                        kinds: tuple[type, ...] = (registration.UnemploymentRegistered,)) -> Result:
        members = {e.data.person_ref for e in self.in_period(*kinds) if cohort(e) and self.street_ok(e.data.street_code)
                   and self.group_ok(e.data.key_groups)}
        employed = {e.data.person_ref for e in self.in_period(registration.EmploymentRegistered)}
        return self.share(len(members & employed), len(members))

    def long_term(self) -> tuple[int, int]:
        stock = self.unemployed_stock()
        line = add_months(self.end, -6)
        return sum(1 for e in stock if e.data.unemployed_since <= line), len(stock)

    # indicators ---------------------------------------------------------------------------------------
    def new_employment(self) -> Result:
        return self.count(len(self.person_flow(registration.EmploymentRegistered)))

    def unemployment_registrations(self) -> Result:
        return self.count(len(self.person_flow(registration.UnemploymentRegistered)))

    def registered_unemployed(self) -> Result:
        return self.count(len(self.unemployed_stock()))

    def reemployment_rate(self) -> Result:
        return self.employment_rate(lambda e: True)

    def hardship_employment_rate(self) -> Result:
        return self.employment_rate(lambda e: "hardship" in e.data.key_groups)

    def graduate_employment_rate(self) -> Result:
        return self.employment_rate(lambda e: "graduate_unemployed" in e.data.key_groups,
                                    (registration.JobseekerRegistered, registration.UnemploymentRegistered))

    def graduate_service_rate(self) -> Result:
        """Graduates (离校未就业) registered in the period who got a service in it: a follow-up, a referral
        naming them, or a contact on a case that was dispatched for them."""
        graduates = {e.data.person_ref
                     for e in self.in_period(registration.JobseekerRegistered, registration.UnemploymentRegistered)
                     if "graduate_unemployed" in e.data.key_groups and self.street_ok(e.data.street_code)
                     and self.group_ok(e.data.key_groups)}
        case_person = {e.data.case_id: e.data.person_ref for e in self.of(referral.CaseDispatched)
                       if e.data.person_ref}
        served = {e.data.person_ref for e in self.in_period(registration.FollowupRecorded, referral.ReferralMade)}
        served |= {case_person[e.data.case_id] for e in self.in_period(referral.CaseContacted)
                   if e.data.case_id in case_person}
        return self.share(len(graduates & served), len(graduates))

    def zero_employment_family_unemployed(self) -> Result:
        return self.count(sum(1 for e in self.unemployed_stock() if "zero_employment_family" in e.data.key_groups))

    def long_term_unemployed(self) -> Result:
        return self.count(self.long_term()[0])

    def long_term_unemployed_share(self) -> Result:
        long, stock = self.long_term()
        return self.share(long, stock)

    def open_vacancy_headcount(self) -> Result:
        return float(self.open_posts()), None

    def vacancy_ratio(self) -> Result:
        posts = self.open_posts()
        seekers_latest = self.latest(self.of(registration.JobseekerRegistered, registration.UnemploymentRegistered,
                                             registration.EmploymentRegistered, registration.RegistrationClosed),
                                     lambda e: e.data.person_ref)
        seekers = sum(1 for e in seekers_latest.values()
                      if isinstance(e.data, registration.JobseekerRegistered | registration.UnemploymentRegistered)
                      and self.street_ok(e.data.street_code))
        return (None if seekers == 0 else posts / seekers), seekers

    def open_posts(self) -> int:
        posts = 0
        by_vacancy: dict[str, list[CloudEvent]] = {}
        for e in self.of(vacancy.VacancyPosted, vacancy.VacancyUpdated, vacancy.VacancyFilled, vacancy.VacancyClosed,
                         vacancy.VacancyFlagged):
            if day(e) <= self.end:
                by_vacancy.setdefault(e.data.vacancy_id, []).append(e)
        for events in by_vacancy.values():
            last = events[-1].data
            states = [e.data for e in events if isinstance(e.data, vacancy.VacancyPosted | vacancy.VacancyUpdated)]
            streets = [e.data.street_code for e in events if hasattr(e.data, "street_code")]
            if states[-1].valid_until < self.end or not self.street_ok(streets[-1]):
                continue
            if isinstance(last, vacancy.VacancyPosted | vacancy.VacancyUpdated):
                posts += last.headcount
            elif isinstance(last, vacancy.VacancyFilled):
                posts += last.remaining
        return posts

    def job_loss_rate(self) -> Result:
        latest: dict[str, CloudEvent] = {}
        reports = [e for e in self.of(layoff.HeadcountReported) if day(e) <= self.end]
        for e in sorted(reports, key=lambda e: (e.data.month, e.time, e.id)):
            latest[e.data.employer_ref] = e
        chosen = [e.data for e in latest.values() if self.street_ok(e.data.street_code)
                  and self.industry_ok(str(e.data.industry.section))]
        baseline = sum(r.baseline_headcount for r in chosen)
        current = sum(r.current_headcount for r in chosen)
        return (None if baseline == 0 else 100 * (baseline - current) / baseline), None

    def _mass(self) -> list[layoff.LayoffReported]:
        return [e.data for e in self.in_period(layoff.LayoffReported) if e.data.is_mass_layoff
                and self.street_ok(e.data.street_code) and self.industry_ok(str(e.data.industry.section))]

    def mass_layoff_reports(self) -> Result:
        return float(len(self._mass())), None

    def mass_layoff_cuts(self) -> Result:
        return self.count(sum(r.planned_cuts for r in self._mass()))

    def short_notice_layoffs(self) -> Result:
        return float(sum(1 for r in self._mass() if not r.notice_compliant)), None

    def _posts(self, kind: str) -> Result:
        return float(sum(e.data.headcount for e in self.in_period(vacancy.VacancyPosted) if e.data.kind == kind
                         and self.street_ok(e.data.street_code)
                         and self.industry_ok(str(e.data.industry.section)))), None

    def traineeship_posts(self) -> Result:
        return self._posts("traineeship")

    def public_welfare_posts(self) -> Result:
        return self._posts("public_welfare")

    # the programmes: each fact on the day it happened (its own date field), not the day it was recorded
    _ON: dict[type, str] = {programme.Completed: "completed_on", programme.LoanIssued: "issued_on",
                            programme.Granted: "granted_on", programme.Paid: "paid_on",
                            programme.PlacementStarted: "starts_on", programme.PlacementEnded: "ended_on"}

    def _programme(self, model: type, code: str | None = None) -> list:
        on = self._ON.get(model)
        return [e.data for e in self.of(model)
                if self.start <= (getattr(e.data, on) if on else day(e)) <= self.end
                and (code is None or e.data.programme_code == code) and self.street_ok(e.data.street_code)]

    def malanhua_trained(self) -> Result:
        return self.count(len(self._programme(programme.Completed, "malanhua_training")))

    def skills_trained(self) -> Result:
        return self.count(len(self._programme(programme.Completed, "skills_training")))

    def startup_loans_issued(self) -> Result:
        return float(sum(d.amount_yuan for d in self._programme(programme.LoanIssued, "startup_loan"))), None

    def startup_loans_count(self) -> Result:
        return float(len(self._programme(programme.LoanIssued, "startup_loan"))), None

    def startup_subsidies_granted(self) -> Result:
        return float(sum(d.amount_yuan for d in self._programme(programme.Granted, "startup_subsidy"))), None

    def trainees_taken_on(self) -> Result:
        return self.count(len(self._programme(programme.PlacementStarted, "traineeship")))

    def trainees_retained(self) -> Result:
        return self.count(sum(1 for d in self._programme(programme.PlacementEnded, "traineeship") if d.retained_after))

    def interns_placed(self) -> Result:
        return self.count(len(self._programme(programme.PlacementStarted, "internship")))

    def public_welfare_placed(self) -> Result:
        return self.count(len(self._programme(programme.PlacementStarted, "public_welfare_post")))

    def flexible_insurance_granted(self) -> Result:
        return self.count(len(self._programme(programme.Granted, "flexible_social_insurance")))

    def flexible_insurance_people(self) -> Result:
        return self.count(len({d.person_ref for d in self._programme(programme.Granted, "flexible_social_insurance")
                               if d.person_ref is not None}))

    def flexible_insurance_amount(self) -> Result:
        return float(sum(d.amount_yuan for d in self._programme(programme.Granted, "flexible_social_insurance"))), None

    # 创业孵化基地: on each event's own day
    def incubators_new_municipal(self) -> Result:
        rank = {"district": 1, "municipal": 2, "national": 3}
        return float(sum(1 for e in self.of(programme.IncubatorRecognised)
                         if self.start <= e.data.recognised_on <= self.end and self.street_ok(e.data.street_code)
                         and rank[e.data.level] >= 2
                         and (e.data.previous_level is None or rank[e.data.previous_level] < 2))), None

    def startup_jobs_created(self) -> Result:
        return float(sum(e.data.headcount for e in self.of(programme.IncubateeJobsReported)
                         if self.start <= e.data.reported_on <= self.end and self.street_ok(e.data.street_code))), None

    def programme_funds_paid(self) -> Result:
        return float(sum(d.amount_yuan for d in self._programme(programme.Paid))), None

    def policy_matches(self) -> Result:
        return self.count(len(self._programme(programme.Eligible)))

    # 政策找人: the policy-origin 红娘 cases, and the grants to people found eligible before them
    def policy_contacted_same_day(self) -> Result:
        contacted = {e.data.case_id for e in self.of(referral.CaseContacted) if e.data.on_time}
        return self.count(len({e.data.case_id for e in self.in_period(referral.CaseDispatched)
                               if e.data.origin is CaseOrigin.POLICY and self.street_ok(e.data.street_code)
                               and e.data.case_id in contacted}))

    def policy_granted(self) -> Result:
        return self.count(len({d.grant_id for d in self._programme(programme.Granted) if d.eligible_on is not None}))

    def _benefit_days(self) -> list[int]:
        """Per grant with an eligibility day, its first payment's days from it, for first payments in the period."""
        first: dict[str, programme.Paid] = {}
        for e in self.of(programme.Paid):
            if e.data.eligible_on is not None and (e.data.grant_id not in first
                                                   or e.data.paid_on < first[e.data.grant_id].paid_on):
                first[e.data.grant_id] = e.data
        return [(d.paid_on - d.eligible_on).days for d in first.values() if d.eligible_on is not None
                and self.start <= d.paid_on <= self.end and self.street_ok(d.street_code)]

    def policy_benefit_days_median(self) -> Result:
        return self._nearest_rank(1, 2, self._benefit_days())

    def policy_benefit_days_p90(self) -> Result:
        return self._nearest_rank(9, 10, self._benefit_days())

    # 零就业家庭: families, each identification an episode that its household's next clearing ends
    def _episodes(self) -> list[tuple[str, date, date | None]]:
        """Every identification as ``(street, identified_on, cleared_on or None)``, walking each
        household's events in order: an identification opens an episode, a clearing closes the open one."""
        open_: dict[str, int] = {}
        episodes: list[list] = []
        for e in self.of(household.ZeroEmploymentIdentified, household.ZeroEmploymentCleared):
            ref = e.data.household_ref
            if isinstance(e.data, household.ZeroEmploymentIdentified):
                open_[ref] = len(episodes)
                episodes.append([e.data.street_code, e.data.identified_on, None])
            elif ref in open_:
                episodes[open_.pop(ref)][2] = e.data.cleared_on
        return [(street, on, off) for street, on, off in episodes if self.street_ok(street)]

    def zero_employment_families(self) -> Result:
        return self.count(sum(1 for _, on, off in self._episodes()
                              if on <= self.end and (off is None or off > self.end)))

    def zero_employment_families_identified(self) -> Result:
        return self.count(sum(1 for _, on, _ in self._episodes() if self.start <= on <= self.end))

    def _cleared_days(self) -> list[int]:
        return sorted((e.data.cleared_on - e.data.identified_on).days for e in self.of(household.ZeroEmploymentCleared)
                      if self.start <= e.data.cleared_on <= self.end and self.street_ok(e.data.street_code))

    def zero_employment_families_cleared(self) -> Result:
        return self.count(len(self._cleared_days()))

    def _nearest_rank(self, numerator: int, denominator: int, days: list[int] | None = None) -> Result:
        """The ⌈n·numerator/denominator⌉-th shortest of ``days`` (by default the days to clear; integers:
        no rounding at the edges)."""
        days = sorted(self._cleared_days() if days is None else days)
        if not days:
            return None, 0
        rank = -(-len(days) * numerator // denominator)
        return float(days[rank - 1]), len(days)

    def zero_employment_clear_days_median(self) -> Result:
        return self._nearest_rank(1, 2)

    def zero_employment_clear_days_p90(self) -> Result:
        return self._nearest_rank(9, 10)

    # 重点企业: each issue or shortage is open from its opening until a closing dated by the period's end
    def _open_items(self, opened: type, closed: type) -> list[CloudEvent]:
        """The latest event of every issue or shortage opened by the end and not closed by then, in its
        街镇."""
        ends = {e.data.__dict__.get("issue_id") or e.data.shortage_id for e in self.of(closed)
                if e.data.closed_on <= self.end}
        items: dict[str, CloudEvent] = {}
        for e in self.of(opened, closed):
            data = e.data
            ref = data.__dict__.get("issue_id") or data.shortage_id
            on = data.opened_on if isinstance(data, enterprise.IssueOpened) else data.reported_on
            if on <= self.end and ref not in ends and data.__dict__.get("closed_on", on) <= self.end:
                items[ref] = e
        return [e for e in items.values() if self.street_ok(e.data.street_code)]

    def enterprise_shortage_headcount(self) -> Result:
        items = self._open_items(enterprise.ShortageReported, enterprise.ShortageClosed)
        return float(sum(e.data.headcount for e in items)), None

    def short_staffed_key_enterprises(self) -> Result:
        items = self._open_items(enterprise.ShortageReported, enterprise.ShortageClosed)
        return float(len({e.data.employer_ref for e in items})), None

    def key_enterprises(self) -> Result:
        latest: dict[str, str] = {}
        for e in self.of(enterprise.KeyEnterpriseRegistered):
            if e.data.enrolled_on <= self.end:
                latest[e.data.employer_ref] = e.data.street_code
        return float(sum(1 for street in latest.values() if self.street_ok(street))), None

    def _issues_on(self, kind: type, field: str) -> Result:
        return float(len({e.data.issue_id for e in self.of(kind) if self.start <= getattr(e.data, field) <= self.end
                          and self.street_ok(e.data.street_code)})), None

    def enterprise_issues_opened(self) -> Result:
        return self._issues_on(enterprise.IssueOpened, "opened_on")

    def enterprise_issues_closed(self) -> Result:
        return self._issues_on(enterprise.IssueClosed, "closed_on")

    def enterprise_issues_open(self) -> Result:
        return float(len(self._open_items(enterprise.IssueOpened, enterprise.IssueClosed))), None

    def enterprise_issues_overdue(self) -> Result:
        return float(sum(1 for e in self._open_items(enterprise.IssueOpened, enterprise.IssueClosed)
                         if e.data.due_on < self.end)), None

    def _ended(self) -> list[vacancy.RecruitmentSessionEnded]:
        return [e.data for e in self.in_period(vacancy.RecruitmentSessionEnded) if self.street_ok(e.data.street_code)]

    def recruitment_sessions(self) -> Result:
        return float(len(self._ended())), None

    def livestream_sessions(self) -> Result:
        return float(sum(1 for s in self._ended() if s.kind == "livestream")), None

    def session_applications(self) -> Result:
        return self.count(sum(s.applications for s in self._ended()))

    def session_hires(self) -> Result:
        return self.count(sum(s.hires for s in self._ended()))

    def _live(self, kind: type, field: str) -> list:
        return [e.data for e in self.of(kind) if self.start <= getattr(e.data, field).astimezone(SHANGHAI).date()
                <= self.end and self.street_ok(e.data.street_code)]

    def live_applications(self) -> Result:
        return self.count(len(self._live(vacancy.RecruitmentApplicationReceived, "applied_at")))

    def live_hires(self) -> Result:
        return self.count(sum(1 for d in self._live(vacancy.RecruitmentApplicationDecided, "decided_at") if d.hired))

    def live_workday_share(self) -> Result:
        """Working days (Monday to Friday) of the period on which a 直播带岗 ended, as a share of them."""
        workdays = sum(1 for n in range((self.end - self.start).days + 1)
                       if (self.start + timedelta(days=n)).weekday() < 5)
        covered = {day(e) for e in self.in_period(vacancy.RecruitmentSessionEnded)
                   if e.data.kind == "livestream" and self.street_ok(e.data.street_code) and day(e).weekday() < 5}
        return (None if not covered or not workdays else 100 * len(covered) / workdays), None

    def _case_share(self, matches: Callable[[object], bool]) -> Result:
        dispatched = {e.data.case_id for e in self.in_period(referral.CaseDispatched)
                      if self.street_ok(e.data.street_code)}
        hit = {e.data.case_id for e in self.events if matches(e.data)}
        return self.share(len(dispatched & hit), len(dispatched), people=False)

    def cases_dispatched(self) -> Result:
        return float(len({e.data.case_id for e in self.in_period(referral.CaseDispatched)
                          if self.street_ok(e.data.street_code)})), None

    def sla_contact_rate(self) -> Result:
        return self._case_share(lambda d: isinstance(d, referral.CaseContacted) and d.on_time)

    def sla_referral_rate(self) -> Result:
        return self._case_share(lambda d: isinstance(d, referral.ReferralMade) and d.on_time)

    def sla_breach_rate(self) -> Result:
        return self._case_share(lambda d: isinstance(d, referral.CaseSlaBreached))

    def survey_unemployment_rate(self) -> Result:
        month = f"{self.end.year:04d}-{self.end.month:02d}"
        rates = [e for e in self.of(statistics.SurveyRateReported) if e.data.period <= month]
        if not rates:
            return None, None
        return max(rates, key=lambda e: (e.data.period, e.time, e.id)).data.rate_percent, None

    def registration_surge_ratio(self) -> Result:
        regs = [day(e) for e in self.of(registration.UnemploymentRegistered) if self.street_ok(e.data.street_code)]
        recent = sum(1 for d in regs if self.end - timedelta(days=6) <= d <= self.end)
        baseline = sum(1 for d in regs if self.end - timedelta(days=34) <= d <= self.end - timedelta(days=7))
        return (None if baseline == 0 else recent / (baseline / 4)), None


def communities(events: Iterable[CloudEvent], end: date) -> dict[str, tuple[int, int]]:
    """充分就业社区 (DOMAIN.md §6) at the end of ``end``: per community code, ``(residents able and
    willing to work, of whom employed)``. A person's state is their latest status event up to that
    day (求职 or 失业: able and willing; 就业: employed too; 注销: neither), counted in the latest
    community code their events gave; people never given a code are not counted."""
    status = (registration.JobseekerRegistered, registration.UnemploymentRegistered,
              registration.EmploymentRegistered, registration.RegistrationClosed)
    state: dict[str, tuple[type, str | None]] = {}
    for event in sorted(events, key=order):
        if isinstance(event.data, status) and day(event) <= end:
            before = state.get(event.data.person_ref, (type(None), None))[1]
            state[event.data.person_ref] = (type(event.data), event.data.community_code or before)
    out: dict[str, tuple[int, int]] = {}
    for kind, code in state.values():
        if code is None or kind is registration.RegistrationClosed:
            continue
        able, employed = out.get(code, (0, 0))
        out[code] = (able + 1, employed + (kind is registration.EmploymentRegistered))
    return out


def community_households(events: Iterable[CloudEvent], start: date, end: date) -> dict[str, dict[str, Result]]:
    """零就业家庭 per community code (DOMAIN.md §2 "Households"): the ``Reference`` figures of the
    families (``zero_employment_families``, ``…_identified``, ``…_cleared``, the days to clear's median
    and p90) computed over each community's household events alone. A household never changes
    community, so its events all carry the same code."""
    by_code: dict[str, list[CloudEvent]] = {}
    for event in events:
        if isinstance(event.data, household.ZeroEmploymentIdentified | household.ZeroEmploymentCleared):
            by_code.setdefault(event.data.community_code, []).append(event)
    codes = ("zero_employment_families", "zero_employment_families_identified", "zero_employment_families_cleared",
             "zero_employment_clear_days_median", "zero_employment_clear_days_p90")
    return {code: {figure: compute(figure, found, start, end) for figure in codes} for code, found in by_code.items()}


def certifications(events: Iterable[CloudEvent], year: int) -> tuple[dict[str, set[str]], set[str]]:
    """充分就业社区 certifications: per level, the communities certified for ``year``; and the
    communities holding 区级 for ``year`` or before."""
    found = [e.data for e in events if isinstance(e.data, community.CommunityCertified)]
    by_level: dict[str, set[str]] = {}
    for data in found:
        if data.year == year:
            by_level.setdefault(str(data.level), set()).add(data.community_code)
    return by_level, {d.community_code for d in found if d.year <= year and str(d.level) == "district"}


def certificates(events: Iterable[CloudEvent], start: date, end: date, street: str = "",
                 ) -> tuple[dict[tuple[str, int], tuple[int, int]], tuple[int, int]]:
    """职业技能 certificates issued from ``start`` to ``end`` (on their ``issued_on``), in ``street`` if
    given: per (occupation, level) ``(certificates, distinct holders)``, and the same over all of them
    (a holder once however many occupations)."""
    issued = {e.data.certificate_id: e.data for e in events if isinstance(e.data, programme.CertificateIssued)
              and start <= e.data.issued_on <= end and (not street or e.data.street_code == street)}
    by_key: dict[tuple[str, int], tuple[int, set[str]]] = {}
    for data in issued.values():
        count, holders = by_key.get((data.occupation_code, data.level), (0, set()))
        by_key[(data.occupation_code, data.level)] = (count + 1, holders | {data.person_ref})
    return ({key: (count, len(holders)) for key, (count, holders) in by_key.items()},
            (len(issued), len({data.person_ref for data in issued.values()})))


def compute(code: str, events: Iterable[CloudEvent], start: date, end: date, **filters: str) -> Result:
    return getattr(Reference(events, start, end, **filters), code)()

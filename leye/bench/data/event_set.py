"""A deterministic, varied set of platform events for the monitoring tests and the ingest benchmark.
Synthetic: ``person_ref`` values are hashes of a counter, not of ID numbers.

``varied_events(seed, people=…)`` builds, with ``schemas.new_event``, the life of a population: job
seekers with key groups (零就业家庭 members among them) in all 12 街镇, unemployment and employment
registrations (some across the 6-month long-term line), closures, follow-ups; employers, postings
that are updated, filled, closed or withheld, including 见习 and 公益性 posts; recruitment sessions;
layoff reports of every kind (mass or not, with and without 30 days' notice); monthly headcount
reports with a correction; 红娘 cases about the first people, with on-time and late contacts and
referrals and SLA breaches; survey rates with a correction; the programmes' training, loans, subsidies,
placements and 政策找人 matches; 零就业家庭 identified and cleared, some several times; key enterprises
with their officers, ledger issues (some overdue) and shortages, and monitored enterprises enrolled.

Times are whole seconds in 2026, some just after midnight Asia/Shanghai (the previous day in UTC), so
day bucketing is exercised. Events are returned in time order; each aggregate's events are strictly
increasing in time.
"""

from __future__ import annotations

import hashlib
import random
from datetime import date, datetime, timedelta
from typing import Any

from schemas import CloudEvent, EventData, new_event
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
from schemas.events.layoff import assess_layoff
from schemas.fields import SHANGHAI, Industry
from schemas.ids import credit_code_check_char
from schemas.reference import INDUSTRY_SECTIONS, STREETS
from schemas.vocab import (
    CaseCloseReason,
    CaseOrigin,
    CertificationLevel,
    ClosureReason,
    ContactChannel,
    DecreaseType,
    Education,
    EmploymentForm,
    EnterpriseIssueKind,
    FlagCategory,
    FollowupOutcome,
    Gender,
    HardshipCategory,
    IncubatorLevel,
    IndustrySection,
    KeyGroup,
    LayoffReason,
    ReferralDirection,
    RefusalReason,
    RegistrationKind,
    RegistrationPlace,
    SessionKind,
    SessionSource,
    SlaKind,
    UnemploymentReason,
    VacancyCloseReason,
    VacancyKind,
    ZeroEmploymentClearReason,
)

STREET_CODES = sorted(STREETS)
START = datetime(2026, 1, 1, tzinfo=SHANGHAI)
SECTIONS = [IndustrySection.C, IndustrySection.E, IndustrySection.F, IndustrySection.I]


def credit_code(n: int) -> str:
    first17 = f"91120111{n:09d}"
    return first17 + credit_code_check_char(first17)


def person_ref(n: int) -> str:
    return hashlib.sha256(f"person-{n}".encode()).hexdigest()


class _Clock:
    """Random whole-second times in 2026 (Jan–Oct); a tenth of them just after midnight Shanghai."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def at(self, day_offset: int) -> datetime:
        base = START + timedelta(days=day_offset)
        if self.rng.random() < 0.1:
            return base + timedelta(minutes=self.rng.randint(0, 59))
        return base + timedelta(seconds=self.rng.randint(8 * 3600, 20 * 3600))

    def day(self, low: int = 0, high: int = 300) -> int:
        return self.rng.randint(low, high)


def _industry(rng: random.Random) -> Industry:
    section = rng.choice(SECTIONS)
    return Industry(section=section, division=rng.choice(sorted(INDUSTRY_SECTIONS[section].divisions)))


VACANCY_TITLES = ("数控车床操作工", "电商客服", "仓储管理员", "叉车司机", "行政文员", "电焊工", "质检员", "普工")
"""Made-up job titles, taken in turn (no draw from the generator, so the rest of the set is as it was):
the wall's 直播带岗 panel names vacancies by title."""


def varied_events(seed: int = 7, *, people: int = 300, employers: int = 30, vacancies: int = 120,
                  sessions: int = 25, cases: int = 120, programmes: int = 80, households: int = 60,
                  enterprises: int = 40, policy: int = 40, incubators: int = 14, live: int = 30,
                  subsidised: int = 30, certified: int = 40) -> list[CloudEvent]:
    rng = random.Random(seed)
    clock = _Clock(rng)
    out: list[CloudEvent[Any]] = []

    def add(data: EventData, source: str, at: datetime) -> None:
        out.append(new_event(data, source=source, time=at))

    # --- people --------------------------------------------------------------------------------------
    optional_groups = [KeyGroup.GRADUATE_UNEMPLOYED, KeyGroup.HARDSHIP, KeyGroup.MIGRANT, KeyGroup.AGE_4050,
                       KeyGroup.VETERAN, KeyGroup.RURAL_SURPLUS]
    # each person's community (充分就业社区) from a generator of its own, so the rest of the set is as it was
    places = random.Random(seed + 9)
    for n in range(people):
        ref, street = person_ref(n), rng.choice(STREET_CODES)
        groups = [KeyGroup.RESIDENT] + [g for g in optional_groups if rng.random() < 0.25]
        if n % 9 == 4:  # 零就业家庭 members, without drawing from rng: the rest of the set stays as it was
            groups.append(KeyGroup.ZERO_EMPLOYMENT_FAMILY)
        fields: dict[str, Any] = {"person_ref": ref, "street_code": street, "key_groups": groups}
        # a tenth without a code (registered before codes), a tenth given one only after the registration
        codes = _person_community_codes(places, street)
        day = clock.day(0, 200)
        t = clock.at(day)
        add(registration.JobseekerRegistered(**fields, community_code=codes[0], gender=Gender.MALE,
                                             age=rng.randint(18, 59),
                                             education=rng.choice(list(Education)), registered_on=t.date()),
            "/services/registration", t)
        unemployed = rng.random() < 0.7
        since = None
        if unemployed:
            day += rng.randint(0, 20)
            t = clock.at(day)
            since = t.date() - timedelta(days=rng.randint(0, 300))
            add(registration.UnemploymentRegistered(
                **{**fields, "key_groups": [*groups, KeyGroup.REGISTERED_UNEMPLOYED]}, community_code=codes[1],
                unemployed_since=since,
                reason=rng.choice(list(UnemploymentReason)), registered_on=t.date(),
                registration_place=RegistrationPlace.RESIDENCE), "/services/registration", t)
            if rng.random() < 0.5:
                day += rng.randint(1, 30)
                t = clock.at(day)
                add(registration.FollowupRecorded(**fields, channel=ContactChannel.PHONE,
                                                  outcome=FollowupOutcome.STILL_UNEMPLOYED,
                                                  followed_up_on=t.date()), "/services/registration", t)
            if KeyGroup.HARDSHIP in groups:
                day += 1
                t = clock.at(day)
                add(registration.HardshipCertified(**fields, categories=[HardshipCategory.OTHER],
                                                   certified_on=t.date()), "/services/registration", t)
        roll = rng.random()
        if roll < 0.45:
            day += rng.randint(1, 60)
            t = clock.at(day)
            form = rng.choice([EmploymentForm.EMPLOYED, EmploymentForm.FLEXIBLE])
            add(registration.EmploymentRegistered(
                **fields, community_code=codes[1], form=form, employer_ref=credit_code(rng.randint(0, employers - 1)),
                industry=_industry(rng), employed_on=t.date(), was_registered_unemployed=unemployed,
                unemployed_since=since if unemployed and since and since <= t.date() else None),
                "/services/registration", t)
        elif roll < 0.55:
            day += rng.randint(1, 60)
            t = clock.at(day)
            closed = RegistrationKind.UNEMPLOYMENT if unemployed else RegistrationKind.JOBSEEKER
            add(registration.RegistrationClosed(**fields, community_code=codes[1], registration=closed,
                                                reason=ClosureReason.MOVED_AWAY,
                                                closed_on=t.date()), "/services/registration", t)

    # --- employers, layoffs, headcount ------------------------------------------------------------------
    employer_info = []
    for n in range(employers):
        ref, street, industry = credit_code(n), rng.choice(STREET_CODES), _industry(rng)
        staff = rng.randint(40, 900)
        employer_info.append((ref, street, industry, staff))
        add(vacancy.EmployerRegistered(employer_ref=ref, industry=industry, street_code=street, staff_count=staff),
            "/services/vacancies", clock.at(0))
        current = staff
        for month in range(1, 10):
            if rng.random() < 0.4:
                continue
            current = max(0, current - rng.randint(-5, 25))
            t = clock.at((date(2026, month + 1, 1) - START.date()).days + rng.randint(0, 5))
            report_id = f"hc-{n}-{month}"
            fields = {"employer_ref": ref, "month": f"2026-{month:02d}", "industry": industry, "street_code": street,
                      "baseline_headcount": staff}
            add(layoff.HeadcountReported(report_id=report_id, current_headcount=current,
                                         decreases={DecreaseType.RESIGNATION: 3}, **fields),
                "/services/vacancies", t)
            if rng.random() < 0.1:  # a correction later the same month
                add(layoff.HeadcountReported(report_id=report_id + "c", current_headcount=max(0, current - 7),
                                             supersedes_report_id=report_id, **fields),
                    "/services/vacancies", t + timedelta(hours=30))
    for n in range(max(8, employers // 3)):
        ref, street, industry, staff = employer_info[n % employers]
        cuts = rng.choice([3, 8, 15, 25, 60, 150, 400]) if staff >= 400 else rng.randint(1, max(1, staff // 3))
        cuts = min(cuts, staff)
        t = clock.at(clock.day(10, 290))
        notified = t.date() - timedelta(days=rng.randint(0, 10))
        planned = notified + timedelta(days=rng.choice([5, 15, 29, 30, 45]))
        assessed = assess_layoff(staff, cuts, notified, planned)
        add(layoff.LayoffReported(report_id=f"lr-{n}", employer_ref=ref, industry=industry, street_code=street,
                                  staff_count=staff, planned_cuts=cuts, reason=LayoffReason.SERIOUS_DIFFICULTY,
                                  notified_on=notified, planned_on=planned, is_mass_layoff=assessed.is_mass,
                                  notice_days=assessed.notice_days, notice_compliant=assessed.compliant),
            "/services/vacancies", t)

    # --- vacancies -----------------------------------------------------------------------------------------
    for n in range(vacancies):
        ref, street, industry, _ = employer_info[rng.randrange(employers)]
        day = clock.day(0, 280)
        t = clock.at(day)
        vacancy_kind = rng.choice([VacancyKind.REGULAR, VacancyKind.REGULAR, VacancyKind.TRAINEESHIP,
                                   VacancyKind.PUBLIC_WELFARE, VacancyKind.FLEXIBLE])
        valid_from = t.date()
        posting: dict[str, Any] = {
            "vacancy_id": f"vac-{n}", "employer_ref": ref, "title": VACANCY_TITLES[n % len(VACANCY_TITLES)],
            "industry": industry,
            "street_code": street, "kind": vacancy_kind, "headcount": rng.randint(1, 20), "salary_min": 4000,
            "salary_max": 6000, "valid_from": valid_from,
            "valid_until": valid_from + timedelta(days=rng.randint(20, 240))}
        add(vacancy.VacancyPosted(**posting), "/services/vacancies", t)
        if rng.random() < 0.3:
            day += rng.randint(1, 10)
            posting["headcount"] = rng.randint(1, 25)
            add(vacancy.VacancyUpdated(**posting), "/services/vacancies", clock.at(day))
        roll = rng.random()
        if roll < 0.3:
            day += rng.randint(1, 20)
            filled = rng.randint(1, posting["headcount"])
            remaining = posting["headcount"] - filled
            add(vacancy.VacancyFilled(vacancy_id=f"vac-{n}", street_code=street, kind=vacancy_kind,
                                      filled_count=filled,
                                      remaining=remaining, fully_filled=remaining == 0), "/services/vacancies",
                clock.at(day))
        elif roll < 0.45:
            day += rng.randint(1, 20)
            t = clock.at(day)
            add(vacancy.VacancyClosed(vacancy_id=f"vac-{n}", reason=VacancyCloseReason.WITHDRAWN, closed_on=t.date()),
                "/services/vacancies", t)
        elif roll < 0.5:
            day += rng.randint(1, 5)
            add(vacancy.VacancyFlagged(vacancy_id=f"vac-{n}", employer_ref=ref, street_code=street,
                                       reasons=[vacancy.FlagReason(category=FlagCategory.GENDER,
                                                                   explanation="性别限制")]),
                "/services/vacancies", clock.at(day))

    # --- recruitment sessions ------------------------------------------------------------------------------
    for n in range(sessions):
        street, session_kind = rng.choice(STREET_CODES), rng.choice(list(SessionKind))
        t = clock.at(clock.day(0, 290))
        base: dict[str, Any] = {"session_id": f"s-{n}", "kind": session_kind, "street_code": street}
        add(vacancy.RecruitmentSessionScheduled(**base, scheduled_at=t), "/services/vacancies", t)
        started = t + timedelta(days=2)
        add(vacancy.RecruitmentSessionStarted(**base, started_at=started), "/services/vacancies", started)
        if rng.random() < 0.85:
            ended = started + timedelta(hours=2)
            add(vacancy.RecruitmentSessionEnded(**base, ended_at=ended, viewers=rng.randint(0, 3000),
                                                applications=rng.randint(0, 60), hires=rng.randint(0, 6)),
                "/services/vacancies", ended)

    # --- 红娘 cases ------------------------------------------------------------------------------------------
    for n in range(cases):
        street = rng.choice(STREET_CODES)
        base = {"case_id": f"case-{n}", "station_code": f"{street}{n % 7:03d}", "street_code": street}
        t = clock.at(clock.day(0, 290))
        add(referral.CaseDispatched(**base, origin=CaseOrigin.PERSON, person_ref=person_ref(n),
                                    contact_due_at=t + timedelta(hours=8), referral_due_at=t + timedelta(days=3)),
            "/services/matching", t)
        if rng.random() < 0.85:
            on_time = rng.random() < 0.8
            at = t + timedelta(hours=2 if on_time else 30)
            add(referral.CaseContacted(**base, contacted_at=at, channel=ContactChannel.PHONE, on_time=on_time),
                "/services/matching", at)
        else:
            add(referral.CaseSlaBreached(**base, sla=SlaKind.CONTACT, due_at=t + timedelta(hours=8)),
                "/services/matching", t + timedelta(hours=9))
        if rng.random() < 0.7:
            on_time = rng.random() < 0.75
            at = t + timedelta(days=2 if on_time else 4)
            add(referral.ReferralMade(**base, referral_id=f"r-{n}", person_ref=person_ref(n), vacancy_id="vac-1",
                                      direction=ReferralDirection.PERSON_TO_JOB, score=0.5, on_time=on_time),
                "/services/matching", at)
        if rng.random() < 0.5:
            at = t + timedelta(days=10)
            add(referral.CaseClosed(**base, reason=CaseCloseReason.RESOLVED, closed_on=at.date()),
                "/services/matching", at)

    # --- survey rates -----------------------------------------------------------------------------------------
    for month, rate in ((1, 5.1), (2, 5.3), (3, 5.2), (5, 5.0)):
        at = datetime(2026, month + 1, 15, 10, tzinfo=SHANGHAI)
        add(statistics.SurveyRateReported(period=f"2026-{month:02d}", rate_percent=rate, published_on=at.date(),
                                          source="国家统计局天津调查总队"), "/services/gateway", at)
    at = datetime(2026, 3, 20, 10, tzinfo=SHANGHAI)  # a correction of February
    add(statistics.SurveyRateReported(period="2026-02", rate_percent=5.4, published_on=at.date(), source="更正"),
        "/services/gateway", at)

    # --- programmes (a generator of their own: the events above stay as they were) ----------------------------
    out.extend(_programme_events(random.Random(seed + 1), _Clock(random.Random(seed + 2)), programmes))
    # --- households (another generator of their own) -----------------------------------------------------------
    out.extend(_household_events(random.Random(seed + 3), _Clock(random.Random(seed + 4)), households))
    # --- key and monitored enterprises (another generator of their own) -------------------------------------------
    out.extend(_enterprise_events(random.Random(seed + 5), _Clock(random.Random(seed + 6)), enterprises))
    # --- 政策找人 end to end (another generator of its own) --------------------------------------------------
    out.extend(_policy_events(random.Random(seed + 7), _Clock(random.Random(seed + 8)), policy))
    # --- 创业孵化基地 (another generator of its own) -------------------------------------------------------
    out.extend(_incubator_events(random.Random(seed + 21), _Clock(random.Random(seed + 22)), incubators))
    # --- 充分就业社区 certifications (another generator of their own; seed + 9 is the persons' communities) ------
    out.extend(_certification_events(random.Random(seed + 10)))
    # --- 直播带岗 recorded live (another generator of its own) -------------------------------------------------
    out.extend(_live_events(random.Random(seed + 23), _Clock(random.Random(seed + 24)), live))
    # --- 灵活就业社保补贴 granted more than once to a person, and 职业技能 certificates (generators of their own) ----
    out.extend(_subsidy_events(random.Random(seed + 25), _Clock(random.Random(seed + 26)), subsidised))
    out.extend(_certificate_events(random.Random(seed + 27), _Clock(random.Random(seed + 28)), certified))
    out.sort(key=lambda e: e.time)
    return out


def _live_events(rng: random.Random, clock: _Clock, count: int) -> list[CloudEvent]:
    """直播带岗 sessions recorded live, on working days and some weekends: viewer samples every ten
    minutes, applications for the vacancies shown, decisions during the
    session and days later (some across a month's end, some never), most sessions ended with the totals
    counted from the records (``source: live``), some still running at the end of the set. Some
    start just after midnight Asia/Shanghai (the previous day in UTC), so the days of the records are
    exercised."""
    out: list[CloudEvent[Any]] = []

    def add(data: EventData, at: datetime) -> None:
        out.append(new_event(data, source="/services/vacancies", time=at))

    for n in range(count):
        base: dict[str, Any] = {"session_id": f"ls-{n}", "kind": SessionKind.LIVESTREAM,
                                "street_code": rng.choice(STREET_CODES)}
        start = clock.at(clock.day(0, 290))
        shown = [f"vac-{k}" for k in rng.sample(range(120), 3)]
        add(vacancy.RecruitmentSessionScheduled(**base, scheduled_at=start, vacancy_ids=shown),
            start - timedelta(days=1))
        add(vacancy.RecruitmentSessionStarted(**base, started_at=start), start)
        samples = [(start + timedelta(minutes=10 * k), rng.randint(0, 2000)) for k in range(1, rng.randint(2, 8))]
        for at, viewers in samples:
            add(vacancy.RecruitmentViewersSampled(**base, sampled_at=at, viewers=viewers), at)
        hires, applications = 0, 0
        for k in range(rng.randint(0, 6)):
            applied = start + timedelta(minutes=rng.randint(1, 59))
            app: dict[str, Any] = {"application_id": f"la-{n}-{k}", "vacancy_id": rng.choice(shown),
                                   "person_ref": person_ref(k + n)}
            add(vacancy.RecruitmentApplicationReceived(**base, **app, applied_at=applied), applied)
            applications += 1
            roll = rng.random()
            if roll < 0.7:
                decided = applied + (timedelta(minutes=30) if roll < 0.3 else timedelta(days=rng.randint(1, 40)))
                hired = rng.random() < 0.5
                hires += hired and roll < 0.3  # decided before the end (an hour and a half in)
                add(vacancy.RecruitmentApplicationDecided(**base, **app, hired=hired, decided_at=decided), decided)
        if rng.random() < 0.9:
            ended = start + timedelta(minutes=90)
            add(vacancy.RecruitmentSessionEnded(**base, ended_at=ended, vacancy_ids=shown,
                                                viewers=max((v for _, v in samples), default=0),
                                                applications=applications, hires=hires,
                                                source=SessionSource.LIVE), ended)
    # and one in progress on the set's last day (Thursday 31 December), as a wall at its end shows it
    base = {"session_id": "ls-running", "kind": SessionKind.LIVESTREAM, "street_code": STREET_CODES[0]}
    start, shown = datetime(2026, 12, 31, 10, tzinfo=SHANGHAI), ["vac-1", "vac-2", "vac-3"]
    add(vacancy.RecruitmentSessionScheduled(**base, scheduled_at=start, vacancy_ids=shown), start - timedelta(days=1))
    add(vacancy.RecruitmentSessionStarted(**base, started_at=start), start)
    for k in range(1, 7):
        at = start + timedelta(minutes=10 * k)
        add(vacancy.RecruitmentViewersSampled(**base, sampled_at=at, viewers=300 + 150 * k), at)
        app = {"application_id": f"la-running-{k}", "vacancy_id": shown[k % 3], "person_ref": person_ref(3000 + k)}
        add(vacancy.RecruitmentApplicationReceived(**base, **app, applied_at=at + timedelta(minutes=1)),
            at + timedelta(minutes=1))
        if k % 2:
            decided = at + timedelta(minutes=5)
            add(vacancy.RecruitmentApplicationDecided(**base, **app, hired=k == 1, decided_at=decided), decided)
    return out


def _policy_events(rng: random.Random, clock: _Clock, count: int) -> list[CloudEvent]:
    """政策找人 end to end: a person found eligible, a 红娘 case of origin policy (contacted on time, late
    or not at all), and for most a grant carrying ``eligible_on`` with one to three payments; the first
    payment the same day or weeks later, some in the next month, some recorded before the grant's
    earlier payment (out of order), so first payments and their days are exercised."""
    out: list[CloudEvent[Any]] = []
    version = "2026.2"
    for n in range(count):
        street, ref = rng.choice(STREET_CODES), person_ref(2000 + n)
        t = clock.at(clock.day(0, 280))
        eligible_on, code = t.date(), "flexible_social_insurance"
        out.append(new_event(programme.Eligible(
            person_ref=ref, programme_code=code, programme_name="灵活就业社保补贴", street_code=street,
            rule_version=version, clauses=[programme.ClauseMet(clause="灵活就业", fact="employment_form",
                                                               value="flexible")],
            cause_event_id=f"policy-cause-{n}"), source="/services/programmes", time=t))
        base = {"case_id": f"policy-case-{n}", "station_code": f"{street}{n % 5:03d}", "street_code": street}
        dispatched = t + timedelta(seconds=1)
        out.append(new_event(referral.CaseDispatched(
            **base, origin=CaseOrigin.POLICY, person_ref=ref, programme_code=code,
            contact_due_at=dispatched + timedelta(hours=4), referral_due_at=dispatched + timedelta(days=3)),
            source="/services/matching", time=dispatched))
        roll = rng.random()
        if roll < 0.85:
            on_time = roll < 0.65
            at = dispatched + timedelta(minutes=30 if on_time else 60 * 30)
            out.append(new_event(referral.CaseContacted(**base, contacted_at=at, channel=ContactChannel.PHONE,
                                                        on_time=on_time), source="/services/matching", time=at))
        if rng.random() < 0.25:
            continue
        granted_on = eligible_on + timedelta(days=rng.choice((0, 1, 3, 7, 15)))
        grant: dict[str, Any] = {"grant_id": f"policy-grant-{n}", "programme_code": code, "street_code": street,
                                 "person_ref": ref, "rule_version": version, "eligible_on": eligible_on}
        out.append(new_event(programme.Granted(**grant, amount_yuan=3_000, granted_on=granted_on),
                             source="/services/programmes", time=clock.at((granted_on - START.date()).days)))
        paid = [granted_on + timedelta(days=rng.choice((0, 2, 10, 25)) + 30 * k) for k in range(rng.randint(1, 3))]
        times = [clock.at((on - START.date()).days) for on in paid]
        if len(paid) > 1 and rng.random() < 0.3:
            times.reverse()  # the later payment recorded first
        for k, (on, at) in enumerate(zip(paid, times, strict=True)):
            out.append(new_event(programme.Paid(payment_id=f"policy-pay-{n}-{k}", amount_yuan=1_000, paid_on=on,
                                                **grant), source="/services/programmes", time=at))
    return out


def _subsidy_events(rng: random.Random, clock: _Clock, count: int) -> list[CloudEvent]:
    """灵活就业社保补贴 granted to people one to four times (each a quarter's contributions, some a few days
    apart, so a period holds some of a person's grants and not others); a few people's later grants name
    another 街镇 (they moved), and some are recorded days after their grant day. People counted once,
    grants (人次) every time."""
    out: list[CloudEvent[Any]] = []
    for n in range(count):
        ref, street = person_ref(3000 + n), rng.choice(STREET_CODES)
        on = clock.day(0, 120)
        for k in range(rng.randint(1, 4)):
            if rng.random() < 0.1:
                street = rng.choice(STREET_CODES)
            granted_on = (START + timedelta(days=on)).date()
            out.append(new_event(programme.Granted(
                grant_id=f"flex-{n}-{k}", programme_code="flexible_social_insurance", street_code=street,
                person_ref=ref, amount_yuan=rng.choice((1_200, 1_800, 2_400)), granted_on=granted_on,
                rule_version="2026.3"), source="/services/programmes",
                time=clock.at(on + rng.choice((0, 0, 1, 4)))))
            on += rng.choice((2, 30, 91))
    return out


OCCUPATIONS = ("6-18-01-01", "6-18-02-04", "4-03-02-01", "4-10-01-01", "6-29-01-03")
"""职业分类大典 codes the certificates of the varied set name (车工, 焊工, 中式烹调师, 保育员, 砌筑工)."""


def _certificate_events(rng: random.Random, clock: _Clock, count: int) -> list[CloudEvent]:
    """职业技能等级证书: people holding one or two (another occupation, or the next level up), at levels
    1–5, some recorded days after the day they were issued (counted on ``issued_on``)."""
    out: list[CloudEvent[Any]] = []
    for n in range(count):
        ref, street = person_ref(4000 + n), rng.choice(STREET_CODES)
        occupation, level, on = rng.choice(OCCUPATIONS), rng.choices((1, 2, 3, 4, 5), weights=(1, 2, 4, 6, 8))[0], \
            clock.day(0, 280)
        for k in range(rng.choice((1, 1, 1, 2))):
            out.append(new_event(programme.CertificateIssued(
                certificate_id=f"cert-{n}-{k}", person_ref=ref, street_code=street, occupation_code=occupation,
                level=level, issued_on=(START + timedelta(days=on)).date(), programme_code="skills_training"),
                source="/services/programmes", time=clock.at(on + rng.choice((0, 0, 2, 7)))))
            if rng.random() < 0.5:
                occupation = rng.choice(OCCUPATIONS)
            else:
                level = max(1, level - 1)
            on += rng.randint(0, 60)
    return out


def _programme_events(rng: random.Random, clock: _Clock, count: int) -> list[CloudEvent]:
    """Courses with enrolments and completions, 创业担保贷款, 创业补贴 with payments, 见习 / 实习 / 公益性岗位
    placements (some ended, some trainees kept) and 政策找人 matches and refusals. Many are recorded a
    few days after they happened (their date field is earlier than the event), some across a month's
    end, so the facts' own dates are exercised."""
    out: list[CloudEvent[Any]] = []
    source, version = "/services/programmes", "2026.2"

    def add(data: EventData, at: datetime) -> None:
        out.append(new_event(data, source=source, time=at))

    for n in range(count):
        street, ref, employer = rng.choice(STREET_CODES), person_ref(1000 + n), credit_code(500 + n % 20)
        t = clock.at(clock.day(30, 290))
        happened = t.date() - timedelta(days=rng.choice((0, 0, 1, 3, 9)))
        code = rng.choice(("malanhua_training", "skills_training"))
        course = f"course-{n % 12}"
        add(programme.Enrolled(enrolment_id=f"enr-{n}", course_id=course, programme_code=code, person_ref=ref,
                               street_code=street, enrolled_on=happened - timedelta(days=20)), t - timedelta(days=20))
        if rng.random() < 0.8:
            add(programme.Completed(enrolment_id=f"enr-{n}", course_id=course, programme_code=code, person_ref=ref,
                                    street_code=street, completed_on=happened, certificate=rng.random() < 0.7), t)
        match n % 5:
            case 0:
                add(programme.LoanIssued(loan_id=f"loan-{n}", programme_code="startup_loan", street_code=street,
                                         person_ref=ref, amount_yuan=rng.choice((50_000, 100_000, 200_000)),
                                         term_months=24, interest_subsidy_yuan=3_000, issued_on=happened,
                                         rule_version=version), t + timedelta(hours=1))
            case 1:
                amount = rng.choice((3_000, 5_000, 10_000))
                add(programme.Granted(grant_id=f"grant-{n}", programme_code="startup_subsidy", street_code=street,
                                      employer_ref=employer, kind="premises", amount_yuan=amount, granted_on=happened,
                                      rule_version=version), t + timedelta(hours=1))
                add(programme.Paid(payment_id=f"pay-{n}", grant_id=f"grant-{n}", programme_code="startup_subsidy",
                                   street_code=street, employer_ref=employer, amount_yuan=amount // 2,
                                   paid_on=happened + timedelta(days=1), rule_version=version), t + timedelta(days=2))
            case 2 | 3:
                kind = ("traineeship", "internship", "public_welfare_post")[n % 3]
                add(programme.PlacementStarted(placement_id=f"pl-{n}", programme_code=kind, person_ref=ref,
                                               employer_ref=employer, street_code=street, starts_on=happened,
                                               school="天津职业大学" if kind == "internship" else None),
                    t + timedelta(hours=2))
                if rng.random() < 0.6:
                    ended = t + timedelta(days=rng.randint(20, 60))
                    add(programme.PlacementEnded(placement_id=f"pl-{n}", programme_code=kind, person_ref=ref,
                                                 employer_ref=employer, street_code=street, ended_on=ended.date(),
                                                 retained_after=rng.random() < 0.5 if kind == "traineeship" else None),
                        ended)
            case _:
                add(programme.Eligible(person_ref=ref, programme_code="flexible_social_insurance",
                                       programme_name="灵活就业社保补贴", street_code=street, rule_version=version,
                                       clauses=[programme.ClauseMet(clause="灵活就业", fact="employment_form",
                                                                    value="flexible")],
                                       cause_event_id=f"cause-{n}"), t)
                if rng.random() < 0.3:
                    add(programme.Refused(refusal_id=f"ref-{n}", person_ref=ref,
                                          programme_code="flexible_social_insurance", street_code=street,
                                          reason=rng.choice(list(RefusalReason)), refused_on=t.date()),
                        t + timedelta(days=1))
    return out


def _incubator_events(rng: random.Random, clock: _Clock, count: int) -> list[CloudEvent]:
    """创业孵化基地: bases first recognised at any level, some raised later (区级 → 市级, 市级 → 国家级,
    区级 → 国家级), each incubating firms that report jobs and some leave. Some events are recorded days
    after the day they name, so the figures must count each on its own day."""
    out: list[CloudEvent[Any]] = []
    source = "/services/programmes"
    levels = (IncubatorLevel.DISTRICT, IncubatorLevel.MUNICIPAL, IncubatorLevel.NATIONAL)

    def add(data: EventData, on: int) -> None:
        out.append(new_event(data, source=source, time=clock.at(on + rng.choice((0, 0, 0, 2, 6)))))

    for n in range(count):
        base, street = f"inc-{n:03d}", rng.choice(STREET_CODES)
        level, on = rng.choices(levels, weights=(6, 3, 1))[0], clock.day(0, 200)
        add(programme.IncubatorRecognised(incubator_id=base, street_code=street, level=level,
                                          recognised_on=(START + timedelta(days=on)).date()), on)
        if level is not IncubatorLevel.NATIONAL and rng.random() < 0.5:
            higher, previous = rng.choice([lv for lv in levels if lv.rank > level.rank]), level
            later = on + rng.randint(0, 80)  # the same day, too
            add(programme.IncubatorRecognised(incubator_id=base, street_code=street, level=higher,
                                              previous_level=previous,
                                              recognised_on=(START + timedelta(days=later)).date()), later)
        for k in range(rng.randint(0, 4)):
            stay, firm, entered = f"icb-{n:03d}-{k}", credit_code(9000 + 10 * n + k), clock.day(0, 240)
            common = {"incubation_id": stay, "incubator_id": base, "employer_ref": firm, "street_code": street}
            add(programme.IncubateeEntered(**common, entered_on=(START + timedelta(days=entered)).date()), entered)
            reported = entered
            for r in range(rng.randint(0, 3)):
                reported += rng.randint(0, 30)
                add(programme.IncubateeJobsReported(**common, report_id=f"{stay}-jobs-{r}",
                                                    headcount=rng.randint(1, 12),
                                                    reported_on=(START + timedelta(days=reported)).date()), reported)
            if rng.random() < 0.3:
                left = reported + rng.randint(0, 20)
                add(programme.IncubateeLeft(**common, left_on=(START + timedelta(days=left)).date()), left)
    return out


def _person_community_codes(rng: random.Random, street: str) -> tuple[str | None, str | None]:
    """(code on the registration, code on the later status events) of one person of the 街镇: one of
    its four demo communities (codes 901–904, as the households')."""
    code = f"{street}90{rng.randint(1, 4)}"
    roll = rng.random()
    if roll < 0.1:
        return None, None
    if roll < 0.2:
        return None, code
    return code, code


def _certification_events(rng: random.Random) -> list[CloudEvent]:
    """充分就业社区 certifications recorded in 2026, for 2025 and 2026, each level after the one below it
    (as the registration service allows): 2025: 12 区级, 3 市级; 2026: 8 区级 more, 2 市级, 1 国家级 (one of
    2025's 市级). Codes of the demo communities (901–904 of each 街镇)."""
    codes = rng.sample([f"{street}90{k}" for street in STREET_CODES for k in range(1, 5)], 20)
    plan = [(code, CertificationLevel.DISTRICT, 2025) for code in codes[:12]]
    plan += [(code, CertificationLevel.MUNICIPAL, 2025) for code in codes[:3]]
    plan += [(code, CertificationLevel.DISTRICT, 2026) for code in codes[12:]]
    plan += [(code, CertificationLevel.MUNICIPAL, 2026) for code in codes[3:5]]
    plan += [(codes[0], CertificationLevel.NATIONAL, 2026)]
    out: list[CloudEvent[Any]] = []
    for n, (code, level, year) in enumerate(plan):  # in this order: a level after the one below it
        at = datetime(2026, 2, 1, 10, tzinfo=SHANGHAI) + timedelta(days=7 * n)
        out.append(new_event(community.CommunityCertified(
            certification_id=f"cert-{n:03d}", community_code=code, street_code=code[:9], level=level, year=year,
            certified_on=at.date()), source="/services/registration", time=at))
    return out


def _household_events(rng: random.Random, clock: _Clock, count: int) -> list[CloudEvent]:
    """零就业家庭 identified and cleared, in four communities of most 街镇 (three have none): most cleared
    after days or weeks (some the same day, some across a month's end), some identified again after a
    clearing (on the very day of it, too), some still 零就业 at the end of the set. Each household's
    events follow one another in time, as the registration service derives them."""
    out: list[CloudEvent[Any]] = []
    source = "/services/registration"
    for n in range(count):
        street = STREET_CODES[(n * 5) % 9]
        fields: dict[str, Any] = {"household_ref": f"hh-{n:04d}", "street_code": street,
                                  "community_code": f"{street}90{1 + n % 4}",
                  "community": f"示例社区{1 + n % 4}", "members": rng.randint(1, 5)}
        seekers = [person_ref(5000 + 10 * n + k) for k in range(rng.randint(1, 2))]
        offset, last = clock.day(0, 200), START
        for _ in range(rng.choice((1, 1, 1, 2, 3))):
            last = max(clock.at(offset), last + timedelta(minutes=1))
            on = last.astimezone(SHANGHAI).date()
            out.append(new_event(household.ZeroEmploymentIdentified(**fields, identified_on=on,
                                                                    seeking_members=seekers),
                                 source=source, time=last))
            days = rng.choice((0, 1, 3, 7, 12, 20, 30, 45, 90))
            if rng.random() < 0.2 or offset + days > 290:  # still 零就业 at the end of the set
                break
            last = max(clock.at(offset + days), last + timedelta(minutes=1))
            reason = rng.choice(list(ZeroEmploymentClearReason))
            out.append(new_event(household.ZeroEmploymentCleared(
                **fields, identified_on=on, cleared_on=last.astimezone(SHANGHAI).date(), reason=reason,
                employed_person_ref=seekers[0] if reason is ZeroEmploymentClearReason.EMPLOYMENT else None),
                source=source, time=last))
            offset += days + rng.choice((0, 5, 30))
    return out


def _enterprise_events(rng: random.Random, clock: _Clock, count: int) -> list[CloudEvent]:
    """Key enterprises put on the register (some of them moved to another officer later), each with
    ledger issues — closed in time, closed late, still open (some past their due day, some due on
    the set's last days) — and shortages by occupation, some closed (the same day, too, or across a
    month's end); and monitored enterprises enrolled with their baseline. Each item's events follow
    one another in time, and the recording of a fact may lag its own date by a few days."""
    out: list[CloudEvent[Any]] = []
    source = "/services/vacancies"
    occupations = ("6-18-01-01", "6-18-02", "4-01-02-01", "2-02-07-04", "6-28")

    def add(data: EventData, at: datetime) -> None:
        out.append(new_event(data, source=source, time=at))

    for n in range(count):
        street, employer = STREET_CODES[(n * 7) % 11], credit_code(700 + n)
        base = {"employer_ref": employer, "street_code": street}
        industry = _industry(rng)
        offset = clock.day(0, 120)
        t = clock.at(offset)
        enrolled = t.date() - timedelta(days=rng.choice((0, 0, 2)))
        if n % 4 == 3:  # a monitored enterprise only
            add(enterprise.MonitoringEnrolled(**base, industry=industry, baseline_headcount=rng.randint(20, 400),
                                              enrolled_on=enrolled), t)
            continue
        add(enterprise.KeyEnterpriseRegistered(**base, industry=industry, officer_id=f"off-{n % 6}",
                                               enrolled_on=enrolled), t)
        if rng.random() < 0.3:  # another officer: the register still holds the enterprise once
            add(enterprise.KeyEnterpriseRegistered(**base, industry=industry, officer_id=f"off-{(n + 1) % 6}",
                                                   enrolled_on=enrolled), clock.at(offset + rng.randint(1, 90)))
        for k in range(rng.randint(0, 3)):
            opened_at = clock.at(offset + rng.randint(1, 170))
            opened = opened_at.date() - timedelta(days=rng.choice((0, 0, 1, 4)))
            due = opened + timedelta(days=rng.choice((0, 7, 15, 30)))
            issue: dict[str, Any] = {**base, "issue_id": f"iss-{n}-{k}", "kind": rng.choice(list(EnterpriseIssueKind)),
                     "opened_on": opened, "due_on": due}
            add(enterprise.IssueOpened(**issue), opened_at)
            if rng.random() < 0.7:
                closed = opened + timedelta(days=rng.choice((0, 3, 10, 20, 40, 60)))
                add(enterprise.IssueClosed(**issue, closed_on=closed),
                    max(opened_at + timedelta(minutes=1), clock.at((closed - START.date()).days)))
        for k in range(rng.randint(0, 2)):
            reported_at = clock.at(offset + rng.randint(1, 170))
            reported = reported_at.date() - timedelta(days=rng.choice((0, 0, 3)))
            shortage: dict[str, Any] = {
                **base, "shortage_id": f"sh-{n}-{k}", "industry": industry, "occupation_code": rng.choice(occupations),
                "headcount": rng.choice((1, 3, 5, 12, 30)), "reported_on": reported}
            add(enterprise.ShortageReported(**shortage), reported_at)
            if rng.random() < 0.6:
                closed = reported + timedelta(days=rng.choice((0, 14, 31, 75)))
                add(enterprise.ShortageClosed(**shortage, closed_on=closed),
                    max(reported_at + timedelta(minutes=1), clock.at((closed - START.date()).days)))
    return out

"""One valid ``data`` instance per event type, shared by the envelope and export tests."""

from __future__ import annotations

from datetime import date, datetime

from schemas.events.alert import AlertAcknowledged, AlertRaised, AlertResolved, AlertUpdated
from schemas.events.base import EventData
from schemas.events.community import CommunityCertified
from schemas.events.deadletter import DeadletterRecorded
from schemas.events.enterprise import (
    IssueClosed,
    IssueOpened,
    KeyEnterpriseRegistered,
    MonitoringEnrolled,
    ShortageClosed,
    ShortageReported,
)
from schemas.events.household import ZeroEmploymentCleared, ZeroEmploymentIdentified
from schemas.events.layoff import HeadcountReported, LayoffReported, assess_layoff
from schemas.events.programme import (
    CertificateIssued,
    ClauseMet,
    Completed,
    CourseOpened,
    Eligible,
    Enrolled,
    Granted,
    IncubateeEntered,
    IncubateeJobsReported,
    IncubateeLeft,
    IncubatorRecognised,
    LoanIssued,
    Paid,
    PlacementEnded,
    PlacementStarted,
    Refused,
)
from schemas.events.referral import (
    CaseClosed,
    CaseContacted,
    CaseDispatched,
    CaseSlaBreached,
    ReferralMade,
    ReferralOutcome,
)
from schemas.events.registration import (
    EmploymentRegistered,
    FollowupRecorded,
    HardshipCertified,
    JobseekerRegistered,
    RegistrationClosed,
    UnemploymentRegistered,
)
from schemas.events.statistics import SurveyRateReported
from schemas.events.vacancy import (
    EmployerRegistered,
    FlagReason,
    RecruitmentApplicationDecided,
    RecruitmentApplicationReceived,
    RecruitmentSessionEnded,
    RecruitmentSessionScheduled,
    RecruitmentSessionStarted,
    RecruitmentViewersSampled,
    VacancyClosed,
    VacancyFilled,
    VacancyFlagged,
    VacancyPosted,
    VacancyUpdated,
)
from schemas.fields import SHANGHAI, Industry, Skill
from schemas.vocab import (
    AlertLevel,
    AlertSource,
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
    ReferralResult,
    RefusalReason,
    RegistrationKind,
    RegistrationPlace,
    ScopeKind,
    SessionKind,
    SessionSource,
    SlaKind,
    UnemploymentReason,
    VacancyCloseReason,
    VacancyKind,
    ZeroEmploymentClearReason,
)

PERSON = "3f" * 32
STREET = "120111101"  # 杨柳青镇
EMPLOYER = "91350100M000100Y43"  # the example code printed in GB 32100
MANUFACTURING = Industry(section=IndustrySection.C, division="36")
AT = datetime(2025, 3, 3, 9, 30, tzinfo=SHANGHAI)
PERSON_FIELDS = {"person_ref": PERSON, "street_code": STREET, "key_groups": [KeyGroup.REGISTERED_UNEMPLOYED]}
HOUSEHOLD_FIELDS = {"household_ref": "hh-0001", "street_code": STREET, "community_code": "120111101901",
                    "community": "杨柳东村", "members": 3}
CASE_FIELDS = {"case_id": "case-0001", "station_code": "120111101001", "street_code": STREET}
ALERT_FIELDS = {
    "alert_id": "alert-0001",
    "level": AlertLevel.ORANGE,
    "scope_kind": ScopeKind.STREET,
    "scope_code": STREET,
    "signal": "registration_surge",
    "value": 42.0,
    "threshold": 30.0,
    "window": "30d",
    "source": AlertSource.GRAFANA,
    "fingerprint": "a1b2c3d4e5f60718",
}
LAYOFF = assess_layoff(
    staff_count=320, planned_cuts=40, notified_on=date(2025, 3, 1), planned_on=date(2025, 3, 20)
)
POSTING = {
    "vacancy_id": "vac-0001",
    "employer_ref": EMPLOYER,
    "title": "汽车零部件装配工",
    "industry": MANUFACTURING,
    "street_code": STREET,
    "kind": VacancyKind.REGULAR,
    "headcount": 5,
    "salary_min": 5000,
    "salary_max": 7000,
    "education_required": Education.JUNIOR_HIGH,
    "skills_required": [Skill(name="钳工", level=2)],
    "age_min": 18,
    "age_max": 50,
    "valid_from": date(2025, 3, 1),
    "valid_until": date(2025, 5, 31),
}

ISSUE_FIELDS = {"employer_ref": EMPLOYER, "street_code": STREET, "issue_id": "issue-0001",
                "kind": EnterpriseIssueKind.SHORTAGE, "opened_on": date(2025, 3, 3), "due_on": date(2025, 3, 31)}
SHORTAGE_FIELDS = {"employer_ref": EMPLOYER, "street_code": STREET, "shortage_id": "shortage-0001",
                   "industry": MANUFACTURING, "occupation_code": "6-18-01-01", "headcount": 12,
                   "reported_on": date(2025, 3, 3)}

SAMPLES: list[EventData] = [
    KeyEnterpriseRegistered(employer_ref=EMPLOYER, street_code=STREET, industry=MANUFACTURING,
                            officer_id="officer-007", enrolled_on=date(2025, 3, 1)),
    IssueOpened(**ISSUE_FIELDS),
    IssueClosed(**ISSUE_FIELDS, closed_on=date(2025, 4, 2)),
    ShortageReported(**SHORTAGE_FIELDS),
    ShortageClosed(**SHORTAGE_FIELDS, closed_on=date(2025, 4, 1)),
    MonitoringEnrolled(employer_ref=EMPLOYER, street_code=STREET, industry=MANUFACTURING, baseline_headcount=180,
                       enrolled_on=date(2025, 1, 1)),
    JobseekerRegistered(
        **PERSON_FIELDS,
        community="柳口路社区",
        age=24,
        gender=Gender.FEMALE,
        education=Education.UNDERGRADUATE,
        skills=[Skill(name="会计", level=2)],
        desired_industry=IndustrySection.J,
        desired_salary_min=4500,
        desired_salary_max=6500,
        registered_on=date(2025, 3, 1),
        graduation_year=2024,
    ),
    UnemploymentRegistered(
        **PERSON_FIELDS,
        unemployed_since=date(2025, 1, 15),
        reason=UnemploymentReason.CONTRACT_ENDED,
        registered_on=date(2025, 2, 1),
        registration_place=RegistrationPlace.RESIDENCE,
    ),
    EmploymentRegistered(
        **PERSON_FIELDS,
        form=EmploymentForm.EMPLOYED,
        employer_ref=EMPLOYER,
        industry=MANUFACTURING,
        employed_on=date(2025, 3, 20),
        vacancy_id="vac-0001",
        case_id="case-0001",
        was_registered_unemployed=True,
        unemployed_since=date(2025, 1, 15),
    ),
    FollowupRecorded(
        **PERSON_FIELDS,
        channel=ContactChannel.PHONE,
        outcome=FollowupOutcome.STILL_UNEMPLOYED,
        followed_up_on=date(2025, 3, 2),
    ),
    HardshipCertified(
        **PERSON_FIELDS,
        categories=[HardshipCategory.AGE_4050],
        certified_on=date(2025, 2, 10),
    ),
    RegistrationClosed(
        **PERSON_FIELDS,
        registration=RegistrationKind.UNEMPLOYMENT,
        reason=ClosureReason.EMPLOYED,
        closed_on=date(2025, 3, 20),
    ),
    EmployerRegistered(employer_ref=EMPLOYER, industry=MANUFACTURING, street_code=STREET, staff_count=320),
    VacancyPosted(**POSTING),
    VacancyUpdated(**{**POSTING, "headcount": 8, "education_required": None}),
    VacancyFilled(
        vacancy_id="vac-0001",
        street_code=STREET,
        kind=VacancyKind.REGULAR,
        filled_count=1,
        remaining=7,
        fully_filled=False,
        person_ref=PERSON,
    ),
    VacancyClosed(vacancy_id="vac-0001", reason=VacancyCloseReason.EXPIRED, closed_on=date(2025, 6, 1)),
    VacancyFlagged(
        vacancy_id="vac-0002",
        employer_ref=EMPLOYER,
        street_code=STREET,
        reasons=[FlagReason(category=FlagCategory.GENDER, explanation="岗位要求中含有性别限制")],
    ),
    RecruitmentSessionScheduled(
        session_id="live-20250303",
        kind=SessionKind.LIVESTREAM,
        street_code=STREET,
        scheduled_at=AT,
        vacancy_ids=["vac-0001"],
    ),
    RecruitmentSessionStarted(
        session_id="live-20250303", kind=SessionKind.LIVESTREAM, street_code=STREET, started_at=AT
    ),
    RecruitmentSessionEnded(
        session_id="live-20250303",
        kind=SessionKind.LIVESTREAM,
        street_code=STREET,
        ended_at=datetime(2025, 3, 3, 11, 0, tzinfo=SHANGHAI),
        vacancy_ids=["vac-0001"],
        viewers=1350,
        applications=46,
        hires=3,
        source=SessionSource.LIVE,
    ),
    RecruitmentViewersSampled(
        session_id="live-20250303", kind=SessionKind.LIVESTREAM, street_code=STREET, sampled_at=AT, viewers=812
    ),
    RecruitmentApplicationReceived(
        session_id="live-20250303", kind=SessionKind.LIVESTREAM, street_code=STREET, application_id="app-0001",
        vacancy_id="vac-0001", person_ref=PERSON, applied_at=AT,
    ),
    RecruitmentApplicationDecided(
        session_id="live-20250303", kind=SessionKind.LIVESTREAM, street_code=STREET, application_id="app-0001",
        vacancy_id="vac-0001", person_ref=PERSON, hired=True, decided_at=datetime(2025, 3, 5, 14, 0, tzinfo=SHANGHAI),
    ),
    LayoffReported(
        report_id="lr-0001",
        employer_ref=EMPLOYER,
        industry=MANUFACTURING,
        street_code=STREET,
        staff_count=320,
        planned_cuts=40,
        reason=LayoffReason.SERIOUS_DIFFICULTY,
        notified_on=date(2025, 3, 1),
        planned_on=date(2025, 3, 20),
        is_mass_layoff=LAYOFF.is_mass,
        notice_days=LAYOFF.notice_days,
        notice_compliant=LAYOFF.compliant,
    ),
    HeadcountReported(
        report_id="hc-2025-02",
        employer_ref=EMPLOYER,
        month="2025-02",
        industry=MANUFACTURING,
        street_code=STREET,
        baseline_headcount=320,
        current_headcount=300,
        decreases={DecreaseType.RESIGNATION: 12, DecreaseType.CONTRACT_END: 8},
    ),
    CaseDispatched(
        **CASE_FIELDS,
        origin=CaseOrigin.PERSON,
        person_ref=PERSON,
        contact_due_at=datetime(2025, 3, 3, 23, 59, 59, tzinfo=SHANGHAI),
        referral_due_at=datetime(2025, 3, 6, 23, 59, 59, tzinfo=SHANGHAI),
    ),
    CaseContacted(**CASE_FIELDS, contacted_at=AT, channel=ContactChannel.PHONE, on_time=True),
    ReferralMade(
        **CASE_FIELDS,
        referral_id="ref-0001",
        person_ref=PERSON,
        vacancy_id="vac-0001",
        direction=ReferralDirection.PERSON_TO_JOB,
        score=0.82,
        breakdown={"skills": 0.9, "education": 1.0, "salary": 0.6},
        on_time=True,
    ),
    ReferralOutcome(
        **CASE_FIELDS,
        referral_id="ref-0001",
        person_ref=PERSON,
        vacancy_id="vac-0001",
        outcome=ReferralResult.HIRED,
        outcome_on=date(2025, 3, 18),
    ),
    CaseSlaBreached(
        **CASE_FIELDS, sla=SlaKind.REFERRAL, due_at=datetime(2025, 3, 6, 23, 59, 59, tzinfo=SHANGHAI)
    ),
    CaseClosed(**CASE_FIELDS, reason=CaseCloseReason.RESOLVED, closed_on=date(2025, 3, 20)),
    AlertRaised(**ALERT_FIELDS),
    AlertUpdated(**{**ALERT_FIELDS, "level": AlertLevel.RED, "value": 55.0}),
    AlertAcknowledged(**ALERT_FIELDS),
    AlertResolved(**{**ALERT_FIELDS, "value": 12.0}),
    ZeroEmploymentIdentified(**HOUSEHOLD_FIELDS, identified_on=date(2025, 3, 3), seeking_members=[PERSON]),
    ZeroEmploymentCleared(**HOUSEHOLD_FIELDS, identified_on=date(2025, 3, 3), cleared_on=date(2025, 4, 1),
                          reason=ZeroEmploymentClearReason.EMPLOYMENT, employed_person_ref=PERSON),
    CommunityCertified(certification_id="cert-0001", community_code=f"{STREET}901", street_code=STREET,
                       level=CertificationLevel.DISTRICT, year=2025, certified_on=date(2025, 3, 20)),
    SurveyRateReported(
        period="2025-02", rate_percent=5.3, published_on=date(2025, 3, 17), source="国家统计局天津调查总队"
    ),
    CourseOpened(course_id="crs-0001", programme_code="malanhua_training", street_code=STREET,
                 starts_on=date(2025, 3, 3), ends_on=date(2025, 3, 14), capacity=30),
    Enrolled(enrolment_id="enr-0001", course_id="crs-0001", programme_code="malanhua_training", person_ref=PERSON,
             street_code=STREET, enrolled_on=date(2025, 3, 1)),
    Completed(enrolment_id="enr-0001", course_id="crs-0001", programme_code="malanhua_training", person_ref=PERSON,
              street_code=STREET, completed_on=date(2025, 3, 14), certificate=True),
    LoanIssued(loan_id="loan-0001", programme_code="startup_loan", employer_ref=EMPLOYER, street_code=STREET,
               amount_yuan=500_000, term_months=24, interest_subsidy_yuan=18_000, issued_on=date(2025, 3, 20),
               rule_version="2026.1"),
    Granted(grant_id="grt-0001", programme_code="malanhua_training", person_ref=PERSON, street_code=STREET,
            amount_yuan=500, granted_on=date(2025, 3, 14), rule_version="2026.1", enrolment_id="enr-0001"),
    Paid(payment_id="pay-0001", grant_id="grt-0001", programme_code="malanhua_training", person_ref=PERSON,
         street_code=STREET, amount_yuan=500, paid_on=date(2025, 3, 14), rule_version="2026.1"),
    PlacementStarted(placement_id="plc-0001", programme_code="traineeship", person_ref=PERSON, employer_ref=EMPLOYER,
                     street_code=STREET, vacancy_id="vac-0001", starts_on=date(2025, 3, 1), ends_on=date(2025, 8, 31)),
    PlacementEnded(placement_id="plc-0001", programme_code="traineeship", person_ref=PERSON, employer_ref=EMPLOYER,
                   street_code=STREET, ended_on=date(2025, 8, 31), retained_after=True),
    Eligible(person_ref=PERSON, programme_code="flexible_social_insurance", programme_name="灵活就业社保补贴",
             street_code=STREET, rule_version="2026.1",
             clauses=[ClauseMet(clause="重点群体包含就业困难人员", fact="key_groups", value=["hardship"]),
                      ClauseMet(clause="就业形式为灵活就业", fact="employment_form", value="flexible")],
             cause_event_id="0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"),
    Refused(refusal_id="ref-0001", person_ref=PERSON, programme_code="flexible_social_insurance", street_code=STREET,
            reason=RefusalReason.DECLINED, refused_on=date(2025, 9, 1)),
    IncubatorRecognised(incubator_id="inc-0001", street_code=STREET, level=IncubatorLevel.MUNICIPAL,
                        previous_level=IncubatorLevel.DISTRICT, recognised_on=date(2025, 6, 1)),
    IncubateeEntered(incubation_id="icb-0001", incubator_id="inc-0001", employer_ref=EMPLOYER, street_code=STREET,
                     entered_on=date(2025, 6, 10)),
    IncubateeJobsReported(report_id="job-0001", incubation_id="icb-0001", incubator_id="inc-0001",
                          employer_ref=EMPLOYER, street_code=STREET, headcount=6, reported_on=date(2025, 9, 30)),
    IncubateeLeft(incubation_id="icb-0001", incubator_id="inc-0001", employer_ref=EMPLOYER, street_code=STREET,
                  left_on=date(2026, 6, 9)),
    CertificateIssued(certificate_id="crt-0001", person_ref=PERSON, street_code=STREET, occupation_code="6-18-01-01",
                      level=4, issued_on=date(2025, 4, 1), programme_code="skills_training", enrolment_id="enr-0001"),
    DeadletterRecorded.for_message(
        topic="leye.registration",
        partition=2,
        offset=1017,
        key=PERSON.encode(),
        payload=b'{"specversion":"1.0","type":"cn.xiqing.leye.nothing.v1"}',
        reason_code="unknown_type",
        reason_message="unknown event type",
        consumer="monitoring",
    ),
]

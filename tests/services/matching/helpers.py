"""Event builders for the matching tests (valid contract events, no personal data)."""

from __future__ import annotations

from datetime import date, timedelta

from schemas import new_event
from schemas.events.layoff import LayoffReported, assess_layoff
from schemas.events.registration import JobseekerRegistered
from schemas.events.vacancy import VacancyFilled, VacancyPosted
from schemas.fields import Industry, Skill
from schemas.ids import credit_code_check_char
from schemas.vocab import Education, Gender, IndustrySection, KeyGroup, LayoffReason, VacancyKind


def credit_code(n: int) -> str:
    first17 = f"91120111MA{n:07d}"
    return first17 + credit_code_check_char(first17)


def jobseeker(person_ref: str, street: str, community: str | None = None, *, education=Education.SENIOR_HIGH,
              skills: dict[str, int] | None = None, age: int = 30):
    return new_event(JobseekerRegistered(
        person_ref=person_ref, street_code=street, key_groups=[KeyGroup.RESIDENT], community=community,
        gender=Gender.MALE, age=age, education=education,
        skills=[Skill(name=n, level=lv) for n, lv in (skills if skills is not None else {"电工": 3}).items()],
        desired_industry=IndustrySection.C, desired_salary_min=5000, desired_salary_max=8000,
        registered_on=date.today(),
    ), source="/services/registration")


def posted(vacancy_id: str, street: str, employer: str, *, skills: dict[str, int] | None = None):
    return new_event(VacancyPosted(
        vacancy_id=vacancy_id, employer_ref=employer, title="电工", industry=Industry(section=IndustrySection.C),
        street_code=street, kind=VacancyKind.REGULAR, headcount=2, salary_min=5000, salary_max=7000,
        education_required=Education.SENIOR_HIGH,
        skills_required=[Skill(name=n, level=lv) for n, lv in (skills if skills is not None else {"电工": 3}).items()],
        age_min=18, age_max=50, valid_from=date.today(), valid_until=date.today() + timedelta(days=30),
    ), source="/services/vacancies")


def filled(vacancy_id: str, street: str):
    return new_event(VacancyFilled(vacancy_id=vacancy_id, street_code=street, kind=VacancyKind.REGULAR,
                                   filled_count=2, remaining=0, fully_filled=True), source="/services/vacancies")


def mass_layoff(employer: str, street: str):
    notified, planned = date.today(), date.today() + timedelta(days=40)
    assessment = assess_layoff(100, 30, notified, planned)
    return new_event(LayoffReported(
        report_id=f"r-{employer}", employer_ref=employer, industry=Industry(section=IndustrySection.C),
        street_code=street, staff_count=100, planned_cuts=30, reason=LayoffReason.SERIOUS_DIFFICULTY,
        notified_on=notified, planned_on=planned, is_mass_layoff=assessment.is_mass,
        notice_days=assessment.notice_days, notice_compliant=assessment.compliant,
    ), source="/services/vacancies")


def id_number(sequence: int, born: date = date(1990, 5, 17)) -> str:
    """A valid GB 11643 number (check character computed), for the registration service's API."""
    first17 = f"120111{born:%Y%m%d}{sequence % 1000:03d}"
    total = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(first17))
    return first17 + "10X98765432"[total % 11]

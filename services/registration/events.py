"""Events this service publishes on ``leye.registration``, built from a person row, and on
``leye.household``, built from a household row.

Only ``person_ref`` and non-identifying attributes go in: name, ID number and phone stay encrypted in
the database. Every event carries the person's 街镇 and a snapshot of their key groups.
"""

from __future__ import annotations

from datetime import date

from schemas import CloudEvent, new_event
from schemas.events.community import CommunityCertified
from schemas.events.household import ZeroEmploymentCleared, ZeroEmploymentIdentified
from schemas.events.registration import (
    EmploymentRegistered,
    FollowupRecorded,
    HardshipCertified,
    JobseekerRegistered,
    RegistrationClosed,
    UnemploymentRegistered,
)
from schemas.fields import Industry, Skill
from schemas.vocab import (
    CertificationLevel,
    ClosureReason,
    ContactChannel,
    Education,
    EmploymentForm,
    FollowupOutcome,
    Gender,
    HardshipCategory,
    IndustrySection,
    KeyGroup,
    RegistrationKind,
    RegistrationPlace,
    UnemploymentReason,
    ZeroEmploymentClearReason,
)

from .store import CommunityCertification, Employment, Followup, Household, Person

SOURCE = "/services/registration"


def _groups(groups: set[KeyGroup]) -> list[KeyGroup]:
    return sorted(groups, key=lambda g: g.value)


def jobseeker_registered(person: Person) -> CloudEvent:
    return new_event(JobseekerRegistered(
        person_ref=person.person_ref, street_code=person.street_code, key_groups=_groups(person.key_groups),
        community=person.community, community_code=person.community_code, gender=Gender(person.gender),
        age=person.age,
        education=Education(person.education),
        skills=[Skill(name=s["name"], level=s["level"]) for s in person.skills],
        desired_industry=IndustrySection(person.desired_industry) if person.desired_industry else None,
        desired_salary_min=person.desired_salary_min, desired_salary_max=person.desired_salary_max,
        registered_on=person.registered_on, graduation_year=person.graduation_year,
    ), source=SOURCE)


def unemployment_registered(person: Person, reason: UnemploymentReason, place: RegistrationPlace) -> CloudEvent:
    assert person.unemployed_since is not None and person.unemployment_registered_on is not None
    return new_event(UnemploymentRegistered(
        person_ref=person.person_ref, street_code=person.street_code, key_groups=_groups(person.key_groups),
        community_code=person.community_code, unemployed_since=person.unemployed_since, reason=reason,
        registered_on=person.unemployment_registered_on, registration_place=place,
    ), source=SOURCE)


def employment_registered(person: Person, job: Employment, unemployed_since: date | None) -> CloudEvent:
    industry = (Industry(section=IndustrySection(job.industry_section), division=job.industry_division)
                if job.industry_section else None)
    return new_event(EmploymentRegistered(
        person_ref=person.person_ref, street_code=person.street_code, key_groups=_groups(person.key_groups),
        community_code=person.community_code, form=EmploymentForm(job.form), employer_ref=job.employer_ref,
        industry=industry,
        employed_on=job.employed_on, vacancy_id=job.vacancy_id, case_id=job.case_id,
        was_registered_unemployed=unemployed_since is not None, unemployed_since=unemployed_since,
    ), source=SOURCE)


def followup_recorded(person: Person, followup: Followup) -> CloudEvent:
    return new_event(FollowupRecorded(
        person_ref=person.person_ref, street_code=person.street_code, key_groups=_groups(person.key_groups),
        channel=ContactChannel(followup.channel), outcome=FollowupOutcome(followup.outcome),
        followed_up_on=followup.followed_up_on,
    ), source=SOURCE)


def hardship_certified(person: Person, categories: list[HardshipCategory], certified_on: date) -> CloudEvent:
    return new_event(HardshipCertified(
        person_ref=person.person_ref, street_code=person.street_code, key_groups=_groups(person.key_groups),
        categories=categories, certified_on=certified_on,
    ), source=SOURCE)


def registration_closed(person: Person, kind: RegistrationKind, reason: ClosureReason, closed_on: date) -> CloudEvent:
    return new_event(RegistrationClosed(
        person_ref=person.person_ref, street_code=person.street_code, key_groups=_groups(person.key_groups),
        community_code=person.community_code, registration=kind, reason=reason, closed_on=closed_on,
    ), source=SOURCE)


def community_certified(certification: CommunityCertification) -> CloudEvent:
    return new_event(CommunityCertified(
        certification_id=certification.certification_id, community_code=certification.community_code,
        street_code=certification.street_code, level=CertificationLevel(certification.level),
        year=certification.year, certified_on=certification.certified_on,
    ), source=SOURCE)


# --- households (leye.household) -----------------------------------------------------------------


def zero_employment_identified(household: Household, community: str, identified_on: date,
                               seeking: list[str]) -> CloudEvent:
    return new_event(ZeroEmploymentIdentified(
        household_ref=household.household_ref, street_code=household.street_code,
        community_code=household.community_code, community=community, members=len(household.members),
        identified_on=identified_on, seeking_members=seeking,
    ), source=SOURCE)


def zero_employment_cleared(household: Household, community: str, identified_on: date, cleared_on: date,
                            reason: ZeroEmploymentClearReason, employed_person_ref: str | None) -> CloudEvent:
    return new_event(ZeroEmploymentCleared(
        household_ref=household.household_ref, street_code=household.street_code,
        community_code=household.community_code, community=community, members=len(household.members),
        identified_on=identified_on, cleared_on=cleared_on, reason=reason, employed_person_ref=employed_person_ref,
    ), source=SOURCE)

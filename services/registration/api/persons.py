"""``/persons``: registration, look-up and the changes of a person's registration.

Every write checks the transition against ``domain.TRANSITIONS`` (409 when forbidden), changes the
person row and stages its event(s) in the same unit of work; a change of status also re-derives the
person's household (零就业家庭, ``households.rederive_for_person``) in that unit of work.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Path
from sqlalchemy import select

from schemas import person_ref as make_person_ref
from schemas.ids import PersonRef
from schemas.reference import Community, community_fault
from schemas.vocab import Gender, HardshipCategory, KeyGroup
from services.runtime.errors import ProblemError, validation_detail
from services.runtime.http import write_router
from services.runtime.outbox import add_event

from .. import events, households, store
from ..deps import CipherDep, CommunitiesDep, RefKeyDep, SessionDep
from ..domain import (
    Action,
    Status,
    TransitionForbidden,
    age_on,
    birth_date,
    closed_registrations,
    graduate_case_close_reason,
    groups_after,
    qualifies_4050,
)
from ..domain import next_status as domain_next_status
from ..store import Employment, Followup, Person, get_person, require_person
from .models import (
    CloseIn,
    EmploymentIn,
    FollowupIn,
    HardshipIn,
    LookupIn,
    LookupOut,
    Page,
    PersonDetail,
    PersonIn,
    PersonSummary,
    SearchIn,
    UnemploymentIn,
)

router = write_router(prefix="/persons", tags=["人员登记"])
RefPath = Annotated[PersonRef, Path(description="person_ref：身份证号码的keyed哈希")]
_CONFLICT: dict[int | str, dict[str, Any]] = {409: {"description": "当前状态不允许该操作"}}
_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "未找到该人员"}}


def next_status(current: Status | None, action: Action) -> Status:
    """``domain.next_status`` with the refusal as a 409 problem."""
    try:
        return domain_next_status(current, action)
    except TransitionForbidden as exc:
        raise ProblemError(409, "transition_forbidden", exc.detail) from None


def field_problem(field: str, message: str, kind: str) -> ProblemError:
    """A 422 naming one field, for rules that need the stored person (the body alone cannot tell)."""
    errors = [{"field": field, "message": message, "type": kind}]
    return ProblemError(422, "validation_failed", validation_detail(errors), errors=errors)


def person_community(body: PersonIn, communities: Mapping[str, Community]) -> tuple[str | None, str | None]:
    """``(community name, community code)`` of a registration. A code must be in the community list and
    in the person's 街镇 (a 422 naming the field otherwise); without a name, the list's name is taken,
    so 红娘 routing by name keeps working for callers that send the code alone."""
    if body.community_code is None:
        return body.community, None
    fault = community_fault(communities, body.community_code, body.street_code)
    if fault is not None:
        raise field_problem("body.community_code", fault[1], fault[0])
    community = communities[body.community_code]
    return body.community or community.name, community.code


def summary(person: Person) -> PersonSummary:
    graduate_case = None
    if person.graduate_case_opened_on is not None:
        graduate_case = "open" if person.graduate_case_closed_on is None else "closed"
    return PersonSummary(
        person_ref=person.person_ref, status=person.current_status, street_code=person.street_code,
        community=person.community, community_code=person.community_code, gender=person.gender, age=person.age,
        education=person.education,
        key_groups=sorted(person.key_groups, key=lambda g: g.value), registered_on=person.registered_on,
        unemployed_since=person.unemployed_since, unemployment_registered_on=person.unemployment_registered_on,
        last_followup_on=person.last_followup_on, employed_on=person.employed_on, closed_on=person.closed_on,
        graduate_case=graduate_case,
    )


@router.post("", status_code=201, summary="求职登记", response_model=PersonSummary,
             responses={409: {"description": "该人员已有未注销的登记"}})
def register(body: PersonIn, session: SessionDep, cipher: CipherDep,
             ref_key: RefKeyDep, communities: CommunitiesDep) -> PersonSummary:
    """Register a job seeker. A person whose earlier registration was closed is registered again
    (their attributes are replaced); a person with an open registration gets 409."""
    community, community_code = person_community(body, communities)  # before any change
    ref = make_person_ref(body.id_number, ref_key)
    person = get_person(session, ref)
    status = next_status(person.current_status if person else None, Action.REGISTER)
    if person is None:
        person = Person(person_ref=ref)
        session.add(person)
    person.name_enc = cipher.encrypt(body.name)
    person.id_number_enc = cipher.encrypt(body.id_number)
    person.phone_enc = cipher.encrypt(body.phone)
    person.pii_key_version = cipher.newest_version
    person.street_code, person.community, person.community_code = body.street_code, community, community_code
    person.gender, person.age, person.education = body.gender.value, body.age, body.education.value
    person.skills = [skill.model_dump() for skill in body.skills]
    person.desired_industry = body.desired_industry.value if body.desired_industry else None
    person.desired_salary_min, person.desired_salary_max = body.desired_salary_min, body.desired_salary_max
    person.graduation_year = body.graduation_year
    person.status, person.registered_on = status.value, body.registered_on
    person.unemployed_since = person.unemployment_registered_on = person.last_followup_on = None
    person.employed_on = person.closed_on = person.closure_reason = None
    person.hardship_categories, person.hardship_certified_on = [], None
    person.key_groups = set(body.key_groups)
    graduate = KeyGroup.GRADUATE_UNEMPLOYED in person.key_groups
    person.graduate_case_opened_on = body.registered_on if graduate else None
    person.graduate_case_closed_on = person.graduate_case_close_reason = None
    add_event(session, events.jobseeker_registered(person))
    households.rederive_for_person(session, person, cipher, communities, body.registered_on)
    return summary(person)


@router.post("/lookup", summary="按身份证号码查找人员", response_model=LookupOut, responses=_NOT_FOUND)
def lookup(body: LookupIn, session: SessionDep,
           ref_key: RefKeyDep) -> LookupOut:
    """The person_ref of a registered person (the ID number travels in the body, never in a URL)."""
    person = require_person(session, make_person_ref(body.id_number, ref_key))
    return LookupOut(person_ref=person.person_ref, status=person.current_status)


@router.post("/search", summary="人员查询（按街镇、重点群体、状态，或按身份证号码、姓名精确匹配）",
             response_model=Page)
def search(body: SearchIn, session: SessionDep, cipher: CipherDep, ref_key: RefKeyDep) -> Page:
    """One page of the people who match every filter given, newest registration first. Items carry
    no personal data; the gateway audits every search like every read of a person."""
    query = store.Filters(body.street_code, body.key_group, body.status).apply(
        select(Person).order_by(Person.registered_on.desc(), Person.person_ref))
    if body.id_number is not None:
        query = query.where(Person.person_ref == make_person_ref(body.id_number, ref_key))
    if body.name is None:
        total, people = store.page(session, query, body.limit, body.offset)
    else:
        # Names are encrypted with a random nonce, so the database cannot compare them: decrypt the
        # rows the other filters leave. Combine a name with a 街镇 or a status to keep that set small.
        matches = [p for p in session.scalars(query) if cipher.decrypt(p.name_enc) == body.name]
        total, people = len(matches), matches[body.offset:body.offset + body.limit]
    return Page(total=total, limit=body.limit, offset=body.offset, items=[summary(p) for p in people])


@router.get("/{person_ref}", summary="查看人员登记信息（含个人信息）", response_model=PersonDetail,
            responses=_NOT_FOUND)
def read(person_ref: RefPath, session: SessionDep, cipher: CipherDep) -> PersonDetail:
    """The person with decrypted name, ID number and phone. The gateway audits every call."""
    person = require_person(session, person_ref)
    return PersonDetail(
        **summary(person).model_dump(),
        name=cipher.decrypt(person.name_enc), id_number=cipher.decrypt(person.id_number_enc),
        phone=cipher.decrypt(person.phone_enc), skills=person.skills, desired_industry=person.desired_industry,
        desired_salary_min=person.desired_salary_min, desired_salary_max=person.desired_salary_max,
        graduation_year=person.graduation_year, hardship_categories=person.hardship_categories,
        hardship_certified_on=person.hardship_certified_on,
        graduate_case_closed_on=person.graduate_case_closed_on,
        graduate_case_close_reason=person.graduate_case_close_reason, closure_reason=person.closure_reason,
    )


@router.post("/{person_ref}/unemployment", summary="失业登记", response_model=PersonSummary,
             responses=_NOT_FOUND | _CONFLICT)
def register_unemployment(person_ref: RefPath, body: UnemploymentIn, session: SessionDep, cipher: CipherDep,
                          communities: CommunitiesDep) -> PersonSummary:
    person = require_person(session, person_ref)
    person.status = next_status(person.current_status, Action.UNEMPLOYMENT).value
    person.unemployed_since, person.unemployment_registered_on = body.unemployed_since, body.registered_on
    person.last_followup_on = person.employed_on = None
    person.key_groups = groups_after(Action.UNEMPLOYMENT, person.key_groups)
    add_event(session, events.unemployment_registered(person, body.reason, body.registration_place))
    households.rederive_for_person(session, person, cipher, communities, body.registered_on)
    return summary(person)


@router.post("/{person_ref}/employment", summary="就业登记", response_model=PersonSummary,
             responses=_NOT_FOUND | _CONFLICT)
def register_employment(person_ref: RefPath, body: EmploymentIn, session: SessionDep, cipher: CipherDep,
                        communities: CommunitiesDep) -> PersonSummary:
    person = require_person(session, person_ref)
    was_unemployed = person.current_status is Status.UNEMPLOYED
    person.status = next_status(person.current_status, Action.EMPLOYMENT).value
    unemployed_since = person.unemployed_since if was_unemployed else None
    if unemployed_since is not None and body.employed_on < unemployed_since:
        raise field_problem("body.employed_on", "就业日期不得早于失业日期", "employed_on")
    job = Employment(
        person_ref=person.person_ref, form=body.form.value, employer_ref=body.employer_ref,
        industry_section=body.industry.section.value if body.industry else None,
        industry_division=body.industry.division if body.industry else None,
        employed_on=body.employed_on, vacancy_id=body.vacancy_id, case_id=body.case_id,
    )
    session.add(job)
    person.employed_on, person.unemployed_since, person.unemployment_registered_on = body.employed_on, None, None
    person.key_groups = groups_after(Action.EMPLOYMENT, person.key_groups)
    if person.graduate_case_opened_on is not None and person.graduate_case_closed_on is None:
        person.graduate_case_closed_on = body.employed_on
        person.graduate_case_close_reason = graduate_case_close_reason(Action.EMPLOYMENT)
    add_event(session, events.employment_registered(person, job, unemployed_since))
    households.rederive_for_person(session, person, cipher, communities, body.employed_on, employed=True)
    return summary(person)


@router.post("/{person_ref}/followups", status_code=201, summary="跟踪回访登记", response_model=PersonSummary,
             responses=_NOT_FOUND | _CONFLICT)
def record_followup(person_ref: RefPath, body: FollowupIn,
                    session: SessionDep) -> PersonSummary:
    person = require_person(session, person_ref)
    next_status(person.current_status, Action.FOLLOWUP)
    followup = Followup(person_ref=person.person_ref, channel=body.channel.value, outcome=body.outcome.value,
                        followed_up_on=body.followed_up_on)
    session.add(followup)
    if person.last_followup_on is None or body.followed_up_on > person.last_followup_on:
        person.last_followup_on = body.followed_up_on
    add_event(session, events.followup_recorded(person, followup))
    return summary(person)


@router.post("/{person_ref}/hardship", summary="就业困难人员认定", response_model=PersonSummary,
             responses=_NOT_FOUND | _CONFLICT)
def certify_hardship(person_ref: RefPath, body: HardshipIn,
                     session: SessionDep, cipher: CipherDep) -> PersonSummary:
    """Certify 就业困难人员; “4050” is checked against the age on ``certified_on`` (from the ID number)."""
    person = require_person(session, person_ref)
    next_status(person.current_status, Action.HARDSHIP)
    if HardshipCategory.AGE_4050 in body.categories:
        age = age_on(birth_date(cipher.decrypt(person.id_number_enc)), body.certified_on)
        if not qualifies_4050(Gender(person.gender), age):
            raise field_problem("body.categories", "“4050”人员须为女性满40周岁或男性满50周岁", "age_4050")
    known = list(person.hardship_categories)
    person.hardship_categories = known + [c.value for c in body.categories if c.value not in known]
    person.hardship_certified_on = body.certified_on
    person.key_groups = groups_after(Action.HARDSHIP, person.key_groups, body.categories)
    add_event(session, events.hardship_certified(person, list(body.categories), body.certified_on))
    return summary(person)


@router.post("/{person_ref}/close", summary="注销登记", response_model=PersonSummary, responses=_NOT_FOUND | _CONFLICT)
def close(person_ref: RefPath, body: CloseIn, session: SessionDep, cipher: CipherDep,
          communities: CommunitiesDep) -> PersonSummary:
    """Close the person's registration(s): an unemployed person's unemployment registration and
    job-seeker registration both end, one ``registration.closed`` event each."""
    person = require_person(session, person_ref)
    previous = person.current_status
    person.status = next_status(previous, Action.CLOSE).value
    person.closed_on, person.closure_reason = body.closed_on, body.reason.value
    person.key_groups = groups_after(Action.CLOSE, person.key_groups)
    if person.graduate_case_opened_on is not None and person.graduate_case_closed_on is None:
        person.graduate_case_closed_on = body.closed_on
        person.graduate_case_close_reason = graduate_case_close_reason(Action.CLOSE, body.reason)
    for kind in closed_registrations(previous):
        add_event(session, events.registration_closed(person, kind, body.reason, body.closed_on))
    households.rederive_for_person(session, person, cipher, communities, body.closed_on)
    return summary(person)

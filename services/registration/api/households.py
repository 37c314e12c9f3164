"""``/households``: households (户), their members, and 零就业家庭 derived from them.

A household is registered with its community and at least one member; members join and leave. Every
member is a registered person (``person_ref``) in no other household. Each write re-derives
零就业家庭 (``households.rederive``) in the same unit of work, so the flip and its
``leye.household`` event commit with the change. Nothing here takes 零就业 as input.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any

import uuid_utils
from fastapi import Path
from sqlalchemy.orm import Session

from schemas.ids import EntityId, PersonRef
from schemas.reference import Community
from schemas.vocab import HouseholdRelation
from services.runtime.errors import ProblemError
from services.runtime.http import write_router

from .. import households
from ..deps import CipherDep, CommunitiesDep, SessionDep
from ..domain import Status
from ..store import Household, HouseholdMember, Person, membership, require_household
from .models import HouseholdIn, HouseholdOut, MemberIn, MemberJoinIn, MemberLeaveIn, MemberOut
from .persons import field_problem

router = write_router(prefix="/households", tags=["家庭户"])
HouseholdPath = Annotated[EntityId, Path(description="household_ref：随机生成的家庭户标识")]
MemberPath = Annotated[PersonRef, Path(description="成员的 person_ref")]
_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "未找到该户"}}


def household_out(session: Session, household: Household, communities: Mapping[str, Community]) -> HouseholdOut:
    members = []
    for member in household.members:
        person = session.get(Person, member.person_ref)
        assert person is not None  # a membership's foreign key
        members.append(MemberOut(person_ref=member.person_ref, relation=HouseholdRelation(member.relation),
                                 status=Status(person.status), joined_on=member.joined_on))
    community = communities.get(household.community_code)
    return HouseholdOut(
        household_ref=household.household_ref, community_code=household.community_code,
        community=community.name if community else household.community_code, street_code=household.street_code,
        registered_on=household.registered_on, zero_employment=household.zero_employment,
        zero_employment_since=household.zero_employment_since, members=members,
    )


def _check_members(session: Session, members: Sequence[MemberIn], prefix: str, heads_already: int = 0) -> None:
    """Each member registered, listed once, in no other household; at most one 户主. The first fault is
    a 422 naming its field; nothing is written before every member passed."""
    seen: set[str] = set()
    heads = heads_already
    for i, member in enumerate(members):
        field = f"{prefix}{i}.person_ref" if prefix else "body.person_ref"
        if member.person_ref in seen:
            raise field_problem(field, "同一人员在本户中重复列出", "member_duplicate")
        seen.add(member.person_ref)
        if session.get(Person, member.person_ref) is None:
            raise field_problem(field, "未找到该人员的登记记录", "person_not_found")
        if membership(session, member.person_ref) is not None:
            raise field_problem(field, "该人员已是另一户的成员，须先从原户迁出", "member_in_other_household")
        if member.relation is HouseholdRelation.HEAD:
            heads += 1
            if heads > 1:
                relation = f"{prefix}{i}.relation" if prefix else "body.relation"
                raise field_problem(relation, "一户只能有一名户主", "second_head")


@router.post("", status_code=201, summary="登记家庭户", response_model=HouseholdOut)
def register_household(body: HouseholdIn, session: SessionDep, cipher: CipherDep,
                       communities: CommunitiesDep) -> HouseholdOut:
    """Register a household with its community and members; 零就业家庭 is derived at once."""
    community = communities.get(body.community_code)
    if community is None:
        raise field_problem("body.community_code", "未知的社区代码（不在社区/行政村名单中）", "community_code")
    _check_members(session, body.members, "body.members.")
    household = Household(household_ref=str(uuid_utils.uuid7()), community_code=community.code,
                          street_code=community.street_code, registered_on=body.registered_on,
                          zero_employment=False)
    session.add(household)
    for member in body.members:
        session.add(HouseholdMember(person_ref=member.person_ref, household_ref=household.household_ref,
                                    relation=member.relation.value, joined_on=body.registered_on))
    households.rederive(session, household, cipher, communities, body.registered_on, membership_changed=True)
    return household_out(session, household, communities)


@router.get("/{household_ref}", summary="查看家庭户（成员及其状态）", response_model=HouseholdOut,
            responses=_NOT_FOUND)
def read_household(household_ref: HouseholdPath, session: SessionDep,
                   communities: CommunitiesDep) -> HouseholdOut:
    """The household with its members and their status. The gateway audits every call."""
    return household_out(session, require_household(session, household_ref), communities)


@router.post("/{household_ref}/members", summary="成员迁入", response_model=HouseholdOut, responses=_NOT_FOUND)
def join(household_ref: HouseholdPath, body: MemberJoinIn, session: SessionDep, cipher: CipherDep,
         communities: CommunitiesDep) -> HouseholdOut:
    household = require_household(session, household_ref)
    heads = sum(1 for m in household.members if m.relation == HouseholdRelation.HEAD.value)
    _check_members(session, [body], "", heads_already=heads)
    session.add(HouseholdMember(person_ref=body.person_ref, household_ref=household.household_ref,
                                relation=body.relation.value, joined_on=body.joined_on))
    households.rederive(session, household, cipher, communities, body.joined_on, membership_changed=True)
    return household_out(session, household, communities)


@router.post("/{household_ref}/members/{person_ref}/leave", summary="成员迁出", response_model=HouseholdOut,
             responses=_NOT_FOUND | {409: {"description": "户内最后一名成员不能迁出"}})
def leave(household_ref: HouseholdPath, person_ref: MemberPath, body: MemberLeaveIn, session: SessionDep,
          cipher: CipherDep, communities: CommunitiesDep) -> HouseholdOut:
    household = require_household(session, household_ref)
    member = membership(session, person_ref)
    if member is None or member.household_ref != household.household_ref:
        raise ProblemError(404, "member_not_found", "该人员不是本户成员")
    if len(household.members) == 1:
        raise ProblemError(409, "last_member", "户内至少须有一名成员：最后一名成员不能迁出")
    household.members.remove(member)
    households.rederive(session, household, cipher, communities, body.left_on, membership_changed=True)
    return household_out(session, household, communities)

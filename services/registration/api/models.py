"""Request and response bodies of the registration API.

Requests are ``RequestModel``s (``schemas.requests``: strict, unknown fields forbidden). Rules
users can break raise Chinese ``PydanticCustomError``s on the field at fault, so the problem
document names it. Age and gender are not asked for: both are read from the ID number (birth
date, and the parity of digit 17), so they can never contradict it.

Write responses never contain personal data: the runtime stores them unencrypted as idempotency
records. Only ``GET /persons/{person_ref}`` returns the decrypted name, ID number and phone.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from schemas.fields import SHANGHAI, MonthlyYuan, Skill, UniqueList, check_working_age
from schemas.ids import CommunityCode, CreditCode, EntityId, IdNumber, PersonRef, StreetCode
from schemas.requests import Code, IndustryIn, IsoDate, RequestModel
from schemas.vocab import (
    CertificationLevel,
    ClosureReason,
    ContactChannel,
    Education,
    EmploymentForm,
    FollowupOutcome,
    Gender,
    HardshipCategory,
    HouseholdRelation,
    IndustrySection,
    KeyGroup,
    RegistrationPlace,
    UnemploymentReason,
)

from ..domain import MANAGED_GROUPS, Status, age_on, birth_date, gender_from_id


def today() -> date:
    """Today in Asia/Shanghai: business dates are local dates."""
    return datetime.now(SHANGHAI).date()


def _not_future(day: date) -> date:
    if day > today():
        raise PydanticCustomError("future_date", "日期不得晚于今天")
    return day


PastDate = Annotated[IsoDate, AfterValidator(_not_future)]
"""A business date that may not lie in the future (Asia/Shanghai)."""

BusinessDate = Annotated[PastDate, Field(default_factory=today, validate_default=True)]
"""A ``PastDate`` that defaults to today."""

_PHONE = re.compile(r"1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8}")


class PersonIn(RequestModel):
    """求职登记. ``registered_on`` comes first so the age check can use it."""

    registered_on: BusinessDate
    name: Annotated[str, Field(min_length=1, max_length=50)]
    id_number: IdNumber
    phone: str
    street_code: StreetCode
    community: Annotated[str, Field(min_length=1, max_length=40)] | None = None
    community_code: CommunityCode | None = Field(
        default=None, description="社区/行政村代码（12位统计用区划代码），须属于 street_code 所指街镇；"
        "只给代码时社区名称取自社区名单")
    education: Code[Education]
    skills: Annotated[list[Skill], Field(max_length=20)] = []
    desired_industry: Code[IndustrySection] | None = None
    desired_salary_min: MonthlyYuan | None = None
    desired_salary_max: MonthlyYuan | None = None
    key_groups: UniqueList[Code[KeyGroup]] = []
    graduation_year: Annotated[int, Field(ge=1950, le=2100)] | None = None

    @field_validator("name")
    @classmethod
    def _name_has_text(cls, name: str) -> str:
        if not name.strip():
            raise PydanticCustomError("name_blank", "姓名不得为空")
        return name.strip()

    @field_validator("id_number")
    @classmethod
    def _working_age(cls, id_number: str, info: ValidationInfo) -> str:
        registered_on = info.data.get("registered_on")
        if registered_on is not None:
            check_working_age(age_on(birth_date(id_number), registered_on), gender_from_id(id_number))
        return id_number

    @field_validator("phone")
    @classmethod
    def _phone_shape(cls, phone: str) -> str:
        phone = "".join(phone.split())
        if not _PHONE.fullmatch(phone):
            raise PydanticCustomError("phone_format", "联系电话须为11位手机号码或带区号的固定电话")
        return phone

    @field_validator("desired_salary_max")
    @classmethod
    def _salary_range(cls, salary_max: int | None, info: ValidationInfo) -> int | None:
        salary_min = info.data.get("desired_salary_min")
        if salary_min is not None and salary_max is not None and salary_min > salary_max:
            raise PydanticCustomError("salary_range", "最低期望薪资不得高于最高期望薪资")
        return salary_max

    @field_validator("key_groups")
    @classmethod
    def _no_managed_groups(cls, groups: list[KeyGroup]) -> list[KeyGroup]:
        if MANAGED_GROUPS & set(groups):
            raise PydanticCustomError(
                "managed_group", "“登记失业人员”和“就业困难人员”须通过失业登记和就业困难人员认定办理"
            )
        return groups

    @property
    def age(self) -> int:
        return age_on(birth_date(self.id_number), self.registered_on)

    @property
    def gender(self) -> Gender:
        return gender_from_id(self.id_number)


class LookupIn(RequestModel):
    """Find a person by ID number (in the body: ID numbers never go in URLs)."""

    id_number: IdNumber


class SearchIn(RequestModel):
    """人员查询 for the bureau: filters combine (AND); an ID number or a name matches exactly. In the
    body, like ``LookupIn``, so an ID number or a name never reaches a URL or a log line."""

    street_code: StreetCode | None = Field(default=None, description="街镇代码")
    key_group: Code[KeyGroup] | None = Field(default=None, description="重点群体")
    status: Code[Status] | None = Field(default=None, description="登记状态")
    id_number: IdNumber | None = Field(default=None, description="公民身份号码（精确匹配）")
    name: Annotated[str, Field(min_length=1, max_length=50)] | None = Field(
        default=None, description="姓名（精确匹配）")
    limit: Annotated[int, Field(ge=1, le=500, description="每页条数")] = 50
    offset: Annotated[int, Field(ge=0, description="起始位置")] = 0

    @field_validator("name")
    @classmethod
    def _name_has_text(cls, name: str | None) -> str | None:
        if name is not None and not name.strip():
            raise PydanticCustomError("name_blank", "姓名不得为空")
        return None if name is None else name.strip()


class LookupOut(BaseModel):
    person_ref: PersonRef
    status: Status


class UnemploymentIn(RequestModel):
    """失业登记."""

    registered_on: BusinessDate
    unemployed_since: IsoDate
    reason: Code[UnemploymentReason]
    registration_place: Code[RegistrationPlace]

    @field_validator("unemployed_since")
    @classmethod
    def _before_registration(cls, since: date, info: ValidationInfo) -> date:
        registered_on = info.data.get("registered_on")
        if registered_on is not None and since > registered_on:
            raise PydanticCustomError("unemployed_since", "失业日期不得晚于登记日期")
        return since


class EmploymentIn(RequestModel):
    """就业登记. ``employer_ref`` (the 统一社会信用代码) is required for 单位就业 and 公益性岗位安置."""

    form: Code[EmploymentForm] = EmploymentForm.EMPLOYED
    employer_ref: Annotated[CreditCode | None, Field(
        validate_default=True, description="用人单位统一社会信用代码（单位就业、公益性岗位安置必填）")] = None
    industry: IndustryIn | None = None
    employed_on: PastDate = Field(description="就业日期")
    case_id: EntityId | None = None
    vacancy_id: EntityId | None = None

    @field_validator("employer_ref")
    @classmethod
    def _employer_required(cls, code: str | None, info: ValidationInfo) -> str | None:
        if code is None and info.data.get("form") in (EmploymentForm.EMPLOYED, EmploymentForm.PUBLIC_WELFARE):
            raise PydanticCustomError("employer_required", "单位就业须填写用人单位统一社会信用代码")
        return code


class FollowupIn(RequestModel):
    """跟踪回访 of a registered unemployed person."""

    channel: Code[ContactChannel]
    outcome: Code[FollowupOutcome]
    followed_up_on: BusinessDate


class HardshipIn(RequestModel):
    """就业困难人员认定."""

    categories: Annotated[UniqueList[Code[HardshipCategory]], Field(min_length=1)]
    certified_on: BusinessDate


class CloseIn(RequestModel):
    """注销登记."""

    reason: Code[ClosureReason]
    closed_on: BusinessDate


class CertificationIn(RequestModel):
    """充分就业社区认定: the level and the year it is for; a level needs the one below it first."""

    level: Code[CertificationLevel] = Field(description="认定级别：district 区级、municipal 市级、national 国家级")
    year: Annotated[int, Field(ge=2000, le=2100, description="认定年度")]
    certified_on: BusinessDate = Field(description="认定日期，默认今天；不得早于认定年度")


class MemberIn(RequestModel):
    """One member of a household: a registered person and their relation to the head (与户主关系)."""

    person_ref: PersonRef = Field(description="已登记人员的 person_ref")
    relation: Code[HouseholdRelation] = Field(description="与户主关系")


class HouseholdIn(RequestModel):
    """登记家庭户: the community and the members (each a registered person, in no other household)."""

    community_code: CommunityCode = Field(description="社区/行政村代码（12位统计用区划代码）")
    registered_on: BusinessDate
    members: Annotated[list[MemberIn], Field(max_length=30)]

    @field_validator("members")
    @classmethod
    def _not_empty(cls, members: list[MemberIn]) -> list[MemberIn]:
        if not members:
            raise PydanticCustomError("members_empty", "户内至少须有一名成员")
        return members


class MemberJoinIn(MemberIn):
    """A person joins a household (成员迁入)."""

    joined_on: BusinessDate


class MemberLeaveIn(RequestModel):
    """A member leaves a household (成员迁出)."""

    left_on: BusinessDate


# --- responses ------------------------------------------------------------------------------------


class PersonSummary(BaseModel):
    """A person without personal data: what write responses and work lists show."""

    person_ref: PersonRef
    status: Status
    street_code: str
    community: str | None
    community_code: str | None = None
    gender: Gender
    age: int = Field(description="登记时年龄")
    education: Education
    key_groups: list[KeyGroup]
    registered_on: date
    unemployed_since: date | None
    unemployment_registered_on: date | None
    last_followup_on: date | None
    employed_on: date | None
    closed_on: date | None
    graduate_case: Literal["open", "closed"] | None = Field(description="离校未就业台账：open 在册，closed 已销号")


class PersonDetail(PersonSummary):
    """A person with the decrypted personal data (``GET /persons/{person_ref}``, audited by the gateway)."""

    name: str
    id_number: str
    phone: str
    skills: list[Skill]
    desired_industry: IndustrySection | None
    desired_salary_min: int | None
    desired_salary_max: int | None
    graduation_year: int | None
    hardship_categories: list[HardshipCategory]
    hardship_certified_on: date | None
    graduate_case_closed_on: date | None
    graduate_case_close_reason: str | None
    closure_reason: ClosureReason | None


class Page(BaseModel):
    """One page of people (a work list or a search)."""

    total: int
    limit: int
    offset: int
    items: list[PersonSummary]


class CertificationOut(BaseModel):
    certification_id: str
    community_code: str
    community: str
    street_code: str
    level: CertificationLevel
    year: int
    certified_on: date


class CommunityCertificationsOut(BaseModel):
    """A community's 充分就业社区 certifications, lowest level first."""

    community_code: str
    community: str
    street_code: str
    certifications: list[CertificationOut]


class MemberOut(BaseModel):
    person_ref: PersonRef
    relation: HouseholdRelation
    status: Status
    joined_on: date


class HouseholdOut(BaseModel):
    """A household without personal data: members by ``person_ref`` with their status (the gateway
    audits every read, as membership and status are personal data about the family)."""

    household_ref: EntityId
    community_code: str
    community: str
    street_code: str
    registered_on: date
    zero_employment: bool = Field(description="零就业家庭（由成员状态推导，不可直接填写）")
    zero_employment_since: date | None
    members: list[MemberOut]

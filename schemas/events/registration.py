"""Events of the registration service on ``leye.registration`` (subject and key: ``person_ref``).

The registration service owns people; it publishes one event per change of a person's registration
status. Dates (``*_on``) are business dates in Asia/Shanghai; the envelope ``time`` says when the
change was recorded.

The status events (求职, 失业, 就业 and 注销) carry the person's ``community_code`` when the person has
one, so monitoring can keep each community's residents able and willing to work (充分就业社区,
DOMAIN.md §6) without joining earlier events.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar, Self

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from schemas.events.base import EventData, PersonEventData
from schemas.fields import (
    Age,
    Industry,
    MonthlyYuan,
    Skill,
    UniqueList,
    check_salary_range,
    check_working_age,
)
from schemas.ids import CommunityCode, CreditCode, EntityId
from schemas.vocab import (
    ClosureReason,
    ContactChannel,
    Education,
    EmploymentForm,
    FollowupOutcome,
    Gender,
    HardshipCategory,
    IndustrySection,
    RegistrationKind,
    RegistrationPlace,
    UnemploymentReason,
)


class JobseekerRegistered(PersonEventData):
    """A person registered as a job seeker (求职登记), or re-registered after a closed registration.

    ``age`` is the age on ``registered_on``; its upper bound depends on ``gender`` (see
    ``schemas.fields.max_working_age``). ``community`` is the 社区/村 name (used to route 红娘 cases),
    never an address; ``community_code`` its code in the community list (DOMAIN.md §1), when known.
    """

    event_type: ClassVar[str] = "cn.xiqing.leye.jobseeker.registered.v1"

    community: Annotated[str, Field(min_length=1, max_length=40)] | None = None
    community_code: CommunityCode | None = None
    gender: Gender
    age: Age
    education: Education
    skills: Annotated[list[Skill], Field(max_length=20)] = []
    desired_industry: IndustrySection | None = None
    desired_salary_min: MonthlyYuan | None = None
    desired_salary_max: MonthlyYuan | None = None
    registered_on: date
    graduation_year: Annotated[int, Field(ge=1950, le=2100)] | None = None

    @field_validator("age")
    @classmethod
    def _working_age_for_gender(cls, age: int, info: ValidationInfo) -> int:
        gender = info.data.get("gender")  # absent when the gender itself was invalid
        if gender is not None:
            check_working_age(age, gender)
        return age

    @model_validator(mode="after")
    def _check(self) -> Self:
        check_salary_range(self.desired_salary_min, self.desired_salary_max)
        return self


class UnemploymentRegistered(PersonEventData):
    """A person registered as unemployed (失业登记); they join the 登记失业人员 stock.

    ``unemployed_since`` drives 长期失业 (≥ 6 months unemployed).
    """

    event_type: ClassVar[str] = "cn.xiqing.leye.unemployment.registered.v1"

    community_code: CommunityCode | None = None

    unemployed_since: date
    reason: UnemploymentReason
    registered_on: date
    registration_place: RegistrationPlace

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.unemployed_since > self.registered_on:
            raise PydanticCustomError("unemployed_since", "失业日期不得晚于登记日期")
        return self


class EmploymentRegistered(PersonEventData):
    """A person's employment was registered (就业登记); each one counts toward 城镇新增就业.

    ``employer_ref`` is required for ``employed`` and ``public_welfare`` forms and may be absent for
    self-employment and flexible work. ``was_registered_unemployed`` and ``unemployed_since`` (set only
    when they were) feed 登记失业人员就业率 and the length of the unemployment spell. ``vacancy_id`` and
    ``case_id`` link the job to a posting and a 红娘 case when it came through the platform.
    """

    event_type: ClassVar[str] = "cn.xiqing.leye.employment.registered.v1"

    community_code: CommunityCode | None = None

    form: EmploymentForm
    employer_ref: CreditCode | None = None
    industry: Industry | None = None
    employed_on: date
    vacancy_id: EntityId | None = None
    case_id: EntityId | None = None
    was_registered_unemployed: bool
    unemployed_since: date | None = None

    @model_validator(mode="after")
    def _check(self) -> Self:
        if (
            self.form in (EmploymentForm.EMPLOYED, EmploymentForm.PUBLIC_WELFARE)
            and self.employer_ref is None
        ):
            raise PydanticCustomError("employer_ref_required", "单位就业须填写用人单位统一社会信用代码")
        if self.unemployed_since is not None:
            if not self.was_registered_unemployed:
                raise PydanticCustomError("unemployed_since", "仅登记失业人员可填写失业日期")
            if self.unemployed_since > self.employed_on:
                raise PydanticCustomError("unemployed_since", "失业日期不得晚于就业日期")
        return self


class FollowupRecorded(PersonEventData):
    """A follow-up of a registered unemployed person was recorded (每月至少1次跟踪调查)."""

    event_type: ClassVar[str] = "cn.xiqing.leye.followup.recorded.v1"

    channel: ContactChannel
    outcome: FollowupOutcome
    followed_up_on: date


class HardshipCertified(PersonEventData):
    """A person was certified 就业困难人员 on the given grounds; ``key_groups`` already includes it."""

    event_type: ClassVar[str] = "cn.xiqing.leye.hardship.certified.v1"

    categories: Annotated[UniqueList[HardshipCategory], Field(min_length=1)]
    certified_on: date


class RegistrationClosed(PersonEventData):
    """A job-seeker or unemployment registration was closed (注销); the person leaves that stock."""

    event_type: ClassVar[str] = "cn.xiqing.leye.registration.closed.v1"

    community_code: CommunityCode | None = None

    registration: RegistrationKind
    reason: ClosureReason
    closed_on: date


EVENTS: tuple[type[EventData], ...] = (
    JobseekerRegistered,
    UnemploymentRegistered,
    EmploymentRegistered,
    FollowupRecorded,
    HardshipCertified,
    RegistrationClosed,
)

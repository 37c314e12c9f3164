"""Events of the matching service's 就业红娘 cases on ``leye.referral`` (subject and key: ``case_id``).

A case is dispatched to a station's 红娘 with two deadlines (contact the same day, refer within 3 days),
collects contacts and referrals, may breach a deadline, and is closed. Every event repeats the case's
``station_code`` and ``street_code`` so SLA shares can be counted per station without a join.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar, Self

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from schemas.events.base import EventData
from schemas.fields import ShanghaiDatetime
from schemas.ids import CreditCode, EntityId, PersonRef, StreetCode
from schemas.vocab import (
    CaseCloseReason,
    CaseOrigin,
    ContactChannel,
    ReferralDirection,
    ReferralResult,
    SlaKind,
)

Score = Annotated[float, Field(ge=0.0, le=1.0)]
"""A matching score between 0 (no fit) and 1 (perfect fit)."""


class _CaseEvent(EventData):
    topic: ClassVar[str] = "leye.referral"
    subject_field: ClassVar[str] = "case_id"

    case_id: EntityId
    station_code: EntityId
    street_code: StreetCode


class CaseDispatched(_CaseEvent):
    """A request was dispatched to a station's 红娘 (呼叫—指派).

    The case is about a person (``person_ref``), an employer (``employer_ref``), a household
    (``household_ref``, a 零就业家庭's 一户一策 case) and/or a vacancy:
    a case raised by a person must name them, one raised by an employer or for a layoff must name
    the employer.
    """

    event_type: ClassVar[str] = "cn.xiqing.leye.case.dispatched.v1"

    origin: CaseOrigin
    person_ref: PersonRef | None = None
    vacancy_id: EntityId | None = None
    employer_ref: CreditCode | None = None
    contact_due_at: ShanghaiDatetime
    referral_due_at: ShanghaiDatetime
    # 政策找人: the programme the person was found eligible for (origin ``policy`` only).
    programme_code: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")] | None = None
    # 一户一策: the 零就业家庭 the case helps (origin ``household`` only; leye.household's key).
    household_ref: EntityId | None = None

    @model_validator(mode="after")
    def _check(self) -> Self:
        if (self.origin is CaseOrigin.HOUSEHOLD) != (self.household_ref is not None):
            raise PydanticCustomError("case_household", "household_ref 只用于且必须用于零就业家庭工单")
        if self.origin is CaseOrigin.PERSON and self.person_ref is None:
            raise PydanticCustomError("case_party", "求职者发起的工单须包含 person_ref")
        if self.origin is CaseOrigin.POLICY and self.person_ref is None:
            raise PydanticCustomError("case_party", "政策找人的工单须包含 person_ref")
        if (self.origin is CaseOrigin.POLICY) != (self.programme_code is not None):
            raise PydanticCustomError("case_programme", "programme_code 只用于且必须用于政策找人工单")
        if self.origin in (CaseOrigin.EMPLOYER, CaseOrigin.LAYOFF) and self.employer_ref is None:
            raise PydanticCustomError("case_party", "用人单位或裁员相关工单须包含用人单位统一社会信用代码")
        if self.referral_due_at < self.contact_due_at:
            raise PydanticCustomError("case_due", "推介截止时间不得早于联系截止时间")
        return self


class CaseContacted(_CaseEvent):
    """The 红娘 contacted the case's party; ``on_time`` says whether it met ``contact_due_at``."""

    event_type: ClassVar[str] = "cn.xiqing.leye.case.contacted.v1"

    contacted_at: ShanghaiDatetime
    channel: ContactChannel
    on_time: bool


class ReferralMade(_CaseEvent):
    """A person was referred to a vacancy, or a vacancy to a person (人岗双向推介).

    ``score`` is the matcher's overall fit; ``breakdown`` its components (e.g. ``skills``, ``education``,
    ``salary``, ``distance``), each 0..1. ``on_time`` says whether it met ``referral_due_at``.
    """

    event_type: ClassVar[str] = "cn.xiqing.leye.referral.made.v1"

    referral_id: EntityId
    person_ref: PersonRef
    vacancy_id: EntityId
    direction: ReferralDirection
    score: Score
    breakdown: dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")], Score] = {}
    on_time: bool


class ReferralOutcome(_CaseEvent):
    """What came of one referral (identified by ``referral_id``)."""

    event_type: ClassVar[str] = "cn.xiqing.leye.referral.outcome.v1"

    referral_id: EntityId
    person_ref: PersonRef
    vacancy_id: EntityId
    outcome: ReferralResult
    outcome_on: date


class CaseSlaBreached(_CaseEvent):
    """A case missed a deadline (emitted once per deadline, when it passes unmet)."""

    event_type: ClassVar[str] = "cn.xiqing.leye.case.sla_breached.v1"

    sla: SlaKind
    due_at: ShanghaiDatetime


class CaseClosed(_CaseEvent):
    """A case was closed."""

    event_type: ClassVar[str] = "cn.xiqing.leye.case.closed.v1"

    reason: CaseCloseReason
    closed_on: date


EVENTS: tuple[type[EventData], ...] = (
    CaseDispatched,
    CaseContacted,
    ReferralMade,
    ReferralOutcome,
    CaseSlaBreached,
    CaseClosed,
)

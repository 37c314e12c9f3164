"""Events of households (户) on ``leye.household`` (subject and key: ``household_ref``), published by
the registration service, which owns households and their membership.

零就业家庭 is derived, never typed in (docs/DOMAIN.md §2, "Households"): the registration service
re-derives a household whenever its membership or a member's registration status changes, and
publishes an event only when the derived state flips. A household is identified and cleared as often
as its members' situation changes; each identification is a new family to help (一户一策).

``household_ref`` is an opaque id the registration service draws at random: it says nothing about the
family. The events carry no address, name or ID number; the members appear only as ``person_ref``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar, Self

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from schemas.events.base import EventData
from schemas.fields import UniqueList
from schemas.ids import CommunityCode, EntityId, PersonRef, StreetCode
from schemas.vocab import ZeroEmploymentClearReason


class _HouseholdEvent(EventData):
    topic: ClassVar[str] = "leye.household"
    subject_field: ClassVar[str] = "household_ref"

    household_ref: EntityId
    street_code: StreetCode
    community_code: CommunityCode
    community: Annotated[str, Field(min_length=1, max_length=40, description="社区/村名称（用于派单）")]
    members: Annotated[int, Field(ge=1, description="户内成员数")]


class ZeroEmploymentIdentified(_HouseholdEvent):
    """The household became a 零就业家庭: at least one member of working age able and willing to work
    (an open 求职 or 失业 registration) and none employed. ``seeking_members`` are those members."""

    event_type: ClassVar[str] = "cn.xiqing.leye.household.zero_employment_identified.v1"

    identified_on: date
    seeking_members: Annotated[UniqueList[PersonRef], Field(min_length=1)]


class ZeroEmploymentCleared(_HouseholdEvent):
    """The household is no longer a 零就业家庭 (清零). ``reason`` ``employment``: a member's employment
    was registered, and ``employed_person_ref`` names that member; otherwise the membership changed or
    no member is seeking work any more. ``identified_on`` repeats when it was identified, so the days to
    clear need no join."""

    event_type: ClassVar[str] = "cn.xiqing.leye.household.zero_employment_cleared.v1"

    identified_on: date
    cleared_on: date
    reason: ZeroEmploymentClearReason
    employed_person_ref: PersonRef | None = None

    @model_validator(mode="after")
    def _check(self) -> Self:
        if (self.reason is ZeroEmploymentClearReason.EMPLOYMENT) != (self.employed_person_ref is not None):
            raise PydanticCustomError("employed_person_ref", "因成员就业清零时须且仅须注明就业成员")
        if self.cleared_on < self.identified_on:
            raise PydanticCustomError("cleared_on", "清零日期不得早于认定日期")
        return self


EVENTS: tuple[type[EventData], ...] = (ZeroEmploymentIdentified, ZeroEmploymentCleared)

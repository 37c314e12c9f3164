"""Events about layoffs and monitored enterprises on ``leye.layoff`` (subject and key: ``employer_ref``).

Published by the vacancies service. ``assess_layoff`` is the single implementation of Labour Contract
Law art. 41 used both by the publisher (to fill the event) and by the model (to check it).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar, NamedTuple, Self

from pydantic import AliasChoices, Field, model_validator
from pydantic_core import PydanticCustomError

from schemas.events.base import EventData
from schemas.fields import Count, Industry, Period
from schemas.ids import CreditCode, EntityId, StreetCode
from schemas.vocab import DecreaseType, LayoffReason

MASS_LAYOFF_PEOPLE = 20
MASS_LAYOFF_SHARE_PERCENT = 10
REQUIRED_NOTICE_DAYS = 30


class LayoffAssessment(NamedTuple):
    is_mass: bool
    notice_days: int
    compliant: bool


def assess_layoff(
    staff_count: int, planned_cuts: int, notified_on: date, planned_on: date
) -> LayoffAssessment:
    """Apply Labour Contract Law art. 41 to a layoff plan.

    - Mass layoff (规模裁员): cutting 20 or more people, or fewer than 20 but at least 10 % of the staff.
    - Notice: days from informing the union or all staff (``notified_on``) to the layoff
      (``planned_on``); negative when the layoff comes first.
    - Compliant: a mass layoff needs at least 30 days' notice; other layoffs are outside art. 41.

    Integer arithmetic keeps the 10 % boundary exact (9 of 90 is a mass layoff).
    """
    is_mass = (
        planned_cuts >= MASS_LAYOFF_PEOPLE or planned_cuts * 100 >= staff_count * MASS_LAYOFF_SHARE_PERCENT
    )
    notice_days = (planned_on - notified_on).days
    compliant = not is_mass or notice_days >= REQUIRED_NOTICE_DAYS
    return LayoffAssessment(is_mass, notice_days, compliant)


class LayoffReported(EventData):
    """An employer reported a layoff plan (裁员报告).

    ``is_mass_layoff``, ``notice_days`` and ``notice_compliant`` are ``assess_layoff`` of the other
    fields; the publisher fills them and the model rejects values that disagree, so consumers can
    filter on them directly. A non-compliant mass layoff must stand out on the wall.
    """

    event_type: ClassVar[str] = "cn.xiqing.leye.layoff.reported.v1"
    topic: ClassVar[str] = "leye.layoff"
    subject_field: ClassVar[str] = "employer_ref"

    report_id: EntityId
    employer_ref: CreditCode
    industry: Industry
    street_code: StreetCode
    # Named ``total_staff`` until 2026-12-07; events stored under that name still parse (replays).
    staff_count: Annotated[int, Field(ge=1, validation_alias=AliasChoices("staff_count", "total_staff"))]
    planned_cuts: Annotated[int, Field(ge=1)]
    reason: LayoffReason
    notified_on: date
    planned_on: date
    is_mass_layoff: bool
    notice_days: int
    notice_compliant: bool

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.planned_cuts > self.staff_count:
            raise PydanticCustomError("planned_cuts", "计划裁减人数不得超过职工人数")
        expected = assess_layoff(self.staff_count, self.planned_cuts, self.notified_on, self.planned_on)
        if (self.is_mass_layoff, self.notice_days, self.notice_compliant) != expected:
            raise PydanticCustomError("layoff_assessment", "规模裁员认定结果与申报数据不一致")
        return self


class HeadcountReported(EventData):
    """A monitored enterprise's monthly headcount report (失业动态监测).

    ``decreases`` counts people who left this month by type; types not listed are zero. A corrected
    report names the one it replaces in ``supersedes_report_id``; consumers keep only the latest.
    """

    event_type: ClassVar[str] = "cn.xiqing.leye.headcount.reported.v1"
    topic: ClassVar[str] = "leye.layoff"
    subject_field: ClassVar[str] = "employer_ref"

    report_id: EntityId
    employer_ref: CreditCode
    month: Period
    industry: Industry
    street_code: StreetCode
    baseline_headcount: Annotated[int, Field(ge=1)]
    current_headcount: Count
    decreases: dict[DecreaseType, Count] = {}
    supersedes_report_id: EntityId | None = None

    @property
    def job_loss_rate(self) -> float:
        """岗位流失率 = (baseline - current) / baseline; negative when the enterprise has grown."""
        return (self.baseline_headcount - self.current_headcount) / self.baseline_headcount


EVENTS: tuple[type[EventData], ...] = (LayoffReported, HeadcountReported)

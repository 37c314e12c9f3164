"""Events of key enterprises (重点企业) and monitored enterprises (失业动态监测) on ``leye.enterprise``
(subject and key: ``employer_ref``), published by the vacancies service, which keeps their register.

Action plan §2 (seed 002): every key enterprise has an assigned officer of the bureau (一企一专员) and
a ledger of its labour problems, each opened and closed (一企一台账, 挂账销号), and reports its labour
shortage (用缺工). Monitored enterprises are enrolled once with a fixed baseline headcount and then
report monthly (``headcount.reported`` on ``leye.layoff``).

The events are pseudonymous like every other: the enterprise is its ``employer_ref``, the officer an
``officer_id``. The officer's name, an issue's summary and its resolution stay in the service's database.
Every event repeats the enterprise's 街镇 so that counts by 街镇 need no join.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar, Self

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from schemas.events.base import EventData
from schemas.fields import Industry, OccupationCode
from schemas.ids import CreditCode, EntityId, StreetCode
from schemas.vocab import EnterpriseIssueKind


class _EnterpriseEvent(EventData):
    topic: ClassVar[str] = "leye.enterprise"
    subject_field: ClassVar[str] = "employer_ref"

    employer_ref: CreditCode
    street_code: StreetCode


class KeyEnterpriseRegistered(_EnterpriseEvent):
    """An enterprise was put on the key-enterprise register, or its assigned officer changed
    (一企一专员): the latest event per ``employer_ref`` holds the current officer."""

    event_type: ClassVar[str] = "cn.xiqing.leye.enterprise.key_registered.v1"

    industry: Industry
    officer_id: EntityId = Field(description="专员编号（姓名不上总线）")
    enrolled_on: date


class IssueOpened(_EnterpriseEvent):
    """A problem was put on a key enterprise's ledger (挂账) with the date it is due to be solved."""

    event_type: ClassVar[str] = "cn.xiqing.leye.enterprise.issue_opened.v1"

    issue_id: EntityId
    kind: EnterpriseIssueKind
    opened_on: date
    due_on: date

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.due_on < self.opened_on:
            raise PydanticCustomError("due_on", "办结期限不得早于挂账日期")
        return self


class IssueClosed(IssueOpened):
    """A ledger problem was solved (销号). ``opened_on`` and ``due_on`` repeat, so the days it took and
    whether it was closed late need no join."""

    event_type: ClassVar[str] = "cn.xiqing.leye.enterprise.issue_closed.v1"

    closed_on: date

    @model_validator(mode="after")
    def _closed_after_opened(self) -> Self:
        if self.closed_on < self.opened_on:
            raise PydanticCustomError("closed_on", "销号日期不得早于挂账日期")
        return self

    @property
    def closed_late(self) -> bool:
        return self.closed_on > self.due_on


class ShortageReported(_EnterpriseEvent):
    """A key enterprise reported a labour shortage (缺工): ``headcount`` posts of one occupation."""

    event_type: ClassVar[str] = "cn.xiqing.leye.enterprise.shortage_reported.v1"

    shortage_id: EntityId
    industry: Industry
    occupation_code: OccupationCode
    headcount: Annotated[int, Field(ge=1, description="缺工人数")]
    reported_on: date


class ShortageClosed(ShortageReported):
    """A reported shortage is over (filled, or no longer needed); the report's fields repeat."""

    event_type: ClassVar[str] = "cn.xiqing.leye.enterprise.shortage_closed.v1"

    closed_on: date

    @model_validator(mode="after")
    def _closed_after_reported(self) -> Self:
        if self.closed_on < self.reported_on:
            raise PydanticCustomError("closed_on", "缺工关闭日期不得早于报告日期")
        return self


class MonitoringEnrolled(_EnterpriseEvent):
    """An enterprise was enrolled in 失业动态监测 with its baseline headcount (建档岗位数), which never
    changes afterwards; its monthly reports are due from the month of ``enrolled_on``."""

    event_type: ClassVar[str] = "cn.xiqing.leye.enterprise.monitoring_enrolled.v1"

    industry: Industry
    baseline_headcount: Annotated[int, Field(ge=1)]
    enrolled_on: date


EVENTS: tuple[type[EventData], ...] = (
    KeyEnterpriseRegistered, IssueOpened, IssueClosed, ShortageReported, ShortageClosed, MonitoringEnrolled,
)

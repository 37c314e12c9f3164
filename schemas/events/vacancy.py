"""Events of the vacancies service on ``leye.vacancy``: employers, postings and recruitment sessions.

Keys: employer events by ``employer_ref``, posting events by ``vacancy_id``, session events by
``session_id``. A posting is open stock from ``vacancy.posted`` until ``vacancy.closed`` (the service
emits ``expired`` itself when ``valid_until`` passes), unless it is withheld by ``vacancy.flagged``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar, Self

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from schemas.events.base import EventData
from schemas.fields import (
    Age,
    Count,
    Industry,
    MonthlyYuan,
    ShanghaiDatetime,
    Skill,
    StrictModel,
    UniqueList,
    check_age_range,
    check_salary_range,
)
from schemas.ids import CommunityCode, CreditCode, EntityId, PersonRef, StreetCode
from schemas.vocab import Education, FlagCategory, SessionKind, SessionSource, VacancyCloseReason, VacancyKind


class EmployerRegistered(EventData):
    """An employer was registered, or its details changed (the latest event wins).

    No name: some employers (个体工商户) are named after a person; the vacancies service keeps names.
    ``community_code``: the 社区/行政村 it is in (community list, DOMAIN.md §1), when the bureau gave it.
    """

    event_type: ClassVar[str] = "cn.xiqing.leye.employer.registered.v1"
    topic: ClassVar[str] = "leye.vacancy"
    subject_field: ClassVar[str] = "employer_ref"

    employer_ref: CreditCode
    industry: Industry
    street_code: StreetCode
    community_code: CommunityCode | None = None
    staff_count: Count


class _VacancyState(EventData):
    """The full description of a posting; shared by ``vacancy.posted`` and ``vacancy.updated``."""

    topic: ClassVar[str] = "leye.vacancy"
    subject_field: ClassVar[str] = "vacancy_id"

    vacancy_id: EntityId
    employer_ref: CreditCode
    title: Annotated[str, Field(min_length=1, max_length=60)]
    industry: Industry
    street_code: StreetCode
    kind: VacancyKind
    headcount: Annotated[int, Field(ge=1)]
    salary_min: MonthlyYuan
    salary_max: MonthlyYuan
    education_required: Education | None = None
    skills_required: Annotated[list[Skill], Field(max_length=20)] = []
    age_min: Age | None = None
    age_max: Age | None = None
    valid_from: date
    valid_until: date
    # The key enterprise's shortage report this posting answers (enterprise.shortage_reported), if any.
    shortage_id: EntityId | None = None

    @model_validator(mode="after")
    def _check(self) -> Self:
        check_salary_range(self.salary_min, self.salary_max)
        check_age_range(self.age_min, self.age_max)
        if self.valid_until < self.valid_from:
            raise PydanticCustomError("validity_period", "有效期截止日期不得早于开始日期")
        return self


class VacancyPosted(_VacancyState):
    """A posting passed the checks and is open. ``education_required`` ``None`` = no requirement."""

    event_type: ClassVar[str] = "cn.xiqing.leye.vacancy.posted.v1"


class VacancyUpdated(_VacancyState):
    """A posting changed. Carries the complete new state, not a patch.

    A patch could not tell "unchanged" from "cleared" for optional fields and would make consumers
    merge; with the full state they simply replace their copy, and replays are harmless.
    """

    event_type: ClassVar[str] = "cn.xiqing.leye.vacancy.updated.v1"


class VacancyFilled(EventData):
    """``filled_count`` posts of a vacancy were filled; ``remaining`` posts are still open.

    ``person_ref`` names the hired person when the platform knows them. ``street_code`` and ``kind``
    repeat the posting's so hires can be counted without a join.
    """

    event_type: ClassVar[str] = "cn.xiqing.leye.vacancy.filled.v1"
    topic: ClassVar[str] = "leye.vacancy"
    subject_field: ClassVar[str] = "vacancy_id"

    vacancy_id: EntityId
    street_code: StreetCode
    kind: VacancyKind
    filled_count: Annotated[int, Field(ge=1)]
    remaining: Count
    fully_filled: bool
    person_ref: PersonRef | None = None

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.fully_filled != (self.remaining == 0):
            raise PydanticCustomError("fully_filled", "招满标志与剩余岗位数不一致")
        return self


class VacancyClosed(EventData):
    """A posting left the open stock."""

    event_type: ClassVar[str] = "cn.xiqing.leye.vacancy.closed.v1"
    topic: ClassVar[str] = "leye.vacancy"
    subject_field: ClassVar[str] = "vacancy_id"

    vacancy_id: EntityId
    reason: VacancyCloseReason
    closed_on: date


class FlagReason(StrictModel):
    """One ground for withholding a posting, with the Chinese explanation shown to the employer:
    the rule, the phrase of the posting that triggered it (employer text, not personal data) and
    the legal basis, at most 200 characters."""

    category: FlagCategory
    explanation: Annotated[str, Field(min_length=1, max_length=200)]


class VacancyFlagged(EventData):
    """A posting was withheld for the given reasons; it is not open stock until an update clears it."""

    event_type: ClassVar[str] = "cn.xiqing.leye.vacancy.flagged.v1"
    topic: ClassVar[str] = "leye.vacancy"
    subject_field: ClassVar[str] = "vacancy_id"

    vacancy_id: EntityId
    employer_ref: CreditCode
    street_code: StreetCode
    reasons: Annotated[list[FlagReason], Field(min_length=1)]


class _SessionEvent(EventData):
    """Fields every recruitment-session event carries (招聘会 or 直播带岗)."""

    topic: ClassVar[str] = "leye.vacancy"
    subject_field: ClassVar[str] = "session_id"

    session_id: EntityId
    kind: SessionKind
    street_code: StreetCode


class RecruitmentSessionScheduled(_SessionEvent):
    """A recruitment session was scheduled, with the vacancies it will present."""

    event_type: ClassVar[str] = "cn.xiqing.leye.recruitment.session_scheduled.v1"

    scheduled_at: ShanghaiDatetime
    vacancy_ids: UniqueList[EntityId] = []


class RecruitmentSessionStarted(_SessionEvent):
    """A recruitment session began."""

    event_type: ClassVar[str] = "cn.xiqing.leye.recruitment.session_started.v1"

    started_at: ShanghaiDatetime


class RecruitmentSessionEnded(_SessionEvent):
    """A recruitment session ended, with its results (§13, §15).

    ``viewers`` are live-stream viewers or on-site visitors; ``applications`` and ``hires`` are those
    recorded by the end of the session (later hires arrive as ``vacancy.filled`` and, for a live
    session, as ``recruitment.application_decided``). ``source`` says where the totals come from:
    ``live``, counted from the session's viewer samples (``viewers`` is their peak) and
    applications; ``reported``, typed in at the end. Events stored before the field existed were all
    typed in, hence its default.
    """

    event_type: ClassVar[str] = "cn.xiqing.leye.recruitment.session_ended.v1"

    ended_at: ShanghaiDatetime
    vacancy_ids: UniqueList[EntityId] = []
    viewers: Count
    applications: Count
    hires: Count
    source: SessionSource = SessionSource.REPORTED


class RecruitmentViewersSampled(_SessionEvent):
    """A 直播带岗 session in progress had ``viewers`` watching at ``sampled_at`` (one per sample time)."""

    event_type: ClassVar[str] = "cn.xiqing.leye.recruitment.viewers_sampled.v1"

    sampled_at: ShanghaiDatetime
    viewers: Count


class RecruitmentApplicationReceived(_SessionEvent):
    """A person applied, during a 直播带岗 session, for one of the vacancies it shows.

    Pseudonymous: the person is named by ``person_ref`` only.
    """

    event_type: ClassVar[str] = "cn.xiqing.leye.recruitment.application_received.v1"

    application_id: EntityId
    vacancy_id: EntityId
    person_ref: PersonRef
    applied_at: ShanghaiDatetime


class RecruitmentApplicationDecided(_SessionEvent):
    """The employer decided on an application made during a 直播带岗 session, possibly after it
    ended. A hire also fills one post of the vacancy (``vacancy.filled`` naming the person)."""

    event_type: ClassVar[str] = "cn.xiqing.leye.recruitment.application_decided.v1"

    application_id: EntityId
    vacancy_id: EntityId
    person_ref: PersonRef
    hired: bool
    decided_at: ShanghaiDatetime


EVENTS: tuple[type[EventData], ...] = (
    EmployerRegistered,
    VacancyPosted,
    VacancyUpdated,
    VacancyFilled,
    VacancyClosed,
    VacancyFlagged,
    RecruitmentSessionScheduled,
    RecruitmentSessionStarted,
    RecruitmentSessionEnded,
    RecruitmentViewersSampled,
    RecruitmentApplicationReceived,
    RecruitmentApplicationDecided,
)

"""Programme delivery on ``leye.programme``, from the programmes service (DOMAIN §8): training courses,
enrolments and completions, 创业担保贷款, grants (every subsidy decision), payments and placements
(就业见习, 大学生实习, 公益性岗位); and 政策找人 (免申即享): a person found eligible for a programme by
the catalogue's rule, and a programme refused to a person.

Pseudonymous like every event: a person is their ``person_ref``, a business its ``employer_ref``
(统一社会信用代码); no names, ID numbers or phone numbers. Amounts are whole 元. Every grant and
payment names the catalogue version (``rule_version``) whose rule allowed it, so a later change of
an amount or a cap never rewrites what was decided under the earlier one.

Keys: a course's events by ``course_id``, an enrolment's by ``enrolment_id`` (enrolled, then
completed, in order), a loan by ``loan_id``, a grant and its payments by ``grant_id``, a placement's
start and end by ``placement_id``; ``eligible`` and ``refused`` by ``person_ref``, so a person's
eligibility and its refusal stay in order. A 创业孵化基地's recognitions by ``incubator_id``; a firm's
stay in a base (entered, jobs reported, left) by ``incubation_id``; a certificate by ``certificate_id``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar, Self

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from schemas.events.base import EventData
from schemas.fields import OccupationCode, StrictModel
from schemas.ids import CreditCode, EntityId, PersonRef, StreetCode
from schemas.vocab import IncubatorLevel, RefusalReason

TOPIC = "leye.programme"

ProgrammeCode = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")]
"""A programme of the catalogue (``malanhua_training``, ``startup_loan``, ...)."""

RuleVersion = Annotated[str, Field(min_length=1, max_length=40)]
"""The catalogue version whose rule allowed a grant or payment."""

Yuan = Annotated[int, Field(ge=1)]
"""A positive amount in whole 元."""


class _Recipient(EventData):
    """Exactly one of ``person_ref`` and ``employer_ref``: who received the programme."""

    person_ref: PersonRef | None = None
    employer_ref: CreditCode | None = None

    @model_validator(mode="after")
    def _one_recipient(self) -> Self:
        if (self.person_ref is None) == (self.employer_ref is None):
            raise PydanticCustomError("recipient", "须且只能填写 person_ref 与 employer_ref 其中之一")
        return self


class CourseOpened(EventData):
    """A training course (马兰花 创业培训, 职业技能培训 by occupation and level) was opened."""

    event_type: ClassVar[str] = "cn.xiqing.leye.programme.course_opened.v1"
    topic: ClassVar[str] = TOPIC
    subject_field: ClassVar[str] = "course_id"

    course_id: EntityId
    programme_code: ProgrammeCode
    street_code: StreetCode
    occupation: Annotated[str, Field(min_length=1, max_length=60)] | None = None
    level: Annotated[int, Field(ge=1, le=5)] | None = None
    starts_on: date
    ends_on: date
    capacity: Annotated[int, Field(ge=1)]


class Enrolled(EventData):
    """A person enrolled in a course."""

    event_type: ClassVar[str] = "cn.xiqing.leye.programme.enrolled.v1"
    topic: ClassVar[str] = TOPIC
    subject_field: ClassVar[str] = "enrolment_id"

    enrolment_id: EntityId
    course_id: EntityId
    programme_code: ProgrammeCode
    person_ref: PersonRef
    street_code: StreetCode
    enrolled_on: date


class Completed(EventData):
    """A person completed a course (结业); ``certificate`` when a certificate was awarded. The
    subsidy it earns, if any, is a separate ``granted`` event naming this enrolment."""

    event_type: ClassVar[str] = "cn.xiqing.leye.programme.completed.v1"
    topic: ClassVar[str] = TOPIC
    subject_field: ClassVar[str] = "enrolment_id"

    enrolment_id: EntityId
    course_id: EntityId
    programme_code: ProgrammeCode
    person_ref: PersonRef
    street_code: StreetCode
    completed_on: date
    certificate: bool


class LoanIssued(_Recipient):
    """A 创业担保贷款 was issued to a person or a small business; ``interest_subsidy_yuan`` is the
    贴息 the fund bears over the term."""

    event_type: ClassVar[str] = "cn.xiqing.leye.programme.loan_issued.v1"
    topic: ClassVar[str] = TOPIC
    subject_field: ClassVar[str] = "loan_id"

    loan_id: EntityId
    programme_code: ProgrammeCode
    street_code: StreetCode
    amount_yuan: Yuan
    term_months: Annotated[int, Field(ge=1, le=120)]
    interest_subsidy_yuan: Annotated[int, Field(ge=0)]
    issued_on: date
    rule_version: RuleVersion


class Granted(_Recipient):
    """A subsidy decision: ``amount_yuan`` granted under ``programme_code`` by the rule of
    ``rule_version``. ``kind`` is the programme's sub-kind where it has them (创业补贴);
    ``enrolment_id`` names the completion that earned a training subsidy. ``eligible_on`` is the day
    政策找人 found the person eligible for the programme (none when it never did, or only after the
    grant): the start of the time to benefit."""

    event_type: ClassVar[str] = "cn.xiqing.leye.programme.granted.v1"
    topic: ClassVar[str] = TOPIC
    subject_field: ClassVar[str] = "grant_id"

    grant_id: EntityId
    programme_code: ProgrammeCode
    street_code: StreetCode
    kind: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")] | None = None
    amount_yuan: Yuan
    granted_on: date
    rule_version: RuleVersion
    enrolment_id: EntityId | None = None
    eligible_on: date | None = None


class Paid(_Recipient):
    """Money paid out on a grant (keyed by the grant, so a grant's payments follow it).
    ``eligible_on`` is the grant's (see :class:`Granted`): the time to benefit of a person is the
    first payment's ``paid_on`` minus it."""

    event_type: ClassVar[str] = "cn.xiqing.leye.programme.paid.v1"
    topic: ClassVar[str] = TOPIC
    subject_field: ClassVar[str] = "grant_id"

    payment_id: EntityId
    grant_id: EntityId
    programme_code: ProgrammeCode
    street_code: StreetCode
    amount_yuan: Yuan
    paid_on: date
    rule_version: RuleVersion
    eligible_on: date | None = None


class PlacementStarted(EventData):
    """A person started a placement: 就业见习 (in a 见习岗位 ``vacancy_id`` where known), 大学生实习
    (``school``) or 公益性岗位 (``safety_net`` for 托底安置 of someone the market could not place)."""

    event_type: ClassVar[str] = "cn.xiqing.leye.programme.placement_started.v1"
    topic: ClassVar[str] = TOPIC
    subject_field: ClassVar[str] = "placement_id"

    placement_id: EntityId
    programme_code: ProgrammeCode
    person_ref: PersonRef
    employer_ref: CreditCode
    street_code: StreetCode
    vacancy_id: EntityId | None = None
    school: Annotated[str, Field(min_length=1, max_length=60)] | None = None
    safety_net: bool = False
    starts_on: date
    ends_on: date | None = None


class PlacementEnded(EventData):
    """A placement ended; for 就业见习, ``retained_after`` says whether the host kept the trainee
    (吸纳见习人员)."""

    event_type: ClassVar[str] = "cn.xiqing.leye.programme.placement_ended.v1"
    topic: ClassVar[str] = TOPIC
    subject_field: ClassVar[str] = "placement_id"

    placement_id: EntityId
    programme_code: ProgrammeCode
    person_ref: PersonRef
    employer_ref: CreditCode
    street_code: StreetCode
    ended_on: date
    retained_after: bool | None = None


FactValue = str | int | list[str] | None
"""A fact's value as rules read it: a code, a number, a set of codes (sorted), or nothing recorded."""


class ClauseMet(StrictModel):
    """One clause of an eligibility rule and the fact that satisfied it."""

    clause: Annotated[str, Field(min_length=1, max_length=200)] = Field(description="the clause, in Chinese")
    fact: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")] = Field(description="the fact it read")
    value: FactValue = Field(description="the fact's value that satisfied it (codes, never personal data)")


class Eligible(EventData):
    """政策找人 (免申即享): a person became eligible for a programme by the catalogue's rule
    (``rule_version``), after the fact event ``cause_event_id`` changed one of the facts the rule reads.
    ``clauses`` says which fact satisfied which clause. Published on the change from not eligible to
    eligible only; the matching service opens a 红娘 case (origin ``policy``) for it."""

    event_type: ClassVar[str] = "cn.xiqing.leye.programme.eligible.v1"
    topic: ClassVar[str] = TOPIC
    subject_field: ClassVar[str] = "person_ref"

    person_ref: PersonRef
    programme_code: ProgrammeCode
    programme_name: Annotated[str, Field(min_length=1, max_length=40)]
    street_code: StreetCode
    rule_version: RuleVersion
    clauses: Annotated[list[ClauseMet], Field(min_length=1, max_length=20)]
    cause_event_id: EntityId


class Refused(EventData):
    """A programme was refused to a person (declined, found not eligible on review, unreachable):
    it settles the person's eligibility for it as a grant does."""

    event_type: ClassVar[str] = "cn.xiqing.leye.programme.refused.v1"
    topic: ClassVar[str] = TOPIC
    subject_field: ClassVar[str] = "person_ref"

    refusal_id: EntityId
    person_ref: PersonRef
    programme_code: ProgrammeCode
    street_code: StreetCode
    reason: RefusalReason
    refused_on: date


class IncubatorRecognised(EventData):
    """A 创业孵化基地 was recognised (认定) at ``level`` on ``recognised_on``: first registered
    (``previous_level`` none) or recognised again at a higher level. A base counts as a new 市级 (or
    higher) base on the recognition that first brings it to 市级 or above (action plan §6)."""

    event_type: ClassVar[str] = "cn.xiqing.leye.programme.incubator_recognised.v1"
    topic: ClassVar[str] = TOPIC
    subject_field: ClassVar[str] = "incubator_id"

    incubator_id: EntityId
    street_code: StreetCode
    level: IncubatorLevel
    previous_level: IncubatorLevel | None = None
    recognised_on: date


class _IncubationEvent(EventData):
    """An event of one firm's stay (``incubation_id``) at a 创业孵化基地; ``street_code`` is the base's."""

    topic: ClassVar[str] = TOPIC
    subject_field: ClassVar[str] = "incubation_id"

    incubation_id: EntityId
    incubator_id: EntityId
    employer_ref: CreditCode
    street_code: StreetCode


class IncubateeEntered(_IncubationEvent):
    """A firm (``employer_ref``) entered a 创业孵化基地 to be incubated; ``street_code`` is the base's."""

    event_type: ClassVar[str] = "cn.xiqing.leye.programme.incubatee_entered.v1"

    entered_on: date


class IncubateeLeft(_IncubationEvent):
    """An incubated firm left its base (graduated or gave up: the record does not say which)."""

    event_type: ClassVar[str] = "cn.xiqing.leye.programme.incubatee_left.v1"

    left_on: date


class IncubateeJobsReported(_IncubationEvent):
    """An incubated firm reported ``headcount`` jobs it created since its previous report (创业带动就业),
    dated ``reported_on``: reports add up, none restates an earlier one."""

    event_type: ClassVar[str] = "cn.xiqing.leye.programme.incubatee_jobs_reported.v1"

    report_id: EntityId
    headcount: Annotated[int, Field(ge=1, le=10_000)]
    reported_on: date


class CertificateIssued(EventData):
    """A 职业技能 certificate was issued to a person: occupation (职业分类大典 code) and level (1 = 一级/
    高级技师 … 5 = 五级/初级工), and the completion (``enrolment_id``) that led to it where there was
    one. The certificate's number stays in the programmes service: it identifies its holder."""

    event_type: ClassVar[str] = "cn.xiqing.leye.programme.certificate_issued.v1"
    topic: ClassVar[str] = TOPIC
    subject_field: ClassVar[str] = "certificate_id"

    certificate_id: EntityId
    person_ref: PersonRef
    street_code: StreetCode
    occupation_code: OccupationCode
    level: Annotated[int, Field(ge=1, le=5)]
    issued_on: date
    programme_code: ProgrammeCode | None = None
    enrolment_id: EntityId | None = None


EVENTS: tuple[type[EventData], ...] = (CourseOpened, Enrolled, Completed, LoanIssued, Granted, Paid, PlacementStarted,
                                       PlacementEnded, Eligible, Refused, IncubatorRecognised, IncubateeEntered,
                                       IncubateeLeft, IncubateeJobsReported, CertificateIssued)

"""培训: courses of the training programmes, enrolments and completions. A completion earns the
programme's subsidy (马兰花: 500 元 per person) as a grant and its payment, both with the rule version."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Self

import uuid_utils
from pydantic import BaseModel, Field, model_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import select

from schemas.events.programme import ProgrammeCode
from schemas.ids import PersonRef, StreetCode
from schemas.requests import IsoDate, RequestModel
from services.runtime.errors import ProblemError
from services.runtime.http import write_router

from .. import domain, events
from ..catalogue import FixedAmount
from ..deps import CatalogueDep, SessionDep, TodayDep
from ..store import Course, Enrolment, Grant
from .grants import GrantOut, PaymentOut, grant_out, payment_out, record_grant, record_payment
from .known import require_person

router = write_router(prefix="/programmes", tags=["培训"])


class CourseIn(RequestModel):
    programme_code: ProgrammeCode = Field(description="培训项目代码（malanhua_training、skills_training）")
    title: Annotated[str, Field(min_length=1, max_length=100)]
    occupation: Annotated[str, Field(min_length=1, max_length=60)] | None = Field(None, description="职业（工种）")
    level: Annotated[int, Field(ge=1, le=5)] | None = Field(None, description="职业技能等级（1–5 级）")
    street_code: StreetCode = Field(description="培训地点所在街镇")
    starts_on: IsoDate
    ends_on: IsoDate
    capacity: Annotated[int, Field(ge=1, le=1000)]

    @model_validator(mode="after")
    def _ends_after_start(self) -> Self:
        if self.ends_on < self.starts_on:
            raise PydanticCustomError("ends_before_start", "结束日期不得早于开始日期")
        return self


class CourseOut(BaseModel):
    course_id: str
    programme_code: str
    title: str
    occupation: str | None
    level: int | None
    street_code: str
    starts_on: date
    ends_on: date
    capacity: int
    enrolled_count: int


class EnrolmentIn(RequestModel):
    person_ref: PersonRef = Field(description="人员编号（person_ref）")
    street_code: StreetCode = Field(description="学员所在街镇")
    enrolled_on: IsoDate = Field(description="报名日期（不晚于今天）")


class CompletionIn(RequestModel):
    completed_on: IsoDate = Field(description="结业日期（不早于报名日期，不晚于今天）")
    certificate: bool = Field(description="是否取得证书")
    subsidy_yuan: Annotated[int, Field(gt=0)] | None = Field(
        None, description="培训补贴（元）：定额项目（马兰花）按目录标准自动发放，可不填；其他项目不超过上限")


class EnrolmentOut(BaseModel):
    enrolment_id: str
    course_id: str
    programme_code: str
    person_ref: str
    street_code: str
    enrolled_on: date
    completed_on: date | None
    certificate: bool | None


class CompletionOut(EnrolmentOut):
    grant: GrantOut | None = Field(description="结业所得的培训补贴（无补贴时为空）")
    payment: PaymentOut | None


def course_out(row: Course) -> CourseOut:
    return CourseOut(course_id=row.id, programme_code=row.programme_code, title=row.title, occupation=row.occupation,
                     level=row.level, street_code=row.street_code, starts_on=row.starts_on, ends_on=row.ends_on,
                     capacity=row.capacity, enrolled_count=row.enrolled_count)


def enrolment_out(row: Enrolment) -> EnrolmentOut:
    return EnrolmentOut(enrolment_id=row.id, course_id=row.course_id, programme_code=row.programme_code,
                        person_ref=row.person_ref, street_code=row.street_code, enrolled_on=row.enrolled_on,
                        completed_on=row.completed_on, certificate=row.certificate)


@router.post("/courses", status_code=201, summary="开设培训班", response_model=CourseOut)
def open_course(body: CourseIn, session: SessionDep, catalogue: CatalogueDep) -> CourseOut:
    domain.programme_of(catalogue, body.programme_code, ("training",))
    course = Course(id=str(uuid_utils.uuid7()), programme_code=body.programme_code, title=body.title,
                    occupation=body.occupation, level=body.level, street_code=body.street_code,
                    starts_on=body.starts_on, ends_on=body.ends_on, capacity=body.capacity, enrolled_count=0)
    session.add(course)
    events.publish(session, events.course_opened(course))
    return course_out(course)


@router.get("/courses/{course_id}", summary="查询培训班", response_model=CourseOut)
def read_course(course_id: str, session: SessionDep) -> CourseOut:
    course = session.get(Course, course_id)
    if course is None:
        raise ProblemError(404, "course_not_found", "未找到该培训班")
    return course_out(course)


@router.post("/courses/{course_id}/enrolments", status_code=201, summary="培训报名", response_model=EnrolmentOut)
def enrol(course_id: str, body: EnrolmentIn, session: SessionDep, today: TodayDep) -> EnrolmentOut:
    course = session.get(Course, course_id)
    if course is None:
        raise ProblemError(404, "course_not_found", "未找到该培训班")
    require_person(session, body.person_ref)
    domain.not_after_today("body.enrolled_on", body.enrolled_on, today)
    if body.enrolled_on > course.ends_on:
        raise domain.field_error("body.enrolled_on", "报名日期不得晚于培训班结束日期", "enrolled_after_end")
    enrolled = select(Enrolment.id).where(Enrolment.course_id == course.id, Enrolment.person_ref == body.person_ref)
    if session.scalar(enrolled) is not None:
        raise ProblemError(409, "already_enrolled", "该人员已报名此培训班")
    if course.enrolled_count >= course.capacity:
        raise ProblemError(409, "course_full", "培训班已满员")
    course.enrolled_count += 1
    enrolment = Enrolment(id=str(uuid_utils.uuid7()), course_id=course.id, programme_code=course.programme_code,
                          person_ref=body.person_ref, street_code=body.street_code, enrolled_on=body.enrolled_on)
    session.add(enrolment)
    events.publish(session, events.enrolled(enrolment))
    return enrolment_out(enrolment)


@router.get("/enrolments/{enrolment_id}", summary="查询培训报名与结业", response_model=EnrolmentOut)
def read_enrolment(enrolment_id: str, session: SessionDep) -> EnrolmentOut:
    enrolment = session.get(Enrolment, enrolment_id)
    if enrolment is None:
        raise ProblemError(404, "enrolment_not_found", "未找到该报名记录")
    return enrolment_out(enrolment)


@router.post("/enrolments/{enrolment_id}/completion", summary="登记结业（按目录发放并支付培训补贴）",
             response_model=CompletionOut)
def complete(enrolment_id: str, body: CompletionIn, session: SessionDep, catalogue: CatalogueDep,
             today: TodayDep) -> CompletionOut:
    enrolment = session.get(Enrolment, enrolment_id)
    if enrolment is None:
        raise ProblemError(404, "enrolment_not_found", "未找到该报名记录")
    if enrolment.completed_on is not None:
        raise ProblemError(409, "already_completed", "该学员已登记结业")
    if body.completed_on < enrolment.enrolled_on:
        raise domain.field_error("body.completed_on", "结业日期不得早于报名日期", "completed_before_enrolment")
    domain.not_after_today("body.completed_on", body.completed_on, today)
    programme = domain.programme_of(catalogue, enrolment.programme_code, ("training",))
    rule = programme.amount
    if isinstance(rule, FixedAmount):
        amount: int | None = domain.grant_amount(programme, "person", body.subsidy_yuan, None, None)
    elif body.subsidy_yuan is not None:
        domain.check_within_cap(programme, "person", body.subsidy_yuan, "body.subsidy_yuan")
        amount = body.subsidy_yuan
    else:
        amount = None
    enrolment.completed_on, enrolment.certificate = body.completed_on, body.certificate
    events.publish(session, events.completed(enrolment))
    grant: Grant | None = None
    payment = None
    if amount is not None:
        grant = record_grant(session, catalogue, programme, kind=None, person_ref=enrolment.person_ref,
                             employer_ref=None, street_code=enrolment.street_code, amount=amount,
                             granted_on=body.completed_on, enrolment_id=enrolment.id,
                             exclusive_field="path.enrolment_id")
        payment = record_payment(session, catalogue, grant, amount, body.completed_on)
    return CompletionOut(**enrolment_out(enrolment).model_dump(),
                         grant=grant_out(grant) if grant else None, payment=payment_out(payment) if payment else None)

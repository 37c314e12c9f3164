"""职业技能 certificates (职业技能培训 by occupation and level) as records of their own. The number
identifies its holder: it is kept and served here (audited at the gateway) and never published."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import uuid_utils
from pydantic import BaseModel, Field
from sqlalchemy import select

from schemas.events.programme import CertificateIssued
from schemas.fields import OccupationCode
from schemas.ids import EntityId, PersonRef, StreetCode
from schemas.requests import IsoDate, RequestModel
from services.runtime.errors import ProblemError
from services.runtime.http import write_router

from .. import domain, events
from ..deps import SessionDep, TodayDep
from ..store import Certificate, Enrolment
from .known import require_person

router = write_router(prefix="/programmes", tags=["培训"])


class CertificateIn(RequestModel):
    person_ref: PersonRef = Field(description="持证人的人员编号（person_ref）")
    street_code: StreetCode = Field(description="持证人所在街镇")
    occupation_code: OccupationCode
    level: Annotated[int, Field(ge=1, le=5)] = Field(description="职业技能等级：1 一级/高级技师 … 5 五级/初级工")
    certificate_number: Annotated[str, Field(pattern=r"^[0-9A-Za-z-]{6,40}$")] = Field(
        description="证书编号（只保存在项目服务中，不发布）")
    issued_on: IsoDate = Field(description="发证日期（不晚于今天；有培训记录的不早于结业日期）")
    enrolment_id: EntityId | None = Field(None, description="取得证书的培训报名记录（已结业）")


class CertificateOut(BaseModel):
    certificate_id: str
    person_ref: str
    street_code: str
    occupation_code: str
    level: int
    certificate_number: str
    issued_on: date
    programme_code: str | None
    enrolment_id: str | None


def certificate_out(row: Certificate) -> CertificateOut:
    return CertificateOut(certificate_id=row.id, person_ref=row.person_ref, street_code=row.street_code,
                          occupation_code=row.occupation_code, level=row.level, certificate_number=row.number,
                          issued_on=row.issued_on, programme_code=row.programme_code, enrolment_id=row.enrolment_id)


@router.post("/certificates", status_code=201, summary="登记职业技能等级证书", response_model=CertificateOut)
def issue_certificate(body: CertificateIn, session: SessionDep, today: TodayDep) -> CertificateOut:
    require_person(session, body.person_ref)
    domain.not_after_today("body.issued_on", body.issued_on, today)
    programme_code = None
    if body.enrolment_id is not None:
        enrolment = session.get(Enrolment, body.enrolment_id)
        if enrolment is None:
            raise domain.field_error("body.enrolment_id", "未找到该培训报名记录", "unknown_enrolment")
        if enrolment.person_ref != body.person_ref:
            raise domain.field_error("body.person_ref", "持证人与该培训报名记录的学员不一致", "not_the_trainee")
        if enrolment.completed_on is None:
            raise domain.field_error("body.enrolment_id", "该学员尚未结业", "not_completed")
        if body.issued_on < enrolment.completed_on:
            raise domain.field_error("body.issued_on", "发证日期不得早于结业日期", "issued_before_completion")
        programme_code = enrolment.programme_code
    if session.scalar(select(Certificate.id).where(Certificate.number == body.certificate_number)) is not None:
        raise domain.field_error("body.certificate_number", "该证书编号已登记", "duplicate_certificate")
    row = Certificate(id=str(uuid_utils.uuid7()), person_ref=body.person_ref, street_code=body.street_code,
                      occupation_code=body.occupation_code, level=body.level, number=body.certificate_number,
                      issued_on=body.issued_on, programme_code=programme_code, enrolment_id=body.enrolment_id)
    session.add(row)
    events.publish(session, CertificateIssued(
        certificate_id=row.id, person_ref=row.person_ref, street_code=row.street_code,
        occupation_code=row.occupation_code, level=row.level, issued_on=row.issued_on,
        programme_code=row.programme_code, enrolment_id=row.enrolment_id))
    return certificate_out(row)


@router.get("/certificates/{certificate_id}", summary="查询职业技能等级证书", response_model=CertificateOut)
def read_certificate(certificate_id: str, session: SessionDep) -> CertificateOut:
    row = session.get(Certificate, certificate_id)
    if row is None:
        raise ProblemError(404, "certificate_not_found", "未找到该证书")
    return certificate_out(row)

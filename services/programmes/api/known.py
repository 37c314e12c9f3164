"""The recording routes' check that a person or an employer exists: known from the read model of
``leye.registration`` / ``leye.vacancy`` (``store.PersonFactsRow``, ``store.EmployerFactsRow``)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from .. import domain
from ..store import EmployerFactsRow, PersonFactsRow


def require_person(session: Session, person_ref: str, field: str = "body.person_ref") -> PersonFactsRow:
    row = session.get(PersonFactsRow, person_ref)
    if row is None:
        raise domain.field_error(field, "未找到该人员：登记服务中没有这个人员编号，或其登记尚未同步到项目服务",
                                 "unknown_person")
    return row


def require_employer(session: Session, employer_ref: str, field: str = "body.employer_ref") -> EmployerFactsRow:
    row = session.get(EmployerFactsRow, employer_ref)
    if row is None:
        raise domain.field_error(
            field, "未找到该用人单位：岗位服务中没有这个统一社会信用代码，或其登记尚未同步到项目服务",
            "unknown_employer")
    return row


def require_recipient(session: Session, person_ref: str | None, employer_ref: str | None) -> None:
    if person_ref is not None:
        require_person(session, person_ref)
    if employer_ref is not None:
        require_employer(session, employer_ref)

"""用人单位: register (or update) an employer by 统一社会信用代码 and read it back."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Response
from pydantic import Field

from schemas.fields import Count
from schemas.ids import CreditCode, StreetCode
from schemas.requests import IndustryIn, RequestModel
from services.runtime.errors import ProblemError
from services.runtime.http import write_router

from .. import events
from ..deps import SessionDep
from ..store import Employer

router = write_router(prefix="/employers", tags=["用人单位"])


class EmployerIn(RequestModel):
    """An employer as registered; re-posting a known employer_ref updates its details."""

    employer_ref: CreditCode = Field(description="用人单位统一社会信用代码（18位，GB 32100）")
    name: Annotated[str, Field(min_length=1, max_length=100)]
    industry: IndustryIn
    street_code: StreetCode
    staff_count: Count


class EmployerOut(EmployerIn):
    pass


def employer_out(row: Employer) -> EmployerOut:
    return EmployerOut.model_construct(
        employer_ref=row.employer_ref, name=row.name,
        industry=events.industry_of(row.industry_section, row.industry_division),
        street_code=row.street_code, staff_count=row.staff_count,
    )


def get_employer(session: SessionDep, employer_ref: str) -> Employer:
    employer = session.get(Employer, employer_ref)
    if employer is None:
        raise ProblemError(404, "employer_not_found", "未找到该用人单位")
    return employer


@router.post("", status_code=201, summary="登记用人单位（已登记则更新）", response_model=EmployerOut,
             responses={200: {"description": "已更新"}})
def register_employer(
    body: EmployerIn, session: SessionDep, response: Response
) -> EmployerOut:
    employer = session.get(Employer, body.employer_ref)
    if employer is None:
        employer = Employer(employer_ref=body.employer_ref)
        session.add(employer)
    else:
        response.status_code = 200
    employer.name = body.name
    employer.industry_section = body.industry.section.value
    employer.industry_division = body.industry.division
    employer.street_code = body.street_code
    employer.staff_count = body.staff_count
    events.publish(session, events.employer_registered(employer))
    return employer_out(employer)


@router.get("/{employer_ref}", summary="查询用人单位", response_model=EmployerOut)
def read_employer(employer_ref: Annotated[CreditCode, Path(description="用人单位统一社会信用代码")],
                  session: SessionDep) -> EmployerOut:
    return employer_out(get_employer(session, employer_ref))

"""用人单位: register (or update) an employer by 统一社会信用代码 and read it back."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import Path, Response
from pydantic import Field

from schemas.fields import Count
from schemas.ids import CommunityCode, CreditCode, StreetCode
from schemas.reference import Community, community_fault
from schemas.requests import IndustryIn, RequestModel
from services.runtime.errors import ProblemError, validation_detail
from services.runtime.http import write_router

from .. import events
from ..deps import CommunitiesDep, SessionDep
from ..store import Employer

router = write_router(prefix="/employers", tags=["用人单位"])


class EmployerIn(RequestModel):
    """An employer as registered; re-posting a known employer_ref updates its details."""

    employer_ref: CreditCode = Field(description="用人单位统一社会信用代码（18位，GB 32100）")
    name: Annotated[str, Field(min_length=1, max_length=100)]
    industry: IndustryIn
    street_code: StreetCode
    community_code: CommunityCode | None = Field(
        None, description="所在社区/行政村代码（须在社区名单中且属于 street_code 所指街镇）；重新登记时不填即清除")
    staff_count: Count


class EmployerOut(EmployerIn):
    pass


def employer_out(row: Employer) -> EmployerOut:
    return EmployerOut.model_construct(
        employer_ref=row.employer_ref, name=row.name,
        industry=events.industry_of(row.industry_section, row.industry_division),
        street_code=row.street_code, community_code=row.community_code, staff_count=row.staff_count,
    )


def checked_community(body: EmployerIn, communities: Mapping[str, Community]) -> str | None:
    """The body's community code, checked against the list and the employer's 街镇 (the rule persons'
    codes follow: ``schemas.reference.community_fault``), before anything is changed."""
    if body.community_code is None:
        return None
    fault = community_fault(communities, body.community_code, body.street_code)
    if fault is not None:
        errors = [{"field": "body.community_code", "message": fault[1], "type": fault[0]}]
        raise ProblemError(422, "validation_failed", validation_detail(errors), errors=errors)
    return body.community_code


def get_employer(session: SessionDep, employer_ref: str) -> Employer:
    employer = session.get(Employer, employer_ref)
    if employer is None:
        raise ProblemError(404, "employer_not_found", "未找到该用人单位")
    return employer


@router.post("", status_code=201, summary="登记用人单位（已登记则更新）", response_model=EmployerOut,
             responses={200: {"description": "已更新"}})
def register_employer(
    body: EmployerIn, session: SessionDep, communities: CommunitiesDep, response: Response
) -> EmployerOut:
    community_code = checked_community(body, communities)
    employer = session.get(Employer, body.employer_ref)
    if employer is None:
        employer = Employer(employer_ref=body.employer_ref)
        session.add(employer)
    else:
        response.status_code = 200
    employer.name = body.name
    employer.industry_section = body.industry.section.value
    employer.industry_division = body.industry.division
    employer.street_code, employer.community_code = body.street_code, community_code
    employer.staff_count = body.staff_count
    events.publish(session, events.employer_registered(employer))
    return employer_out(employer)


@router.get("/{employer_ref}", summary="查询用人单位", response_model=EmployerOut)
def read_employer(employer_ref: Annotated[CreditCode, Path(description="用人单位统一社会信用代码")],
                  session: SessionDep) -> EmployerOut:
    return employer_out(get_employer(session, employer_ref))

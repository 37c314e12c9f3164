"""创业担保贷款: loans to a person or a small business, within the catalogue's cap and term."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import uuid_utils
from pydantic import BaseModel, Field

from schemas.events.programme import ProgrammeCode
from schemas.ids import CreditCode, PersonRef, StreetCode
from schemas.requests import IsoDate, RequestModel
from services.runtime.errors import ProblemError
from services.runtime.http import write_router

from .. import domain, events
from ..deps import CatalogueDep, SessionDep, TodayDep
from ..store import Loan
from .known import require_recipient

router = write_router(prefix="/programmes", tags=["创业担保贷款"])


class LoanIn(RequestModel):
    programme_code: ProgrammeCode = Field("startup_loan", description="贷款项目代码")
    person_ref: PersonRef | None = Field(None, description="借款人（个人）")
    employer_ref: CreditCode | None = Field(None, description="借款人（小微企业，统一社会信用代码）")
    street_code: StreetCode = Field(description="借款人所在街镇")
    amount_yuan: Annotated[int, Field(gt=0, description="贷款金额（元）")]
    term_months: Annotated[int, Field(ge=1, le=120, description="贷款期限（月）")]
    interest_subsidy_yuan: Annotated[int, Field(ge=0, description="财政贴息金额（元）")] = 0
    issued_on: IsoDate = Field(description="放款日期（不晚于今天）")


class LoanOut(BaseModel):
    loan_id: str
    programme_code: str
    person_ref: str | None
    employer_ref: str | None
    street_code: str
    amount_yuan: int
    term_months: int
    interest_subsidy_yuan: int
    issued_on: date
    rule_version: str


def loan_out(row: Loan) -> LoanOut:
    return LoanOut(loan_id=row.id, programme_code=row.programme_code, person_ref=row.person_ref,
                   employer_ref=row.employer_ref, street_code=row.street_code, amount_yuan=row.amount_yuan,
                   term_months=row.term_months, interest_subsidy_yuan=row.interest_subsidy_yuan,
                   issued_on=row.issued_on, rule_version=row.rule_version)


@router.post("/loans", status_code=201, summary="登记创业担保贷款（按目录上限与期限校验）", response_model=LoanOut)
def issue_loan(body: LoanIn, session: SessionDep, catalogue: CatalogueDep, today: TodayDep) -> LoanOut:
    programme = domain.programme_of(catalogue, body.programme_code, ("loan",))
    recipient = domain.recipient_of(programme, body.person_ref, body.employer_ref)
    require_recipient(session, body.person_ref, body.employer_ref)
    domain.check_loan(programme, recipient, body.amount_yuan, body.term_months, body.interest_subsidy_yuan)
    domain.not_after_today("body.issued_on", body.issued_on, today)
    loan = Loan(id=str(uuid_utils.uuid7()), programme_code=programme.code, person_ref=body.person_ref,
                employer_ref=body.employer_ref, street_code=body.street_code, amount_yuan=body.amount_yuan,
                term_months=body.term_months, interest_subsidy_yuan=body.interest_subsidy_yuan,
                issued_on=body.issued_on, rule_version=catalogue.version)
    session.add(loan)
    events.publish(session, events.loan_issued(loan))
    return loan_out(loan)


@router.get("/loans/{loan_id}", summary="查询创业担保贷款", response_model=LoanOut)
def read_loan(loan_id: str, session: SessionDep) -> LoanOut:
    loan = session.get(Loan, loan_id)
    if loan is None:
        raise ProblemError(404, "loan_not_found", "未找到该贷款")
    return loan_out(loan)

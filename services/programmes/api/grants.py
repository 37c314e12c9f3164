"""补贴发放与支付: grants (every subsidy decision, with the rule version that allowed it) and the
payments made on them."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import uuid_utils
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from schemas.events.programme import ProgrammeCode
from schemas.ids import CreditCode, EntityId, PersonRef, StreetCode
from schemas.requests import IsoDate, RequestModel
from services.runtime.errors import ProblemError
from services.runtime.http import write_router

from .. import domain, events, funds, supervision
from ..catalogue import Catalogue, Programme
from ..deps import CatalogueDep, RuleIndexDep, SessionDep, TodayDep
from ..eligibility import RuleIndex
from ..store import Grant, Payment
from .known import require_recipient

router = write_router(prefix="/programmes", tags=["补贴发放"])

Yuan = Annotated[int, Field(gt=0, description="金额（元，整数）")]


class GrantIn(RequestModel):
    """A subsidy decision for a person (person_ref) or a business (employer_ref)."""

    programme_code: ProgrammeCode = Field(description="项目代码（见 GET /programmes/catalogue）")
    kind: Annotated[str, Field(max_length=40)] | None = Field(None, description="项目类别（创业补贴须填写）")
    person_ref: PersonRef | None = None
    employer_ref: CreditCode | None = None
    street_code: StreetCode = Field(description="对象所在街镇")
    amount_yuan: Yuan | None = Field(None, description="补贴金额（元）；定额项目可不填")
    granted_on: IsoDate = Field(description="决定发放的日期（不晚于今天）")
    months: Annotated[int, Field(ge=1, le=12)] | None = Field(None, description="补贴月数（社保补贴）")
    contributions_yuan: Yuan | None = Field(None, description="个人已缴纳的社会保险费（元，社保补贴）")


class GrantOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    grant_id: str
    programme_code: str
    kind: str | None
    person_ref: str | None
    employer_ref: str | None
    street_code: str
    amount_yuan: int
    paid_yuan: int
    granted_on: date
    rule_version: str = Field(description="决定所依据的项目目录版本")
    enrolment_id: str | None
    months: int | None
    contributions_yuan: int | None
    eligible_on: date | None = Field(
        description="政策找人发现该人员符合本项目条件的日期（享受时长的起点；未发现时为空）")


class PaymentIn(RequestModel):
    grant_id: EntityId = Field(description="所支付的补贴")
    amount_yuan: Yuan
    paid_on: IsoDate = Field(description="支付日期（不早于决定日期，不晚于今天）")


class PaymentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    payment_id: str
    grant_id: str
    programme_code: str
    person_ref: str | None
    employer_ref: str | None
    street_code: str
    amount_yuan: int
    paid_on: date
    rule_version: str


def grant_out(row: Grant) -> GrantOut:
    return GrantOut(grant_id=row.id, programme_code=row.programme_code, kind=row.kind, person_ref=row.person_ref,
                    employer_ref=row.employer_ref, street_code=row.street_code, amount_yuan=row.amount_yuan,
                    paid_yuan=row.paid_yuan, granted_on=row.granted_on, rule_version=row.rule_version,
                    enrolment_id=row.enrolment_id, months=row.months, contributions_yuan=row.contributions_yuan,
                    eligible_on=row.eligible_on)


def payment_out(row: Payment) -> PaymentOut:
    return PaymentOut(payment_id=row.id, grant_id=row.grant_id, programme_code=row.programme_code,
                      person_ref=row.person_ref, employer_ref=row.employer_ref, street_code=row.street_code,
                      amount_yuan=row.amount_yuan, paid_on=row.paid_on, rule_version=row.rule_version)


def record_grant(session: Session, catalogue: Catalogue, programme: Programme, *, kind: str | None,
                 person_ref: str | None, employer_ref: str | None, street_code: str, amount: int, granted_on: date,
                 enrolment_id: str | None = None, months: int | None = None,
                 contributions: int | None = None, exclusive_field: str = "body.person_ref",
                 rules: RuleIndex | None = None) -> Grant:
    """Stage a grant and its event, refusing a second one-off grant to the same recipient, and flag
    what 资金监管 finds in it (``funds.check_grant``)."""
    recipient_ref = person_ref or employer_ref
    assert recipient_ref is not None
    key = domain.exclusive_key(programme, kind, recipient_ref)
    # Every earlier grant the current rule makes a twin, not only one with the same key: a grant
    # recorded under an older catalogue (before the programme, or only its kind, was one-off) counts.
    earlier = funds.recipient_grants(session, programme.code, person_ref, employer_ref) if key is not None else []
    if supervision.conflicting(programme, kind, earlier):
        field = exclusive_field if person_ref is not None else "body.employer_ref"
        raise domain.field_error(field, f"已享受过{programme.name}（一次性补贴），不得重复发放", "exclusive_grant")
    found = funds.eligible_on(session, person_ref, programme.code, granted_on) if person_ref is not None else None
    grant = Grant(id=str(uuid_utils.uuid7()), programme_code=programme.code, kind=kind, person_ref=person_ref,
                  employer_ref=employer_ref, street_code=street_code, amount_yuan=amount, paid_yuan=0,
                  granted_on=granted_on, rule_version=catalogue.version, enrolment_id=enrolment_id, months=months,
                  contributions_yuan=contributions, exclusive_key=key, eligible_on=found)
    session.add(grant)
    events.publish(session, events.granted(grant))
    funds.check_grant(session, programme, rules, grant)
    return grant


def record_payment(session: Session, catalogue: Catalogue, grant: Grant, amount: int, paid_on: date) -> Payment:
    """Stage a payment on ``grant`` (never more than is left to pay) and its event, and flag what
    资金监管 finds in it (``funds.check_payment``)."""
    if amount > grant.amount_yuan - grant.paid_yuan:
        raise domain.field_error("body.amount_yuan",
                                 f"超过该补贴尚未支付的金额（{grant.amount_yuan - grant.paid_yuan}元）", "overpaid")
    if paid_on < grant.granted_on:
        raise domain.field_error("body.paid_on", "支付日期不得早于决定发放的日期", "paid_before_grant")
    grant.paid_yuan += amount
    payment = Payment(id=str(uuid_utils.uuid7()), grant_id=grant.id, programme_code=grant.programme_code,
                      person_ref=grant.person_ref, employer_ref=grant.employer_ref, street_code=grant.street_code,
                      amount_yuan=amount, paid_on=paid_on, rule_version=grant.rule_version)
    session.add(payment)
    events.publish(session, events.paid(payment, grant.eligible_on))
    programme = catalogue.get(grant.programme_code)
    if programme is not None:  # a programme since removed from the catalogue has no rule left to check
        funds.check_payment(session, programme, grant)
    return payment


@router.post("/grants", status_code=201, summary="登记补贴发放决定（按项目目录规则与上限校验）",
             response_model=GrantOut)
def create_grant(body: GrantIn, session: SessionDep, catalogue: CatalogueDep, rules: RuleIndexDep,
                 today: TodayDep) -> GrantOut:
    programme = domain.programme_of(catalogue, body.programme_code, ("grant", "subsidy"))
    recipient = domain.recipient_of(programme, body.person_ref, body.employer_ref)
    require_recipient(session, body.person_ref, body.employer_ref)
    domain.check_kind(programme, body.kind)
    domain.not_after_today("body.granted_on", body.granted_on, today)
    amount = domain.grant_amount(programme, recipient, body.amount_yuan, body.contributions_yuan, body.months)
    grant = record_grant(session, catalogue, programme, kind=body.kind, person_ref=body.person_ref,
                         employer_ref=body.employer_ref, street_code=body.street_code, amount=amount,
                         granted_on=body.granted_on, months=body.months, contributions=body.contributions_yuan,
                         rules=rules)
    return grant_out(grant)


@router.get("/grants/{grant_id}", summary="查询补贴发放决定", response_model=GrantOut)
def read_grant(grant_id: str, session: SessionDep) -> GrantOut:
    grant = session.get(Grant, grant_id)
    if grant is None:
        raise ProblemError(404, "grant_not_found", "未找到该补贴")
    return grant_out(grant)


@router.post("/payments", status_code=201, summary="登记补贴支付（不超过尚未支付的金额）", response_model=PaymentOut)
def create_payment(body: PaymentIn, session: SessionDep, catalogue: CatalogueDep, today: TodayDep) -> PaymentOut:
    grant = session.get(Grant, body.grant_id)
    if grant is None:
        raise domain.field_error("body.grant_id", "未找到该补贴", "unknown_grant")
    domain.not_after_today("body.paid_on", body.paid_on, today)
    return payment_out(record_payment(session, catalogue, grant, body.amount_yuan, body.paid_on))


@router.get("/payments/{payment_id}", summary="查询补贴支付", response_model=PaymentOut)
def read_payment(payment_id: str, session: SessionDep) -> PaymentOut:
    payment = session.get(Payment, payment_id)
    if payment is None:
        raise ProblemError(404, "payment_not_found", "未找到该支付记录")
    return payment_out(payment)

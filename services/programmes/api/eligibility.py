"""政策找人 (免申即享): why a person is (or is not) eligible for a programme, in Chinese, clause by
clause from the facts the service holds; and refusals, which settle a person's eligibility for a
programme as a grant does."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import uuid_utils
from fastapi import Path
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from schemas.events.programme import ProgrammeCode, Refused
from schemas.ids import PersonRef
from schemas.requests import Code, IsoDate, RequestModel
from schemas.vocab import RefusalReason
from services.runtime.errors import ProblemError
from services.runtime.http import write_router

from .. import domain, events
from ..deps import CatalogueDep, RuleIndexDep, SessionDep, TodayDep
from ..eligibility import FactValue, Rule, RuleIndex, explain, summary
from ..store import Eligibility, PersonFactsRow, Refusal
from .known import require_person

router = write_router(prefix="/programmes", tags=["政策找人"])

PersonPath = Annotated[PersonRef, Path(description="人员编号（person_ref）")]
ProgrammePath = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{1,39}$", description="项目代码")]


class ClauseOut(BaseModel):
    clause: str = Field(description="条件（中文）")
    fact: str = Field(description="所依据的事实")
    fact_label: str = Field(description="事实名称（中文）")
    value: FactValue = Field(description="该事实当前的值（代码）")
    value_text: str = Field(description="该事实当前的值（中文）")
    held: bool = Field(description="条件是否满足")


class EligibilityOut(BaseModel):
    person_ref: str
    programme_code: str
    programme_name: str
    rule_version: str = Field(description="资格规则所在的项目目录版本")
    eligible: bool = Field(description="按当前事实是否符合全部条件")
    summary: str = Field(description="为何符合（或不符合）：逐条说明")
    clauses: list[ClauseOut]
    found_at: datetime | None = Field(description="政策找人发现其符合条件的时间（当前不符合时为空）")
    event_id: str | None = Field(description="所发布的 programme.eligible 事件（已享受一次性项目时为空）")


class RefusalIn(RequestModel):
    programme_code: ProgrammeCode = Field(description="项目代码")
    person_ref: PersonRef = Field(description="人员编号（person_ref）")
    reason: Code[RefusalReason] = Field(description="declined（本人放弃）、not_eligible（经审核不符合条件）、"
                                                    "unreachable（无法联系）或 other")
    refused_on: IsoDate = Field(description="日期（不晚于今天）")


class RefusalOut(BaseModel):
    refusal_id: str
    programme_code: str
    person_ref: str
    street_code: str
    reason: str
    refused_on: date


def _explained(session: Session, index: RuleIndex, row: PersonFactsRow, rule: Rule) -> EligibilityOut:
    facts = row.facts()
    checks = explain(rule, facts)
    eligible = all(check.held for check in checks)
    state = session.get(Eligibility, (row.person_ref, rule.programme_code))
    recorded = state is not None and state.eligible
    return EligibilityOut(
        person_ref=row.person_ref, programme_code=rule.programme_code, programme_name=rule.programme_name,
        rule_version=index.version, eligible=eligible, summary=summary(rule, checks),
        clauses=[ClauseOut(clause=c.clause, fact=c.fact, fact_label=c.fact_label, value=c.value,
                           value_text=c.value_text, held=c.held) for c in checks],
        found_at=state.found_at if recorded and state is not None else None,
        event_id=state.event_id if recorded and state is not None else None)


def _person(session: Session, person_ref: str) -> PersonFactsRow:
    row = session.get(PersonFactsRow, person_ref)
    if row is None:
        raise ProblemError(404, "person_not_found", "未找到该人员（或其登记尚未同步到项目服务）")
    return row


@router.get("/eligibility/{person_ref}", summary="政策找人：该人员符合哪些项目的条件（逐条说明）",
            response_model=list[EligibilityOut])
def person_eligibility(person_ref: PersonPath, session: SessionDep, index: RuleIndexDep) -> list[EligibilityOut]:
    row = _person(session, person_ref)
    return [_explained(session, index, row, rule) for rule in index.rules]


@router.get("/eligibility/{person_ref}/{programme_code}", summary="政策找人：为何符合（或不符合）该项目的条件",
            response_model=EligibilityOut)
def why_eligible(person_ref: PersonPath, programme_code: ProgrammePath, session: SessionDep, index: RuleIndexDep,
                 catalogue: CatalogueDep) -> EligibilityOut:
    row = _person(session, person_ref)
    rule = index.rule(programme_code)
    if rule is None:
        if catalogue.get(programme_code) is None:
            raise ProblemError(404, "programme_not_found", f"项目目录（{catalogue.version}）中没有该项目")
        raise ProblemError(404, "no_eligibility_rule", "该项目没有免申即享的资格规则")
    return _explained(session, index, row, rule)


def refusal_out(row: Refusal) -> RefusalOut:
    return RefusalOut(refusal_id=row.id, programme_code=row.programme_code, person_ref=row.person_ref,
                      street_code=row.street_code, reason=row.reason, refused_on=row.refused_on)


@router.post("/refusals", status_code=201, summary="登记不予享受（本人放弃、审核不符合或无法联系）",
             response_model=RefusalOut)
def refuse(body: RefusalIn, session: SessionDep, catalogue: CatalogueDep, today: TodayDep) -> RefusalOut:
    programme = domain.programme_of(catalogue, body.programme_code, ("grant", "subsidy", "placement", "training",
                                                                     "loan"))
    domain.recipient_of(programme, body.person_ref, None)
    person = require_person(session, body.person_ref)
    domain.not_after_today("body.refused_on", body.refused_on, today)
    row = Refusal(id=str(uuid_utils.uuid7()), programme_code=programme.code, person_ref=body.person_ref,
                  street_code=person.street_code, reason=body.reason.value, refused_on=body.refused_on)
    session.add(row)
    events.publish(session, Refused(refusal_id=row.id, person_ref=row.person_ref, programme_code=row.programme_code,
                                    street_code=row.street_code, reason=body.reason, refused_on=row.refused_on))
    return refusal_out(row)


@router.get("/refusals/{refusal_id}", summary="查询不予享受的登记", response_model=RefusalOut)
def read_refusal(refusal_id: str, session: SessionDep) -> RefusalOut:
    row = session.get(Refusal, refusal_id)
    if row is None:
        raise ProblemError(404, "refusal_not_found", "未找到该登记")
    return refusal_out(row)

"""资金监管 (fund supervision), the I/O half: reads the rows the rules of ``supervision.py`` need and
records every flag they find — its ``fund_flags`` row and its ``alert.raised`` event on ``leye.alert``
— in the caller's transaction (the outbox), so a flag exists exactly when the change that caused it
committed. ``fund_flags.breach_key`` is unique: a breach found again (a second payment on the same
grant, a redelivered registration event) is not flagged again, and two transactions finding it at
once cannot both commit.

When each rule runs:

- a grant (``check_grant``): training subsidies beyond the yearly cap; a grant without eligibility on
  its day;
- a payment (``check_payment``): a one-off grant that has a twin (recording refuses a second one it
  can see; this catches one it could not: two replicas on different catalogue versions at once, or
  grants recorded before the programme became one-off); a payment for months worked elsewhere;
- an employment registration applied to the read model (``recheck_employment``): the person's paid
  grants again, for a job registered after the payment.

The bureau resolves a flag it reviewed (``resolve_flag``, ``POST /programmes/fund-flags/{id}/resolution``):
the row keeps the reason, and ``alert.resolved`` closes the warning wherever it shows.
"""

from __future__ import annotations

from datetime import date, datetime

import uuid_utils
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from schemas.events.alert import AlertRaised, AlertResolved
from schemas.vocab import AlertLevel, AlertSource, ScopeKind

from . import events, supervision
from .catalogue import Catalogue, Programme
from .domain import local_day
from .eligibility import RuleIndex
from .facts import PersonFacts
from .store import Eligibility, EmploymentSpellRow, FactsHistoryRow, FundFlag, Grant
from .supervision import Flag, GrantView, Spell


def view(grant: Grant) -> GrantView:
    recipient = grant.person_ref or grant.employer_ref
    assert recipient is not None
    return GrantView(grant_id=grant.id, programme_code=grant.programme_code, kind=grant.kind, recipient_ref=recipient,
                     street_code=grant.street_code, amount_yuan=grant.amount_yuan, granted_on=grant.granted_on,
                     months=grant.months)


def recipient_grants(session: Session, programme_code: str, person_ref: str | None,
                     employer_ref: str | None) -> list[GrantView]:
    """Every grant of the programme to this recipient (the caller's own pending one included)."""
    who = []
    if person_ref is not None:
        who.append(Grant.person_ref == person_ref)
    if employer_ref is not None:
        who.append(Grant.employer_ref == employer_ref)
    rows = session.scalars(select(Grant).where(Grant.programme_code == programme_code, or_(*who)))
    return [view(row) for row in rows]


def raise_flag(session: Session, flag: Flag) -> bool:
    """Record ``flag`` and stage its ``alert.raised``, unless that breach was flagged already."""
    if session.scalar(select(FundFlag.alert_id).where(FundFlag.breach_key == flag.breach_key)) is not None:
        return False
    alert_id = str(uuid_utils.uuid7())
    summary = flag.summary if len(flag.summary) <= 300 else flag.summary[:299] + "…"
    event_id = events.publish(session, AlertRaised(
        alert_id=alert_id, level=flag.level, scope_kind=ScopeKind.STREET, scope_code=flag.street_code,
        signal=flag.rule, value=flag.value, threshold=flag.threshold, window=flag.window, source=AlertSource.FUNDS,
        summary=summary, subject_ref=flag.subject_ref))
    session.add(FundFlag(alert_id=alert_id, rule=flag.rule, breach_key=flag.breach_key, subject_ref=flag.subject_ref,
                         street_code=flag.street_code, level=str(flag.level), summary=summary, event_id=event_id,
                         value=flag.value, threshold=flag.threshold, window=flag.window))
    return True


def resolve_flag(session: Session, row: FundFlag, resolution: str, note: str, resolved_by: str,
                 now: datetime) -> None:
    """Mark a flag reviewed (its reason, note, who and when) and stage the ``alert.resolved`` that
    closes its warning, with the alert's own scope, level and measure. The note is not on the event."""
    row.resolved_event_id = events.publish(session, AlertResolved(
        alert_id=row.alert_id, level=AlertLevel(row.level), scope_kind=ScopeKind.STREET, scope_code=row.street_code,
        signal=row.rule, value=row.value if row.value is not None else 0.0,
        threshold=row.threshold if row.threshold is not None else 0.0, window=row.window or "1d",
        source=AlertSource.FUNDS, summary=supervision.resolution_summary(row.rule, resolution),
        subject_ref=row.subject_ref))
    row.resolution, row.resolution_note, row.resolved_by, row.resolved_at = resolution, note, resolved_by, now


def facts_on(session: Session, person_ref: str, day: date) -> PersonFacts | None:
    """The person's facts as the registration events recorded by the end of ``day`` left them."""
    row = session.scalars(select(FactsHistoryRow).where(
        FactsHistoryRow.person_ref == person_ref, FactsHistoryRow.recorded_on <= day,
    ).order_by(FactsHistoryRow.recorded_on.desc(), FactsHistoryRow.id.desc()).limit(1)).first()
    return row.facts() if row is not None else None


def spells_of(session: Session, person_ref: str) -> list[Spell]:
    rows = session.scalars(select(EmploymentSpellRow).where(EmploymentSpellRow.person_ref == person_ref))
    return [Spell(row.form, row.started_on, row.ended_on) for row in rows]


def check_grant(session: Session, programme: Programme, rules: RuleIndex | None, grant: Grant) -> int:
    """The rules a new grant can break on its own; how many flags were raised."""
    found: list[Flag | None] = []
    if grant.person_ref is not None and programme.supervision.yearly_cap_person is not None:
        year = [g for g in recipient_grants(session, programme.code, grant.person_ref, None)
                if g.granted_on.year == grant.granted_on.year]
        found.append(supervision.training_over_cap(programme, grant.person_ref, view(grant), year))
    rule = rules.rule(programme.code) if rules is not None else None
    if grant.person_ref is not None and rule is not None:
        found.append(supervision.without_eligibility(
            rule, view(grant), facts_on(session, grant.person_ref, grant.granted_on)))
    return sum(raise_flag(session, flag) for flag in found if flag is not None)


def check_payment(session: Session, programme: Programme, grant: Grant) -> int:
    """The rules money paid on ``grant`` can break; how many flags were raised."""
    this = view(grant)
    found = [supervision.double_exclusive(
        programme, this, recipient_grants(session, programme.code, grant.person_ref, grant.employer_ref))]
    if grant.person_ref is not None:
        found.append(supervision.paid_while_employed(programme, this, spells_of(session, grant.person_ref)))
    return sum(raise_flag(session, flag) for flag in found if flag is not None)


def recheck_employment(session: Session, catalogue: Catalogue, person_ref: str) -> int:
    """The person's grants already paid on, checked again against their employment (one just
    registered may cover months those grants paid for)."""
    codes = [p.code for p in catalogue.programmes if p.supervision.no_payment_while_employed]
    if not codes:
        return 0
    paid = session.scalars(select(Grant).where(Grant.person_ref == person_ref, Grant.programme_code.in_(codes),
                                               Grant.paid_yuan > 0)).all()
    if not paid:
        return 0
    spells = spells_of(session, person_ref)
    raised = 0
    for grant in paid:
        programme = catalogue.get(grant.programme_code)
        if programme is not None:
            flag = supervision.paid_while_employed(programme, view(grant), spells)
            if flag is not None and raise_flag(session, flag):
                raised += 1
    return raised


def eligible_on(session: Session, person_ref: str, programme_code: str, granted_on: date) -> date | None:
    """The day 政策找人 last found the person eligible for the programme, if that was by ``granted_on``."""
    found_at = session.scalar(select(Eligibility.found_at).where(
        Eligibility.person_ref == person_ref, Eligibility.programme_code == programme_code))
    if found_at is None:
        return None
    day = local_day(found_at)
    return day if day <= granted_on else None

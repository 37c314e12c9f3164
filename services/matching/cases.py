"""The 红娘 case workflow (呼叫—指派): dispatch, contact, referral, outcome, close, SLA breaches.

Every state change stages its ``leye.referral`` event with :func:`add_event` in the caller's
session, so the row and the event commit together or not at all. Used by the API (one unit of work
per request), by the event handlers and by the SLA timer. Nothing here commits.

Lifecycle: ``dispatched → contacted → referred → outcome → closed``. Contact and referrals may come
in either order (the system refers at dispatch when it finds vacancies); ``status`` shows the
furthest stage, the timestamps show what happened. Every change on a closed case is a 409.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import uuid_utils
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from schemas.fields import SHANGHAI
from schemas.vocab import CaseCloseReason, CaseOrigin, ContactChannel, ReferralDirection, ReferralResult, SlaKind
from services.runtime.db import rowcount
from services.runtime.errors import ProblemError
from services.runtime.outbox import add_event

from . import domain, events
from .store import Case, Referral, Station, active_stations, open_case_load


def local_date(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


def pick_station(session: Session, street_code: str, community: str | None = None) -> Station | None:
    """The station a request goes to: an active station of the 街镇 (the person's 社区/村 first),
    the one with the fewest open cases when there are several; a district-wide fallback when the
    街镇 has none; ``None`` when no station is active at all."""
    # locked (PostgreSQL; SQLite has one writer anyway) so that replicas dispatching at the same moment
    # count each other's new cases instead of all picking the same least-loaded station
    stations = active_stations(session, street_code, lock=True) or active_stations(session, lock=True)
    if not stations:
        return None
    same_community = [s for s in stations if community and s.community == community]
    stations = same_community or stations
    load = open_case_load(session, [s.station_code for s in stations])
    return min(stations, key=lambda s: (load.get(s.station_code, 0), s.station_code))


def open_case(
    session: Session, station: Station, origin: CaseOrigin, now: datetime, *, person_ref: str | None = None,
    vacancy_id: str | None = None, employer_ref: str | None = None, prematched: list[dict[str, Any]] | None = None,
    programme_code: str | None = None, reason: str | None = None, household_ref: str | None = None,
) -> Case:
    """Dispatch a new case to ``station``'s 红娘 with both SLA deadlines."""
    case = Case(
        case_id=str(uuid_utils.uuid7()), station_code=station.station_code, matchmaker_id=station.matchmaker_id,
        street_code=station.street_code, origin=origin.value, person_ref=person_ref, vacancy_id=vacancy_id,
        employer_ref=employer_ref, status="dispatched", opened_at=now, contact_due_at=domain.contact_due(now),
        referral_due_at=domain.referral_due(now), prematched=prematched or [], programme_code=programme_code,
        reason=reason, household_ref=household_ref,
    )
    session.add(case)
    add_event(session, events.case_dispatched(case, origin, now))
    return case


def ensure_open(case: Case) -> None:
    if case.status == "closed":
        raise ProblemError(409, "case_closed", "工单已关闭，不能再变更")


def contact(session: Session, case: Case, channel: ContactChannel, now: datetime) -> None:
    ensure_open(case)
    if case.contacted_at is not None:
        raise ProblemError(409, "already_contacted", "该工单已记录过联系")
    case.contacted_at = now
    if case.status == "dispatched":
        case.status = "contacted"
    add_event(session, events.case_contacted(case, channel, now))


def refer(session: Session, case: Case, match: domain.Match, direction: ReferralDirection, now: datetime) -> Referral:
    """Record a referral with its explained score and publish ``referral.made``."""
    ensure_open(case)
    referral = Referral(
        referral_id=str(uuid_utils.uuid7()), case_id=case.case_id, person_ref=match.person_ref,
        vacancy_id=match.vacancy_id, direction=direction.value, score=match.score, breakdown=match.breakdown,
        made_at=now,
    )
    session.add(referral)
    if case.referred_at is None:
        case.referred_at = now
    if case.status in ("dispatched", "contacted"):
        case.status = "referred"
    add_event(session, events.referral_made(case, referral, match, direction, now))
    return referral


def record_outcome(session: Session, case: Case, referral: Referral, result: ReferralResult, outcome_on: date,
                   now: datetime) -> None:
    """Record what came of a referral; a hire is a placement and closes the case as resolved."""
    ensure_open(case)
    referral.outcome, referral.outcome_on = result.value, outcome_on
    case.status = "outcome"
    add_event(session, events.referral_outcome(case, referral, result, outcome_on, now))
    if result is ReferralResult.HIRED:
        case.placed = True
        close(session, case, CaseCloseReason.RESOLVED, now)


def close(session: Session, case: Case, reason: CaseCloseReason, now: datetime) -> None:
    ensure_open(case)
    case.status, case.closed_at, case.close_reason = "closed", now, reason.value
    add_event(session, events.case_closed(case, reason, local_date(now), now))


def scan_sla(session: Session, now: datetime) -> int:
    """Publish ``case.sla_breached`` for every deadline that passed unmet since the last scan.

    Each breach is claimed with a conditional ``UPDATE … WHERE <flag> IS false AND <not met>``
    written in the same transaction as its event, and published only when this transaction's
    UPDATE changed the row. Every replica runs the scan, at any moment: on PostgreSQL a concurrent
    scan's UPDATE waits for the first one's commit, re-checks the condition on the committed row
    and changes nothing; a contact or referral recorded meanwhile makes it change nothing as well.
    So each deadline is reported exactly once, however many scans run (or after however many
    restarts).
    """
    due = session.scalars(select(Case).where(
        Case.status != "closed",
        or_(
            Case.contacted_at.is_(None) & Case.contact_breached.is_(False) & (Case.contact_due_at <= now),
            Case.referred_at.is_(None) & Case.referral_breached.is_(False) & (Case.referral_due_at <= now),
        ),
    ).order_by(Case.opened_at, Case.case_id)).all()
    reported = 0
    for case in due:
        for sla, due_at, met, flagged, (due_column, met_column, flag_column) in (
            (SlaKind.CONTACT, case.contact_due_at, case.contacted_at, case.contact_breached,
             (Case.contact_due_at, Case.contacted_at, Case.contact_breached)),
            (SlaKind.REFERRAL, case.referral_due_at, case.referred_at, case.referral_breached,
             (Case.referral_due_at, Case.referred_at, Case.referral_breached)),
        ):
            if met is not None or flagged or due_at > now:
                continue
            claimed = session.execute(
                update(Case).where(Case.case_id == case.case_id, Case.status != "closed", met_column.is_(None),
                                   flag_column.is_(False), due_column <= now)
                .values({flag_column: True}).execution_options(synchronize_session=False)
            )
            if rowcount(claimed) == 1:
                add_event(session, events.case_sla_breached(case, sla, due_at, now))
                reported += 1
    return reported

"""Events this service publishes on ``leye.referral``, built from a case row (and its referral).

Cases carry ``person_ref``, vacancy and employer references only; the 红娘's work on them is in
``cases.py``, which stages each of these in the same transaction as the change it describes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from schemas import CloudEvent, new_event
from schemas.events.referral import (
    CaseClosed,
    CaseContacted,
    CaseDispatched,
    CaseSlaBreached,
    ReferralMade,
    ReferralOutcome,
)
from schemas.vocab import CaseCloseReason, CaseOrigin, ContactChannel, ReferralDirection, ReferralResult, SlaKind

from . import domain
from .store import Case, Referral

SOURCE = "/services/matching"


def _ids(case: Case) -> dict[str, Any]:
    return {"case_id": case.case_id, "station_code": case.station_code, "street_code": case.street_code}


def case_dispatched(case: Case, origin: CaseOrigin, now: datetime) -> CloudEvent:
    return new_event(CaseDispatched(
        **_ids(case), origin=origin, person_ref=case.person_ref, vacancy_id=case.vacancy_id,
        employer_ref=case.employer_ref, contact_due_at=case.contact_due_at, referral_due_at=case.referral_due_at,
        programme_code=case.programme_code, household_ref=case.household_ref,
    ), source=SOURCE, time=now)


def case_contacted(case: Case, channel: ContactChannel, now: datetime) -> CloudEvent:
    return new_event(CaseContacted(**_ids(case), contacted_at=now, channel=channel,
                                   on_time=now <= case.contact_due_at), source=SOURCE, time=now)


def referral_made(case: Case, referral: Referral, match: domain.Match, direction: ReferralDirection,
                  now: datetime) -> CloudEvent:
    return new_event(ReferralMade(
        **_ids(case), referral_id=referral.referral_id, person_ref=match.person_ref, vacancy_id=match.vacancy_id,
        direction=direction, score=match.score, breakdown=match.breakdown, on_time=now <= case.referral_due_at,
    ), source=SOURCE, time=now)


def referral_outcome(case: Case, referral: Referral, result: ReferralResult, outcome_on: date,
                     now: datetime) -> CloudEvent:
    return new_event(ReferralOutcome(
        **_ids(case), referral_id=referral.referral_id, person_ref=referral.person_ref,
        vacancy_id=referral.vacancy_id, outcome=result, outcome_on=outcome_on,
    ), source=SOURCE, time=now)


def case_closed(case: Case, reason: CaseCloseReason, closed_on: date, now: datetime) -> CloudEvent:
    return new_event(CaseClosed(**_ids(case), reason=reason, closed_on=closed_on), source=SOURCE, time=now)


def case_sla_breached(case: Case, sla: SlaKind, due_at: datetime, now: datetime) -> CloudEvent:
    return new_event(CaseSlaBreached(**_ids(case), sla=sla, due_at=due_at), source=SOURCE, time=now)

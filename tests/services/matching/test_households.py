"""一户一策 on a real database: ``household.zero_employment_identified`` opens one case of origin
``household`` at the family's community station with the normal deadlines, idempotent on redelivery;
``household.zero_employment_cleared`` closes it (placed when a member's job cleared the family)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from schemas import new_event, parse_event
from schemas.events.household import ZeroEmploymentCleared, ZeroEmploymentIdentified
from schemas.events.referral import CaseClosed, CaseDispatched
from schemas.vocab import ZeroEmploymentClearReason
from services.matching import domain
from services.matching.handlers import EventApplier
from services.matching.index import MatchIndex
from services.matching.store import Case, Station
from services.runtime.db import make_engine, make_session_factory, migrate
from services.runtime.outbox import OutboxMessage

from .test_service import MIGRATIONS

STREET = "120111101"  # 杨柳青镇
HOUSEHOLD = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
SEEKER, WORKER = "a" * 64, "b" * 64
NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
FIELDS = {"household_ref": HOUSEHOLD, "street_code": STREET, "community_code": "120111101902",
          "community": "杨柳西村", "members": 3}


@pytest.fixture
def applier(database_url: str) -> Iterator[EventApplier]:
    engine = make_engine(database_url)
    migrate(engine, MIGRATIONS)
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        for code, community in (("s1", "杨柳东村"), ("s2", "杨柳西村")):
            session.add(Station(station_code=code, street_code=STREET, community=community, matchmaker_id=f"m-{code}",
                                matchmaker_name="某", active=True))
    yield EventApplier(sessions, MatchIndex(), lambda: NOW)
    engine.dispose()


def identified(on: date = date(2026, 6, 1)):
    return new_event(ZeroEmploymentIdentified(**FIELDS, identified_on=on, seeking_members=[SEEKER]),
                     source="/services/registration")


def cleared(reason: ZeroEmploymentClearReason = ZeroEmploymentClearReason.EMPLOYMENT):
    employed = WORKER if reason is ZeroEmploymentClearReason.EMPLOYMENT else None
    return new_event(ZeroEmploymentCleared(**FIELDS, identified_on=date(2026, 6, 1), cleared_on=date(2026, 6, 20),
                                           reason=reason, employed_person_ref=employed),
                     source="/services/registration")


def household_cases(applier: EventApplier) -> list[Case]:
    with applier.sessions() as session:
        return list(session.scalars(select(Case).where(Case.origin == "household").order_by(Case.opened_at)))


def published(applier: EventApplier) -> list:
    with applier.sessions() as session:
        return [parse_event(m.payload).data for m in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


def test_one_case_per_identification_at_the_communitys_station_closed_when_cleared(applier: EventApplier) -> None:
    found = identified()
    applier.apply_batch([found, found])
    applier.apply_batch([found])  # redelivered
    [case] = household_cases(applier)
    assert (case.station_code, case.household_ref, case.person_ref, case.status) == ("s2", HOUSEHOLD, None,
                                                                                     "dispatched")
    assert (case.contact_due_at, case.referral_due_at) == (domain.contact_due(NOW), domain.referral_due(NOW))
    assert "零就业家庭" in (case.reason or "") and "杨柳西村" in (case.reason or "")
    [dispatched] = [e for e in published(applier) if isinstance(e, CaseDispatched)]
    assert (dispatched.origin, dispatched.household_ref, dispatched.station_code) == ("household", HOUSEHOLD, "s2")

    done = cleared()
    applier.apply_batch([done, done])
    [case] = household_cases(applier)
    assert (case.status, case.close_reason, case.placed) == ("closed", "resolved", True)
    assert [e.reason for e in published(applier) if isinstance(e, CaseClosed)] == ["resolved"]

    applier.apply_batch([identified(on=date(2026, 7, 1))])  # the family is identified again: a new case
    first, second = household_cases(applier)
    assert first.status == "closed" and second.status == "dispatched"
    applier.apply_batch([cleared(ZeroEmploymentClearReason.MEMBERSHIP)])
    assert [(c.close_reason, c.placed) for c in household_cases(applier)] == [("resolved", True), ("other", False)]

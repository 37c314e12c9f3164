"""政策找人 cases on a real database: ``programme.eligible`` opens a case of origin ``policy`` at the
person's station with the reason and the normal deadlines; a grant, placement or refusal for that
person and programme closes it, also when it arrives first; job-seeking cases are unaffected."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from schemas import new_event, parse_event
from schemas.events.programme import ClauseMet, Eligible, Granted, Refused
from schemas.events.referral import CaseDispatched
from schemas.reference import STREETS
from schemas.vocab import RefusalReason
from services.matching import domain
from services.matching.handlers import EventApplier
from services.matching.index import MatchIndex
from services.matching.store import Case, PolicySettlement, Station
from services.runtime.db import make_engine, make_session_factory, migrate
from services.runtime.outbox import OutboxMessage

from .helpers import jobseeker
from .test_handlers import employed
from .test_service import MIGRATIONS

STREET = sorted(STREETS)[6]
PERSON = "e" * 64
NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
PROGRAMME = "flexible_social_insurance"
SOURCE = "/services/programmes"


@pytest.fixture
def applier(database_url: str) -> Iterator[EventApplier]:
    engine = make_engine(database_url)
    migrate(engine, MIGRATIONS)
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        for code, community in (("s1", "甲"), ("s2", "乙")):
            session.add(Station(station_code=code, street_code=STREET, community=community, matchmaker_id=f"m-{code}",
                                matchmaker_name="某", active=True))
    yield EventApplier(sessions, MatchIndex(), lambda: NOW)
    engine.dispose()


def eligible(programme: str = PROGRAMME, person_ref: str = PERSON):
    return new_event(Eligible(
        person_ref=person_ref, programme_code=programme, programme_name="灵活就业社保补贴", street_code=STREET,
        rule_version="2026.2", cause_event_id="0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
        clauses=[ClauseMet(clause="重点群体包含就业困难人员", fact="key_groups", value=["hardship"]),
                 ClauseMet(clause="就业形式为灵活就业", fact="employment_form", value="flexible")]), source=SOURCE)


def granted(programme: str = PROGRAMME, person_ref: str = PERSON):
    return new_event(Granted(grant_id=f"g-{programme.replace('_', '-')}", programme_code=programme,
                             person_ref=person_ref, street_code=STREET, amount_yuan=3_000, granted_on=date(2026, 6, 1),
                             rule_version="2026.2"), source=SOURCE)


def refused(reason: RefusalReason):
    return new_event(Refused(refusal_id="r-1", person_ref=PERSON, programme_code=PROGRAMME, street_code=STREET,
                             reason=reason, refused_on=date(2026, 6, 1)), source=SOURCE)


def policy_cases(applier: EventApplier) -> list[Case]:
    with applier.sessions() as session:
        return list(session.scalars(select(Case).where(Case.origin == "policy").order_by(Case.opened_at)))


def test_eligibility_opens_one_policy_case_with_the_reason_and_a_grant_closes_it(applier: EventApplier) -> None:
    applier.apply_batch([jobseeker(PERSON, STREET, "乙")])  # a job-seeking case at the 社区's station
    found = eligible()
    applier.apply_batch([found, found])
    applier.apply_batch([found, eligible()])  # redelivered, and found again while the case is open
    [case] = policy_cases(applier)
    assert (case.station_code, case.person_ref, case.programme_code, case.status) == ("s2", PERSON, PROGRAMME,
                                                                                      "dispatched")
    assert case.reason == ("政策找人：符合灵活就业社保补贴的条件（重点群体包含就业困难人员；就业形式为灵活就业；"
                           "规则版本 2026.2），请当天联系本人告知政策并协助办理")
    assert (case.contact_due_at, case.referral_due_at) == (domain.contact_due(NOW), domain.referral_due(NOW))
    with applier.sessions() as session:
        dispatched = [parse_event(row.payload).data
                      for row in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
    assert [(d.origin, d.programme_code) for d in dispatched if isinstance(d, CaseDispatched)
            and d.person_ref == PERSON] == [("system", None), ("policy", PROGRAMME)]

    # taking up the flexible work closes the job-seeking case, not the policy case
    applier.apply_batch([employed(PERSON)])
    assert policy_cases(applier)[0].status == "dispatched"
    applier.apply_batch([granted("startup_subsidy")])  # another programme: not this case
    assert policy_cases(applier)[0].status == "dispatched"
    applier.apply_batch([granted()])
    [case] = policy_cases(applier)
    assert (case.status, case.close_reason) == ("closed", "resolved")


@pytest.mark.parametrize(("reason", "closed_as"), [(RefusalReason.DECLINED, "declined"),
                                                   (RefusalReason.UNREACHABLE, "unreachable"),
                                                   (RefusalReason.NOT_ELIGIBLE, "other")])
def test_a_refusal_closes_the_policy_case(applier: EventApplier, reason: RefusalReason, closed_as: str) -> None:
    applier.apply_batch([eligible()])
    applier.apply_batch([refused(reason)])
    [case] = policy_cases(applier)
    assert (case.status, case.close_reason) == ("closed", closed_as)


def test_a_grant_made_after_the_eligibility_but_delivered_first_closes_the_case_as_it_opens(
        applier: EventApplier) -> None:
    found, then = eligible(), granted()  # made in this order (UUIDv7 ids), delivered the other way round
    applier.apply_batch([then])
    with applier.sessions() as session:
        assert session.scalar(select(func.count()).select_from(PolicySettlement)) == 1
    applier.apply_batch([found])
    [case] = policy_cases(applier)
    assert (case.status, case.close_reason) == ("closed", "resolved")
    with applier.sessions() as session:
        assert session.scalar(select(func.count()).select_from(PolicySettlement)) == 0


def test_a_grant_from_before_the_eligibility_does_not_close_the_new_case(applier: EventApplier) -> None:
    earlier = granted()
    applier.apply_batch([earlier])
    applier.apply_batch([eligible()])
    [case] = policy_cases(applier)
    assert case.status == "dispatched"

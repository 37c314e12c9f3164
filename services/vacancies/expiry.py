"""Expiry of postings whose validity has ended (真实有效: expired postings leave the open stock).

``expire_due(sessions, now)`` closes every open posting whose ``valid_until`` (an Asia/Shanghai day,
inclusive) is before ``now``'s local day and stages ``vacancy.closed`` (reason ``expired``) for each,
in one transaction with the status change. The change is a conditional ``UPDATE … WHERE status is
open``: a posting another process (a second replica, a restart racing the old one, a concurrent
fill) has already closed matches no row and gets no event, so each posting expires exactly once.

``expiry_job`` makes it a periodic job of the service (``runtime.periodic``): it runs once at
start-up (to catch up on what expired while the service was down) and then every ``interval_s``;
a failed round (the database locked or down) is retried with the runtime's back-off.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from schemas.vocab import VacancyCloseReason
from services.runtime.db import rowcount
from services.runtime.periodic import Job

from . import events
from .domain import OPEN_STATUSES, VacancyStatus, local_date
from .store import Vacancy

log = logging.getLogger(__name__)


def expire_due(sessions: sessionmaker[Session], now: datetime) -> list[str]:
    """Close the open postings whose validity ended before ``now`` (aware); return their ids."""
    today = local_date(now)
    open_codes = [s.value for s in OPEN_STATUSES]
    expired: list[str] = []
    with sessions.begin() as session:
        due = session.scalars(
            select(Vacancy.id).where(Vacancy.status.in_(open_codes), Vacancy.valid_until < today)
            .order_by(Vacancy.valid_until, Vacancy.id)
        ).all()
        for vacancy_id in due:
            changed = rowcount(session.execute(
                update(Vacancy).where(Vacancy.id == vacancy_id, Vacancy.status.in_(open_codes))
                .values(status=VacancyStatus.CLOSED.value, close_reason=VacancyCloseReason.EXPIRED.value,
                        closed_on=today, version=Vacancy.version + 1)  # as the ORM's optimistic lock does
            ))
            if changed == 1:
                events.publish(session, events.vacancy_closed(vacancy_id, VacancyCloseReason.EXPIRED, today))
                expired.append(vacancy_id)
    return expired


def expiry_job(sessions: sessionmaker[Session], interval_s: float, clock: Callable[[], datetime],
               on_expired: Callable[[], None]) -> Job:
    """``expire_due`` at start and every ``interval_s`` (VACANCIES_EXPIRY_INTERVAL_S); ``on_expired``
    (waking the outbox relay) runs after each batch so the events leave at once."""

    def expire() -> list[str]:
        expired = expire_due(sessions, clock())
        if expired:
            log.info("vacancies expired", extra={"count": len(expired)})
            on_expired()
        return expired

    return Job("vacancy-expiry", interval_s, expire)

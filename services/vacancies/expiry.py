"""Expiry of postings whose validity has ended (真实有效: expired postings leave the open stock).

``expire_due(sessions, now)`` closes every open posting whose ``valid_until`` (an Asia/Shanghai day,
inclusive) is before ``now``'s local day and stages ``vacancy.closed`` (reason ``expired``) for each,
in one transaction with the status change. The change is a conditional ``UPDATE … WHERE status is
open``: a posting another process (a second replica, a restart racing the old one, a concurrent
fill) has already closed matches no row and gets no event, so each posting expires exactly once.

``ExpiryTask`` runs it in a daemon thread of the service process: once at start-up (to catch up on
what expired while the service was down) and then every ``interval_s``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from schemas.vocab import VacancyCloseReason

from . import events
from .domain import OPEN_STATUSES, VacancyStatus, local_date
from .store import Vacancy

log = logging.getLogger(__name__)


def expire_due(sessions: sessionmaker, now: datetime) -> list[str]:  # type: ignore[type-arg]
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
            changed = session.execute(
                update(Vacancy).where(Vacancy.id == vacancy_id, Vacancy.status.in_(open_codes))
                .values(status=VacancyStatus.CLOSED.value, close_reason=VacancyCloseReason.EXPIRED.value,
                        closed_on=today, version=Vacancy.version + 1)  # as the ORM's optimistic lock does
            ).rowcount
            if changed == 1:
                events.publish(session, events.vacancy_closed(vacancy_id, VacancyCloseReason.EXPIRED, today))
                expired.append(vacancy_id)
    return expired


class ExpiryTask:
    """Calls ``expire_due`` now and every ``interval_s`` until stopped; wakes the outbox relay after
    each batch so the events leave at once. A database error is logged and retried next round."""

    def __init__(self, sessions: sessionmaker, interval_s: float, clock: Callable[[], datetime],  # type: ignore[type-arg]
                 on_expired: Callable[[], None]) -> None:
        self._sessions, self._interval_s, self._clock, self._on_expired = sessions, interval_s, clock, on_expired
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="vacancy-expiry", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout_s)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                expired = expire_due(self._sessions, self._clock())
            except SQLAlchemyError:
                log.exception("vacancy expiry failed; retrying next round")
            else:
                if expired:
                    log.info("vacancies expired", extra={"count": len(expired)})
                    self._on_expired()
            self._stop.wait(self._interval_s)

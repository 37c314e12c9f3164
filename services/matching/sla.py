"""The SLA scan: reports missed deadlines, run as a periodic job of the service (``runtime.periodic``).

Due times live in the ``cases`` table, so the scan holds no state of its own: after a restart the
first scan reports whatever passed meanwhile, and the breach flags (written with the events) keep
each deadline reported once, also when scans overlap (two replicas, or a test's scan beside the
job's). The clock is injected so tests can move time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from services.runtime.periodic import Job

from .cases import scan_sla

log = logging.getLogger(__name__)


def scan_once(sessions: sessionmaker[Session], clock: Callable[[], datetime],
              after_commit: Callable[[], None] = lambda: None) -> int:
    """One scan in its own transaction; returns the number of breaches reported. ``after_commit``
    (waking the outbox relay) runs when there were some."""
    with sessions.begin() as session:
        reported = scan_sla(session, clock())
    if reported:
        log.info("sla breaches reported", extra={"count": reported})
        after_commit()
    return reported


def sla_job(sessions: sessionmaker[Session], clock: Callable[[], datetime], interval_s: float,
            after_commit: Callable[[], None] = lambda: None) -> Job:
    """:func:`scan_once` at start and every ``interval_s`` (MATCHING_SLA_SCAN_INTERVAL_S)."""
    return Job("sla-scan", interval_s, lambda: scan_once(sessions, clock, after_commit))

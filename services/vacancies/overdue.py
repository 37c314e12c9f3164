"""The warning of overdue monthly reports (失业动态监测): a periodic check, like ``expiry.py``.

A monitored enterprise owes a headcount report for every month from the month of its enrolment; a
month's report is due by day ``report_due_day`` of the next month (``VACANCIES_REPORT_DUE_DAY``) and
overdue from the day after. ``check_overdue(sessions, now, due_day)`` counts, per 街镇, the monitored
enterprises with at least one overdue month and keeps one warning per 街镇 in step with that count:
``alert.raised`` when the first becomes overdue, ``alert.updated`` when the count or its level
(``domain.OVERDUE_LEVELS``) changes, ``alert.resolved`` once every report has arrived. The events go
to ``leye.alert`` through the outbox in the transaction that records the warning's state
(``headcount_warnings``), in the contract every warning uses, so the wall and ``/warnings`` show it
with the others. They name the 街镇 only; which enterprises are late is read through the API
(``GET /monitored-enterprises?overdue=true``).

Two replicas checking at once: a change is a conditional ``UPDATE … WHERE`` the state it read, and
its event is staged only if that UPDATE changed the row; a second insert of a 街镇's open warning
fails on the partial unique index and the check is retried (``runtime.periodic``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime

import uuid_utils
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from schemas.vocab import AlertLevel
from services.runtime.db import rowcount
from services.runtime.periodic import Job

from . import events
from .domain import local_date, months_due, overdue_level, warning_change
from .store import Employer, HeadcountWarning, MonitoredEnterprise, reported_months

log = logging.getLogger(__name__)


def overdue_by_street(session: Session, today: date, due_day: int) -> dict[str, tuple[int, str]]:
    """Per 街镇 with any: how many monitored enterprises have an overdue report, and the oldest such month."""
    reported = reported_months(session)
    found: dict[str, tuple[int, str]] = {}
    rows = session.execute(select(MonitoredEnterprise.employer_ref, MonitoredEnterprise.enrolled_on,
                                  Employer.street_code)
                           .join(Employer, Employer.employer_ref == MonitoredEnterprise.employer_ref))
    for ref, enrolled_on, street in rows:
        missing = [m for m in months_due(enrolled_on, today, due_day) if m not in reported.get(ref, set())]
        if missing:
            count, oldest = found.get(street, (0, missing[0]))
            found[street] = (count + 1, min(oldest, missing[0]))
    return found


def check_overdue(sessions: sessionmaker[Session], now: datetime, due_day: int) -> list[str]:
    """Bring every 街镇's warning in step with its overdue reports at ``now``; return the alert ids changed."""
    today = local_date(now)
    changed: list[str] = []
    with sessions.begin() as session:
        overdue = overdue_by_street(session, today, due_day)
        warnings = {w.street_code: w for w in session.scalars(
            select(HeadcountWarning).where(HeadcountWarning.resolved_at.is_(None)))}
        for street in sorted(overdue.keys() | warnings.keys()):
            count, oldest = overdue.get(street, (0, ""))
            level = overdue_level(count)
            current = warnings.get(street)
            state = (AlertLevel(current.level), current.value) if current is not None else None
            change = warning_change(state, level, count)
            if change is None:
                continue
            window_days = (today - date(int(oldest[:4]), int(oldest[5:]), 1)).days if oldest else 1
            if change == "raised":
                assert level is not None
                alert_id = f"hc-overdue-{street}-{uuid_utils.uuid7()}"
                session.add(HeadcountWarning(alert_id=alert_id, street_code=street, level=level.value, value=count,
                                             raised_at=now))
                session.flush()  # a concurrent check's open warning for this 街镇 fails here, before the event
                events.publish(session, events.overdue_warning(change, alert_id, street, level, count, window_days))
                changed.append(alert_id)
                continue
            assert current is not None and state is not None
            values = ({"resolved_at": now} if change == "resolved" else {"level": level.value if level else "",
                                                                          "value": count})
            claimed = rowcount(session.execute(
                update(HeadcountWarning).where(
                    HeadcountWarning.alert_id == current.alert_id, HeadcountWarning.resolved_at.is_(None),
                    HeadcountWarning.level == current.level, HeadcountWarning.value == current.value,
                ).values(**values).execution_options(synchronize_session=False)
            ))
            if claimed == 1:
                events.publish(session, events.overdue_warning(
                    change, current.alert_id, street, level or state[0], 0 if change == "resolved" else count,
                    window_days))
                changed.append(current.alert_id)
    return changed


def overdue_job(sessions: sessionmaker[Session], interval_s: float, clock: Callable[[], datetime], due_day: int,
                on_change: Callable[[], None]) -> Job:
    """``check_overdue`` at start and every ``interval_s`` (VACANCIES_OVERDUE_INTERVAL_S); ``on_change``
    (waking the outbox relay) runs after a round that changed a warning, so its event leaves at once."""

    def check() -> list[str]:
        changed = check_overdue(sessions, clock(), due_day)
        if changed:
            log.info("overdue headcount report warnings changed", extra={"count": len(changed)})
            on_change()
        return changed

    return Job("headcount-overdue", interval_s, check)

"""Pure rules of the vacancies service: posting and session lifecycles, fills, expiry. No I/O.

Posting lifecycle (``VacancyStatus``)::

    flagged ──clean update──> posted / updated
    posted ──update──> updated ──fill──> partly_filled ──fill (last post)──> closed (filled)
    any open status ──close──> closed (withdrawn or filled);  validity ended ──> closed (expired)

``flagged`` postings are withheld: never in the open stock, never expired by the system (they were
never published), but the employer may correct (PUT) or withdraw them. ``closed`` is final.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum

from schemas.fields import SHANGHAI
from schemas.vocab import VacancyCloseReason
from services.runtime.errors import ProblemError, validation_detail


class VacancyStatus(StrEnum):
    FLAGGED = "flagged"
    POSTED = "posted"
    UPDATED = "updated"
    PARTLY_FILLED = "partly_filled"
    CLOSED = "closed"


OPEN_STATUSES = frozenset({VacancyStatus.POSTED, VacancyStatus.UPDATED, VacancyStatus.PARTLY_FILLED})
"""The open stock: published postings with posts left and validity not ended."""

EMPLOYER_CLOSE_REASONS = frozenset({VacancyCloseReason.WITHDRAWN, VacancyCloseReason.FILLED})
"""Reasons an employer may give; ``expired`` is the system's alone."""


class SessionStatus(StrEnum):
    SCHEDULED = "scheduled"
    STARTED = "started"
    ENDED = "ended"


SESSION_NEXT = {SessionStatus.SCHEDULED: SessionStatus.STARTED, SessionStatus.STARTED: SessionStatus.ENDED}


def local_date(moment: datetime) -> date:
    """The Asia/Shanghai calendar day of an aware ``moment`` (validity dates are local days)."""
    return moment.astimezone(SHANGHAI).date()


def local_today() -> date:
    """Today in Asia/Shanghai."""
    return datetime.now(SHANGHAI).date()


MAX_AHEAD = timedelta(days=366)
"""How far ahead a request may plan (a vacancy's start and validity, a layoff, a recruitment
session): a year, counted as 366 days so that a leap day never refuses the same date next year."""


def is_expired(valid_until: date, now: datetime) -> bool:
    """Validity includes ``valid_until`` itself; the posting expires when that local day is over."""
    return local_date(now) > valid_until


def status_after_change(filled_count: int) -> VacancyStatus:
    """Status of a published posting after a clean update."""
    return VacancyStatus.PARTLY_FILLED if filled_count > 0 else VacancyStatus.UPDATED


def require_open(status: str, action: str) -> None:
    """409 unless the posting is in the open stock (``action`` is the Chinese verb for the message)."""
    if status not in OPEN_STATUSES:
        raise ProblemError(409, "vacancy_not_open", f"岗位当前状态不允许{action}")


def require_editable(status: str) -> None:
    """A posting can be corrected while flagged or open; a closed one is final."""
    if status == VacancyStatus.CLOSED:
        raise ProblemError(409, "vacancy_closed", "岗位已关闭，不能修改")


def declared_staff(registered: int, monthly: tuple[int, int] | None) -> int:
    """The most staff an employer has declared: its registered staff count and, when it reports
    monthly, that month's baseline and current headcount. A layoff report may not claim more staff
    than this: an inflated total would lower the share cut and hide a mass layoff under art. 41's
    10 % line. Fewer is accepted (it only makes the report more likely to count as a mass layoff).
    An employer that has grown updates its registration or reports its headcount first."""
    return max((registered, *(monthly or ())))


def field_error(field: str, message: str, kind: str, code: str = "validation_failed") -> ProblemError:
    """A 422 problem naming one field (``body.x`` / ``path.x``), in the shape of the validation handler."""
    errors = [{"field": field, "message": message, "type": kind}]
    return ProblemError(422, code, validation_detail(errors), errors=errors)


def advance_session(status: str, wanted: SessionStatus) -> None:
    """409 unless ``wanted`` is the next state of a session in ``status``."""
    if SESSION_NEXT.get(SessionStatus(status)) != wanted:
        raise ProblemError(409, "session_state", "招聘活动当前状态不允许此操作")

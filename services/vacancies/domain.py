"""Pure rules of the vacancies service: posting and session lifecycles, fills, expiry. No I/O.

Key enterprises (重点企业), their ledger (挂账销号) and monitored enterprises (失业动态监测): the
rules at the end of this module (docs/ENTERPRISES.md says where they come from).

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
from schemas.vocab import AlertLevel, VacancyCloseReason
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


def live_totals(viewer_samples: list[int], outcomes: list[str | None]) -> tuple[int, int, int]:
    """(viewers, applications, hires) of a 直播带岗 session from what was recorded while it ran.

    Viewers are the **peak** of the samples: a sample counts the people watching at one moment, so
    summing samples would count one viewer once per sample, and the platform sees no viewer's
    identity to count distinct ones. Applications are all of them; hires those decided ``hired`` by
    the end (later decisions arrive as their own events)."""
    return (max(viewer_samples, default=0), len(outcomes), sum(1 for o in outcomes if o == "hired"))


def field_problem(status: int, field: str, message: str, kind: str, code: str) -> ProblemError:
    """A problem of another status than 422 that names one field, in the same shape as ``field_error``."""
    errors = [{"field": field, "message": message, "type": kind}]
    return ProblemError(status, code, validation_detail(errors), errors=errors)


def field_conflict(field: str, message: str, kind: str, code: str) -> ProblemError:
    """A 409 problem naming the field whose value conflicts with what is already recorded."""
    return field_problem(409, field, message, kind, code)


# --- key enterprises: the ledger (挂账销号) -----------------------------------------------------


def issue_overdue(due_on: date, closed_on: date | None, today: date) -> bool:
    """An issue is overdue while it is open after its due day (the due day itself is still in time)."""
    return closed_on is None and today > due_on


def check_issue_close(opened_on: date, closed_on: date | None, closing_on: date) -> None:
    """销号 once, not before the issue was put on the ledger: closed twice is a conflict (409), a
    closing day before the opening day invalid input (422); both name the field."""
    if closed_on is not None:
        raise field_conflict("path.issue_id", f"该问题已于{closed_on.isoformat()}销号，不能重复销号",
                             "already_closed", "issue_closed")
    if closing_on < opened_on:
        raise field_error("body.closed_on", "销号日期不得早于挂账日期", "closed_before_opened")


# --- monitored enterprises (失业动态监测) ------------------------------------------------------------


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def next_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:])
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}"


def report_deadline(month: str, due_day: int) -> date:
    """The last day a month's headcount report is on time: day ``due_day`` of the next month."""
    following = next_month(month)
    return date(int(following[:4]), int(following[5:]), due_day)


def months_due(enrolled_on: date, today: date, due_day: int) -> list[str]:
    """The months whose report should have arrived by ``today``: from the month of enrolment, each
    month whose deadline is over (a report is overdue the day after its deadline)."""
    due: list[str] = []
    month = month_of(enrolled_on)
    while report_deadline(month, due_day) < today:
        due.append(month)
        month = next_month(month)
    return due


OVERDUE_LEVELS: dict[AlertLevel, int] = {AlertLevel.YELLOW: 1, AlertLevel.ORANGE: 3, AlertLevel.RED: 5}
"""How many monitored enterprises of one 街镇 with an overdue monthly report raise its warning to each
level: any one is a yellow warning (the report is what 失业动态监测 watches), three orange, five red.
The platform's choice, in one place for the bureau to change; no document of the plan sets them."""

OVERDUE_SIGNAL = "headcount_report_overdue"


def overdue_level(enterprises_overdue: int) -> AlertLevel | None:
    """The most severe level whose threshold the count reaches; None (no warning) when none is overdue."""
    reached = [level for level, count in OVERDUE_LEVELS.items() if enterprises_overdue >= count]
    return max(reached, key=lambda level: level.severity, default=None)


def warning_change(current: tuple[AlertLevel, int] | None, level: AlertLevel | None, value: int) -> str | None:
    """What a 街镇's overdue warning does now, given its open state (level, value) or None:
    ``raised``, ``updated`` (level or count changed), ``resolved``, or None (nothing to publish)."""
    if current is None:
        return "raised" if level is not None else None
    if level is None:
        return "resolved"
    return "updated" if (level, value) != current else None


def check_baseline(enrolled: int, stated: int | None, field: str) -> None:
    """The baseline headcount is fixed at enrolment: a report or a re-enrolment stating another is refused."""
    if stated is not None and stated != enrolled:
        raise field_conflict(field, f"建档岗位数已固定为{enrolled}，不能更改", "baseline_fixed", "baseline_fixed")

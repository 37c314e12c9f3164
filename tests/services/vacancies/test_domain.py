"""Pure rules: validity in Asia/Shanghai days, session transitions, and the numbering of migrations."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from services.runtime.errors import ProblemError
from services.vacancies.app import MIGRATIONS
from services.vacancies.domain import SessionStatus, advance_session, is_expired, live_totals


@pytest.mark.parametrize(
    ("valid_until", "now", "expired"),
    [
        pytest.param(date(2026, 11, 30), datetime(2026, 11, 30, 15, 59, tzinfo=UTC), False,
                     id="last valid day, 23:59 in Tianjin"),
        pytest.param(date(2026, 11, 30), datetime(2026, 11, 30, 16, 0, tzinfo=UTC), True,
                     id="midnight in Tianjin, still the 30th in UTC"),
        pytest.param(date(2026, 11, 30), datetime(2026, 11, 29, 23, 0, tzinfo=UTC), False, id="day before"),
        pytest.param(date(2026, 11, 30), datetime(2027, 1, 1, tzinfo=UTC), True, id="long after"),
    ],
)
def test_validity_ends_after_the_last_local_day(valid_until: date, now: datetime, expired: bool) -> None:
    assert is_expired(valid_until, now) is expired


@pytest.mark.parametrize(
    ("status", "wanted", "allowed"),
    [
        pytest.param("scheduled", SessionStatus.STARTED, True, id="start a scheduled session"),
        pytest.param("started", SessionStatus.ENDED, True, id="end a started session"),
        pytest.param("scheduled", SessionStatus.ENDED, False, id="end before start"),
        pytest.param("started", SessionStatus.STARTED, False, id="start twice"),
        pytest.param("ended", SessionStatus.STARTED, False, id="restart an ended session"),
        pytest.param("ended", SessionStatus.ENDED, False, id="end twice"),
    ],
)
def test_session_transitions(status: str, wanted: SessionStatus, allowed: bool) -> None:
    if allowed:
        advance_session(status, wanted)
    else:
        with pytest.raises(ProblemError) as refused:
            advance_session(status, wanted)
        assert refused.value.status == 409


def test_migrations_are_numbered_without_gaps_and_chained() -> None:
    files = sorted(p.name for p in MIGRATIONS.glob("*.py"))
    numbers = [int(re.match(r"(\d{4})_", name).group(1)) for name in files]
    assert numbers == list(range(1, len(files) + 1))
    for number, path in zip(numbers, sorted(MIGRATIONS.glob("*.py")), strict=True):
        text = path.read_text(encoding="utf-8")
        assert f'revision = "{number:04d}"' in text
        assert (f'down_revision = "{number - 1:04d}"' if number > 1 else "down_revision = None") in text
        assert text.startswith('"""')  # every revision says why


@pytest.mark.parametrize(
    ("registered", "monthly", "declared"),
    [
        pytest.param(120, None, 120, id="registered staff only"),
        pytest.param(120, (150, 140), 150, id="grown since registration: the monthly baseline"),
        pytest.param(120, (110, 100), 120, id="shrunk since: still the registered count"),
    ],
)
def test_declared_staff_is_the_most_the_employer_has_declared(registered, monthly, declared) -> None:
    from services.vacancies.domain import declared_staff

    assert declared_staff(registered, monthly) == declared


# --- key enterprises and monitored enterprises ----------------------------------------------------


@pytest.mark.parametrize(
    ("due_on", "closed_on", "today", "overdue"),
    [
        pytest.param(date(2026, 11, 30), None, date(2026, 11, 30), False, id="open on its due day"),
        pytest.param(date(2026, 11, 30), None, date(2026, 12, 1), True, id="open the day after"),
        pytest.param(date(2026, 11, 30), date(2026, 12, 5), date(2026, 12, 9), False, id="closed late: no longer"),
    ],
)
def test_an_issue_is_overdue_while_open_after_its_due_day(due_on, closed_on, today, overdue) -> None:
    from services.vacancies.domain import issue_overdue

    assert issue_overdue(due_on, closed_on, today) is overdue


def test_an_issue_closes_once_and_not_before_it_was_opened() -> None:
    from services.vacancies.domain import check_issue_close

    check_issue_close(date(2026, 11, 2), None, date(2026, 11, 2))
    with pytest.raises(ProblemError) as early:
        check_issue_close(date(2026, 11, 2), None, date(2026, 11, 1))
    assert (early.value.status, early.value.errors[0]["field"]) == (422, "body.closed_on")
    with pytest.raises(ProblemError) as twice:  # closed twice: the conflict wins over the date
        check_issue_close(date(2026, 11, 2), date(2026, 11, 5), date(2026, 11, 1))
    assert (twice.value.status, twice.value.errors[0]["field"]) == (409, "path.issue_id")


@pytest.mark.parametrize(
    ("enrolled_on", "today", "due"),
    [
        pytest.param(date(2026, 10, 15), date(2026, 11, 10), [], id="October due on 10 November: in time"),
        pytest.param(date(2026, 10, 15), date(2026, 11, 11), ["2026-10"], id="overdue the day after"),
        pytest.param(date(2026, 11, 1), date(2027, 2, 11), ["2026-11", "2026-12", "2027-01"], id="across the year"),
        pytest.param(date(2026, 12, 7), date(2026, 12, 7), [], id="enrolled today"),
    ],
)
def test_months_due_run_from_the_enrolment_month_to_the_last_deadline_passed(enrolled_on, today, due) -> None:
    from services.vacancies.domain import months_due

    assert months_due(enrolled_on, today, due_day=10) == due


@pytest.mark.parametrize(
    ("count", "level"),
    [pytest.param(0, None, id="none"), pytest.param(1, "yellow", id="one"), pytest.param(3, "orange", id="three"),
     pytest.param(4, "orange", id="four"), pytest.param(9, "red", id="nine")],
)
def test_the_overdue_level_follows_the_enterprises_late_in_the_street(count, level) -> None:
    from services.vacancies.domain import overdue_level

    assert overdue_level(count) == level


@pytest.mark.parametrize(
    ("current", "level", "value", "change"),
    [
        pytest.param(None, None, 0, None, id="nothing open, nothing late"),
        pytest.param(None, "yellow", 1, "raised", id="first late"),
        pytest.param(("yellow", 1), "yellow", 2, "updated", id="one more, same level"),
        pytest.param(("yellow", 2), "yellow", 2, None, id="unchanged"),
        pytest.param(("orange", 3), None, 0, "resolved", id="all reported"),
    ],
)
def test_a_street_warning_changes_with_its_count(current, level, value, change) -> None:
    from schemas.vocab import AlertLevel
    from services.vacancies.domain import warning_change

    state = (AlertLevel(current[0]), current[1]) if current else None
    assert warning_change(state, AlertLevel(level) if level else None, value) == change


def test_the_baseline_cannot_change() -> None:
    from services.vacancies.domain import check_baseline

    check_baseline(50, None, "body.baseline_headcount")
    check_baseline(50, 50, "body.baseline_headcount")
    with pytest.raises(ProblemError) as changed:
        check_baseline(50, 51, "body.baseline_headcount")
    assert (changed.value.status, changed.value.code) == (409, "baseline_fixed")


@pytest.mark.parametrize(
    ("samples", "outcomes", "totals"),
    [
        pytest.param([120, 480, 300], ["hired", None, "not_hired"], (480, 3, 1), id="peak viewers, hires so far"),
        pytest.param([], ["hired", "hired"], (0, 2, 2), id="applications without samples"),
        pytest.param([5], [], (5, 0, 0), id="samples without applications"),
    ],
)
def test_a_live_session_counts_the_peak_of_its_samples(samples, outcomes, totals) -> None:
    assert live_totals(samples, outcomes) == totals

"""Pure rules: the status model and month arithmetic."""

from __future__ import annotations

from datetime import date

import pytest

from services.registration.domain import (
    TRANSITIONS,
    Action,
    Status,
    TransitionForbidden,
    age_on,
    months_before,
    next_status,
)


@pytest.mark.parametrize(
    ("current", "action", "expected"),
    [
        pytest.param(None, Action.REGISTER, Status.JOBSEEKER, id="new person registers"),
        pytest.param(Status.CLOSED, Action.REGISTER, Status.JOBSEEKER, id="closed person re-registers"),
        pytest.param(Status.JOBSEEKER, Action.UNEMPLOYMENT, Status.UNEMPLOYED, id="job seeker becomes unemployed"),
        pytest.param(Status.EMPLOYED, Action.UNEMPLOYMENT, Status.UNEMPLOYED, id="employed loses the job"),
        pytest.param(Status.UNEMPLOYED, Action.EMPLOYMENT, Status.EMPLOYED, id="unemployed finds a job"),
        pytest.param(Status.UNEMPLOYED, Action.FOLLOWUP, Status.UNEMPLOYED, id="follow-up keeps status"),
        pytest.param(Status.EMPLOYED, Action.CLOSE, Status.CLOSED, id="employed person closed"),
    ],
)
def test_allowed_transitions(current, action, expected) -> None:
    assert next_status(current, action) is expected


@pytest.mark.parametrize(
    ("current", "action"),
    [
        pytest.param(Status.JOBSEEKER, Action.REGISTER, id="open registration registers again"),
        pytest.param(Status.UNEMPLOYED, Action.UNEMPLOYMENT, id="unemployed twice"),
        pytest.param(Status.EMPLOYED, Action.EMPLOYMENT, id="employed twice"),
        pytest.param(Status.JOBSEEKER, Action.FOLLOWUP, id="follow-up of a non-unemployed person"),
        pytest.param(Status.CLOSED, Action.EMPLOYMENT, id="closed person employed"),
        pytest.param(Status.CLOSED, Action.CLOSE, id="closed twice"),
        pytest.param(None, Action.UNEMPLOYMENT, id="unknown person"),
    ],
)
def test_forbidden_transitions_name_the_status_in_chinese(current, action) -> None:
    with pytest.raises(TransitionForbidden) as raised:
        next_status(current, action)
    assert action.label in raised.value.detail
    assert (current.label if current else "未登记") in raised.value.detail


def test_closed_is_left_only_by_registering_again() -> None:
    assert [a for (s, a) in TRANSITIONS if s is Status.CLOSED] == [Action.REGISTER]


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        pytest.param(date(2026, 3, 31), 1, date(2026, 2, 28), id="clamped to end of February"),
        pytest.param(date(2026, 1, 15), 1, date(2025, 12, 15), id="across the year"),
        pytest.param(date(2026, 8, 31), 6, date(2026, 2, 28), id="six months"),
    ],
)
def test_months_before(day, months, expected) -> None:
    assert months_before(day, months) == expected


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [
        pytest.param(date(2010, 6, 1), date(2026, 5, 31), 15, id="day before 16th birthday"),
        pytest.param(date(2010, 6, 1), date(2026, 6, 1), 16, id="16th birthday"),
    ],
)
def test_age_on(born, day, age) -> None:
    assert age_on(born, day) == age

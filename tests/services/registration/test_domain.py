"""Pure rules: the status model, month arithmetic and the 零就业家庭 derivation."""

from __future__ import annotations

from datetime import date

import pytest

from schemas.vocab import Gender, ZeroEmploymentClearReason
from services.registration.domain import (
    TRANSITIONS,
    Action,
    MemberFacts,
    Status,
    TransitionForbidden,
    ZeroEmploymentChange,
    age_on,
    is_zero_employment,
    months_before,
    next_status,
    zero_employment_change,
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


# --- 零就业家庭 -------------------------------------------------------------------------------------

def _member(ref: str, status: Status, age: int = 35, gender: Gender = Gender.MALE) -> MemberFacts:
    return MemberFacts(ref, status, age, gender)


@pytest.mark.parametrize(("members", "zero"), [
    pytest.param([_member("a", Status.UNEMPLOYED)], True, id="one unemployed member"),
    pytest.param([_member("a", Status.JOBSEEKER), _member("b", Status.CLOSED)], True, id="a seeker and a closed one"),
    pytest.param([_member("a", Status.UNEMPLOYED), _member("b", Status.EMPLOYED)], False, id="one member works"),
    pytest.param([_member("a", Status.CLOSED)], False, id="nobody seeks work"),
    pytest.param([_member("a", Status.UNEMPLOYED, age=15)], False, id="under 16"),
    pytest.param([_member("a", Status.UNEMPLOYED, age=59, gender=Gender.FEMALE)], False, id="woman past 58"),
    pytest.param([_member("a", Status.UNEMPLOYED, age=58, gender=Gender.FEMALE)], True, id="woman of 58"),
    pytest.param([_member("a", Status.UNEMPLOYED, age=64)], False, id="man past 63"),
    pytest.param([], False, id="no members"),
])
def test_zero_employment_is_derived_from_status_and_age(members: list[MemberFacts], zero: bool) -> None:
    assert is_zero_employment(members) is zero


def test_a_change_names_the_seekers_or_why_it_cleared() -> None:
    seeking = [_member("b", Status.UNEMPLOYED), _member("a", Status.JOBSEEKER), _member("c", Status.CLOSED)]
    assert zero_employment_change(False, seeking) == ZeroEmploymentChange(True, seeking=("a", "b"))
    assert zero_employment_change(True, seeking) is None
    working = [_member("a", Status.EMPLOYED), _member("b", Status.UNEMPLOYED)]
    assert zero_employment_change(True, working, employed_person_ref="a") == ZeroEmploymentChange(
        False, reason=ZeroEmploymentClearReason.EMPLOYMENT, employed_person_ref="a")
    assert zero_employment_change(True, working, membership_changed=True).reason is ZeroEmploymentClearReason.MEMBERSHIP
    assert zero_employment_change(True, [_member("a", Status.CLOSED)]).reason is (
        ZeroEmploymentClearReason.NO_MEMBER_SEEKING)
    assert zero_employment_change(False, working, employed_person_ref="a") is None

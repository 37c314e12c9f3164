"""Pure rules: validity in Asia/Shanghai days, session transitions, and the numbering of migrations."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from services.runtime.errors import ProblemError
from services.vacancies.app import MIGRATIONS
from services.vacancies.domain import SessionStatus, advance_session, is_expired


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

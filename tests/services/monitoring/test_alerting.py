"""The warning rules without I/O: levels with hysteresis, touched scopes, the thresholds file."""

from __future__ import annotations

from datetime import date

import pytest

from schemas import new_event
from schemas.events.layoff import LayoffReported, assess_layoff
from schemas.fields import Industry
from schemas.vocab import AlertLevel, IndustrySection, LayoffReason, ScopeKind
from services.monitoring.alerting import Thresholds, next_level, touched_scopes
from services.monitoring.settings import DEFAULT_THRESHOLDS
from tests.services.monitoring.event_set import credit_code

Y, OR_, R = AlertLevel.YELLOW, AlertLevel.ORANGE, AlertLevel.RED
LEVELS = {Y: 10.0, OR_: 20.0, R: 40.0}


@pytest.mark.parametrize(("value", "current", "expected"), [
    pytest.param(5.0, None, None, id="below yellow: nothing"),
    pytest.param(10.0, None, Y, id="at yellow: raise yellow"),
    pytest.param(45.0, None, R, id="straight to red"),
    pytest.param(25.0, Y, OR_, id="up a level at once"),
    pytest.param(9.0, Y, Y, id="just below yellow stays (band 8..10)"),
    pytest.param(7.9, Y, None, id="below the band resolves"),
    pytest.param(17.0, OR_, OR_, id="orange kept inside its band (16..20)"),
    pytest.param(15.0, OR_, Y, id="below orange's band steps down to yellow"),
    pytest.param(2.0, R, None, id="collapse resolves"),
    pytest.param(None, None, None, id="no value, nothing open"),
    pytest.param(None, OR_, None, id="no value resolves"),
])
def test_levels_rise_at_once_and_fall_with_hysteresis(value, current, expected) -> None:
    assert next_level(value, current, LEVELS, 0.8) == expected


def test_the_shipped_thresholds_load_and_order_their_levels() -> None:
    thresholds = Thresholds.load(DEFAULT_THRESHOLDS)
    assert 0 < thresholds.hysteresis < 1
    for rule in (thresholds.rules.mass_layoff, thresholds.rules.registration_surge, thresholds.rules.job_loss_rate,
                 thresholds.rules.sla_breach):
        assert rule.levels[Y] < rule.levels[OR_] < rule.levels[R]
    assert thresholds.rules.mass_layoff.short_notice_level == OR_


def _layoff(cuts: int) -> LayoffReported:
    assessed = assess_layoff(100, cuts, date(2026, 5, 1), date(2026, 5, 20))
    return LayoffReported(report_id="lr-1", employer_ref=credit_code(1), industry=Industry(section=IndustrySection.C),
                          street_code="120111001", total_staff=100, planned_cuts=cuts,
                          reason=LayoffReason.OTHER, notified_on=date(2026, 5, 1), planned_on=date(2026, 5, 20),
                          is_mass_layoff=assessed.is_mass, notice_days=assessed.notice_days,
                          notice_compliant=assessed.compliant)


@pytest.mark.parametrize(("cuts", "expected"), [
    pytest.param(10, {("mass_layoff", ScopeKind.STREET, "120111001"), ("mass_layoff", ScopeKind.INDUSTRY, "C")},
                 id="mass layoff touches its 街镇 and industry"),
    pytest.param(5, set(), id="a small layoff touches nothing"),
])
def test_touched_scopes(cuts: int, expected: set) -> None:
    assert touched_scopes([new_event(_layoff(cuts), source="/services/vacancies")]) == expected

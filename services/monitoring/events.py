"""Events the monitoring service publishes: its warnings' changes on ``leye.alert``
(``alert.raised`` once, ``alert.updated`` per level change, ``alert.resolved``; see ``warnings/``)."""

from __future__ import annotations

from schemas import CloudEvent, new_event
from schemas.events.alert import AlertRaised, AlertResolved, AlertUpdated
from schemas.vocab import AlertLevel, AlertSource

from .warnings.levels import Reading
from .warnings.thresholds import Scope

SOURCE = "/services/monitoring"


def alert_change(scope: Scope, alert_id: str, current: AlertLevel | None, reading: Reading) -> CloudEvent:
    """The event for a warning moving from level ``current`` (``None``: not open) to ``reading.level``
    (``None``: resolved)."""
    model: type[AlertRaised | AlertUpdated | AlertResolved]
    if current is None:
        model = AlertRaised
    elif reading.level is None:
        model = AlertResolved
    else:
        model = AlertUpdated
    level = reading.level or current
    assert level is not None, "a change from no level to no level is no change"
    signal, kind, code = scope
    return new_event(model(
        alert_id=alert_id, level=level, scope_kind=kind, scope_code=code, signal=signal,
        value=round(reading.value or 0.0, 4), threshold=reading.threshold, window=reading.window,
        source=AlertSource.MONITOR,
    ), source=SOURCE)

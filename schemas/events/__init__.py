"""Every event's ``data`` model, one module per topic, and the ``EVENT_TYPES`` registry.

To add an event type: define the class in its topic's module, append it to that module's ``EVENTS``,
then run ``python -m schemas.export`` and commit the new JSON Schema. The registry is built from those
explicit lists (no discovery), and the tests fail when a defined event class is missing from it.
"""

from __future__ import annotations

from schemas.events import (
    alert,
    community,
    deadletter,
    enterprise,
    household,
    layoff,
    programme,
    referral,
    registration,
    statistics,
    vacancy,
)
from schemas.events.base import EventData, PersonEventData


def _registry() -> dict[str, type[EventData]]:
    registry: dict[str, type[EventData]] = {}
    for module in (registration, vacancy, layoff, referral, alert, statistics, programme, household,
                   enterprise, community, deadletter):
        for cls in module.EVENTS:
            if cls.event_type in registry:
                raise RuntimeError(f"duplicate event type {cls.event_type}")
            registry[cls.event_type] = cls
    return registry


EVENT_TYPES: dict[str, type[EventData]] = _registry()
"""Full CloudEvents type -> ``data`` model, for every event type on the bus."""

__all__ = ["EVENT_TYPES", "EventData", "PersonEventData"]

"""The two ways processing an event can fail, as arroyo separates them.

- :class:`PoisonEvent`: this event can never be processed (it contradicts its contract or the
  state it refers to). It goes to ``leye.deadletter`` and processing continues.
- anything else: the world is broken for now (ClickHouse down, disk full, a bug). The batch is
  retried with back-off and never acknowledged until it succeeds.
"""

from __future__ import annotations


class PoisonEvent(Exception):  # noqa: N818 - the name says what the event is, as in arroyo
    """Raised by a handler for one event that must be dead-lettered."""

    def __init__(self, event_id: str, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.event_id, self.code, self.message = event_id, code, message


class DeadLetterLimitExceeded(Exception):  # noqa: N818
    """Too many consecutive messages were dead-lettered: stop instead of draining a topic into the DLQ."""

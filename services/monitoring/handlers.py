"""What the monitoring service does with what it consumes: every platform event, as rows."""

from __future__ import annotations

from collections.abc import Sequence

from .components import Components
from .ingest.rows import EncodedEvent


async def write_events(components: Components, events: Sequence[EncodedEvent]) -> None:
    """Write a batch's rows (durable on return; the runtime then acknowledges it) and mark the warning
    scopes it touched for evaluation."""
    await components.store.call(components.store.write_sync, events)
    components.warnings.touch({scope for event in events for scope in event.scopes})

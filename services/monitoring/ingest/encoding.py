"""What the worker's decoding child process does with a batch (``runtime.streaming.SubprocessDecoder``).

Validating an event, building its rows and serialising them takes about as much of Python's
interpreter lock per event as a quarter of faust's own work. In the worker's process that time
is taken from the consumer; in a child process it runs on the other core. The worker then only
joins the lines per table and hands them to ClickHouse, which parses them in its own threads.
"""

from __future__ import annotations

from collections.abc import Iterable

from schemas import CloudEvent, InvalidEvent, parse_each

from .rows import EncodedEvent, json_lines, rows_for
from .scopes import touched_scopes


def encode(event: CloudEvent) -> EncodedEvent:
    """One validated event's rows (as JSON lines, per table) and the warning scopes it touches."""
    # scopes as plain strings: an enum costs a constructor call per scope to unpickle in the worker
    scopes = tuple((signal, kind.value, code) for signal, kind, code in touched_scopes([event]))
    return EncodedEvent(event.id, {table: json_lines(rows) for table, rows in rows_for(event).items()}, scopes)


def encode_events(events: Iterable[CloudEvent]) -> list[EncodedEvent]:
    return [encode(event) for event in events]


def decode_messages(values: list[bytes]) -> list[EncodedEvent | InvalidEvent]:
    """The worker's batch decoder, run in the child: each message validated and encoded, or the
    reason it is not a valid event (the parent dead-letters it)."""
    return [item if isinstance(item, InvalidEvent) else encode(item) for item in parse_each(values)]

"""The platform's indicators against an independent count from the systems of record.

The services' SQL databases are the records: every change they made is in their outbox table, as
the event they published (or will publish), sent or not. :func:`recorded_events` reads those
events straight from the database files, and :func:`compare` computes every indicator again from
them with :mod:`leye.reference` (plain Python, no ClickHouse) and sets the result beside what the
monitoring service reports. Used by ``leye bench faults`` and the end-to-end tests.

A count that is too low means events (or their effects) were lost on the way; too high, that
something was counted twice.
"""

from __future__ import annotations

import math
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from schemas import CloudEvent, parse_each

from .live import COUNT_UNITS
from .reference import Reference


def recorded_events(var_dir: Path) -> list[CloudEvent]:
    """Every event in the outbox of every service database under ``var_dir`` (the embedded SQLite
    files ``leye up`` uses), once each. Read-only: the services keep running."""
    payloads: dict[str, bytes] = {}
    for path in sorted(var_dir.glob("*.sqlite3")):
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)) as conn:
            try:
                rows = conn.execute("SELECT event_id, payload FROM outbox").fetchall()
            except sqlite3.OperationalError:  # a database without an outbox
                continue
        payloads.update((event_id, bytes(payload)) for event_id, payload in rows)
    return [event for event in parse_each(list(payloads.values())) if isinstance(event, CloudEvent)]


@dataclass
class Comparison:
    """``lost``/``doubled``: how far the count indicators are below/above the independent count, summed
    (people, posts, sessions, reports); ``mismatched``: every indicator that differs, rates included."""

    lost: float = 0.0
    doubled: float = 0.0
    mismatched: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    @property
    def equal(self) -> bool:
        return not self.mismatched


def compare(indicators: list[dict[str, Any]], events: list[CloudEvent], start: date, end: date) -> Comparison:
    """``indicators`` as ``GET /stats/indicators`` lists them for ``start``..``end``."""
    reference = Reference(events, start, end)
    result = Comparison()
    for item in indicators:
        want, got = getattr(reference, item["code"])()[0], item["value"]
        if item.get("unit") in COUNT_UNITS:  # no value yet means none counted
            diff = (got or 0) - (want or 0)
            result.lost += max(0.0, -diff)
            result.doubled += max(0.0, diff)
            if diff:
                result.mismatched[item["code"]] = (got, want)
        elif got is None or want is None:
            if got != want:
                result.mismatched[item["code"]] = (got, want)
        elif not math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-6):
            result.mismatched[item["code"]] = (got, want)
    return result

"""Retention purges: rows older than a cutoff deleted in small batches, one short transaction each,
so a purge never holds the database's write lock (SQLite) or many row locks (PostgreSQL) for long."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.orm import InstrumentedAttribute, Session, sessionmaker

from .db import as_table, rowcount
from .metrics import ROWS_PURGED

PURGE_BATCH_ROWS = 1000


def purge_older_than(
    sessions: sessionmaker[Session],
    column: InstrumentedAttribute[datetime | None],
    cutoff: datetime,
    *,
    batch_rows: int = PURGE_BATCH_ROWS,
    keep_going: Callable[[], bool] = lambda: True,
) -> int:
    """Delete the rows of ``column``'s table whose ``column`` is before ``cutoff``; return how many."""
    table = as_table(column.property.parent.local_table)
    (key,) = table.primary_key.columns
    condition: ColumnElement[bool] = column < cutoff
    total = 0
    while keep_going():
        with sessions.begin() as session:
            chosen = select(key).where(condition).order_by(key).limit(batch_rows)
            deleted = rowcount(session.execute(delete(table).where(key.in_(chosen.scalar_subquery()))))
        total += deleted
        ROWS_PURGED.labels(table.name).inc(deleted)
        if deleted < batch_rows:
            break
    return total

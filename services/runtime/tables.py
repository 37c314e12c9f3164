"""The runtime's own tables in every service database (outbox and idempotency keys).

A service's first Alembic revision calls :func:`create_runtime_tables`, which creates these tables
as the code defines them now. Each later change to them is one function here, written to add only
what is missing (a database created by a newer first revision already has it), and every service
gets a one-line revision calling it:

- ``0002``: :func:`add_outbox_offsets` (replay after a lost broker log, retention purges).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Connection

from .db import Base, as_table
from .http import IdempotencyRecord
from .outbox import OutboxMessage

RUNTIME_TABLES = (as_table(OutboxMessage.__table__), as_table(IdempotencyRecord.__table__))


def create_runtime_tables(bind: Connection) -> None:
    Base.metadata.create_all(bind, tables=list(RUNTIME_TABLES))


def drop_runtime_tables(bind: Connection) -> None:
    Base.metadata.drop_all(bind, tables=list(RUNTIME_TABLES))


def add_outbox_offsets(bind: Connection) -> None:
    """The acknowledged partition and offset of each sent outbox row, and the age indexes the replay
    and the retention purges select by (run inside an Alembic revision)."""
    inspector = sa.inspect(bind)
    columns = {c["name"] for c in inspector.get_columns("outbox")}
    if "sent_partition" not in columns:
        op.add_column("outbox", sa.Column("sent_partition", sa.Integer, nullable=True))
    if "sent_offset" not in columns:
        op.add_column("outbox", sa.Column("sent_offset", sa.BigInteger, nullable=True))
    for table, name, column in _AGE_INDEXES:
        if name not in {i["name"] for i in inspector.get_indexes(table)}:
            op.create_index(name, table, [column])


def drop_outbox_offsets(bind: Connection) -> None:
    for table, name, _column in _AGE_INDEXES:
        op.drop_index(name, table_name=table)
    # Plain DROP COLUMN (SQLite >= 3.35): a batch copy could lose the partial unsent index.
    op.drop_column("outbox", "sent_offset")
    op.drop_column("outbox", "sent_partition")


_AGE_INDEXES = (
    ("outbox", "ix_outbox_sent_at", "sent_at"),
    ("idempotency_keys", "ix_idempotency_keys_created_at", "created_at"),
)


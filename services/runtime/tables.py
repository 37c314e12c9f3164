"""The runtime's own tables in every service database (outbox and idempotency keys).

A service's first Alembic revision calls :func:`create_runtime_tables`; later changes to these
tables get revisions of their own in every service.
"""

from __future__ import annotations

from sqlalchemy import Connection

from .db import Base
from .http import IdempotencyRecord
from .outbox import OutboxMessage

RUNTIME_TABLES = (OutboxMessage.__table__, IdempotencyRecord.__table__)


def create_runtime_tables(bind: Connection) -> None:
    Base.metadata.create_all(bind, tables=list(RUNTIME_TABLES))


def drop_runtime_tables(bind: Connection) -> None:
    Base.metadata.drop_all(bind, tables=list(RUNTIME_TABLES))

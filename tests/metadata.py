"""What a service's migrations must create, for the tests that compare a migrated database with it."""

from __future__ import annotations

from sqlalchemy import MetaData

from services.runtime.tables import RUNTIME_TABLES


def with_runtime_tables(metadata: MetaData) -> MetaData:
    """A service's metadata plus the runtime tables (outbox, idempotency records)."""
    combined = MetaData()
    for table in (*metadata.tables.values(), *RUNTIME_TABLES):
        table.to_metadata(combined)
    return combined

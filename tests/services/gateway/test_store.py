"""The audit log is append-only in the database itself (SQLite and PostgreSQL triggers)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DatabaseError

from services.gateway.store import AuditEntry
from services.runtime.db import make_engine, make_session_factory, migrate

MIGRATIONS = Path(__file__).parents[3] / "services" / "gateway" / "migrations"


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param(update(AuditEntry).values(status=200), id="update"),
        pytest.param(delete(AuditEntry), id="delete"),
    ],
)
def test_audit_rows_cannot_be_changed_or_removed(database_url, statement) -> None:
    engine = make_engine(database_url)
    migrate(engine, MIGRATIONS)
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        session.add(AuditEntry(client_id="dept", method="GET", route="/persons/{person_ref}",
                               person_ref="b" * 64, status=403))
    with pytest.raises(DatabaseError, match="append-only"), sessions.begin() as session:
        session.execute(statement)
    with sessions() as session:
        assert session.execute(text("SELECT client_id, status FROM gateway_audit")).all() == [("dept", 403)]
    engine.dispose()

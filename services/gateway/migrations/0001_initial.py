"""Gateway database: runtime tables (outbox, idempotency keys), client registry, audit log and
published Grafana alert transitions. The audit log is made append-only by triggers, so not even a
bug or a hand-typed SQL statement in the gateway can rewrite history."""

from alembic import op

from services.gateway.store import AlertTransition, AuditEntry, Base, Client
from services.runtime.db import as_table
from services.runtime.tables import create_runtime_tables, drop_runtime_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TABLES = [as_table(model.__table__) for model in (Client, AuditEntry, AlertTransition)]

SQLITE_TRIGGERS = [
    f"CREATE TRIGGER gateway_audit_no_{verb.lower()} BEFORE {verb} ON gateway_audit "
    "BEGIN SELECT RAISE(ABORT, 'gateway_audit is append-only'); END"
    for verb in ("UPDATE", "DELETE")
]
POSTGRES_TRIGGERS = [
    "CREATE FUNCTION gateway_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION 'gateway_audit is append-only'; END $$",
    "CREATE TRIGGER gateway_audit_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON gateway_audit "
    "FOR EACH STATEMENT EXECUTE FUNCTION gateway_audit_append_only()",
]


def upgrade() -> None:
    bind = op.get_bind()
    create_runtime_tables(bind)
    Base.metadata.create_all(bind, tables=TABLES)
    for statement in SQLITE_TRIGGERS if bind.dialect.name == "sqlite" else POSTGRES_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER gateway_audit_append_only ON gateway_audit")
        op.execute("DROP FUNCTION gateway_audit_append_only()")
    Base.metadata.drop_all(bind, tables=TABLES)
    drop_runtime_tables(bind)

"""Initial schema: the runtime's outbox and idempotency tables, and ``warnings``, the state of each
warning the monitoring rules raised (the record the worker restores open warnings from)."""

import sqlalchemy as sa
from alembic import op

from services.runtime.db import UTCDateTime
from services.runtime.tables import create_runtime_tables, drop_runtime_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_runtime_tables(op.get_bind())
    op.create_table(
        "warnings",
        sa.Column("alert_id", sa.String(36), primary_key=True),
        sa.Column("signal", sa.String(64), nullable=False),
        sa.Column("scope_kind", sa.String(10), nullable=False),
        sa.Column("scope_code", sa.String(9), nullable=False),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("threshold", sa.Float, nullable=False),
        sa.Column("window", sa.String(10), nullable=False),
        sa.Column("raised_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("last_event_id", sa.String(36), nullable=False),
    )
    op.create_index("ux_warnings_open_scope", "warnings", ["signal", "scope_kind", "scope_code"], unique=True,
                    sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))


def downgrade() -> None:
    op.drop_index("ux_warnings_open_scope", table_name="warnings")
    op.drop_table("warnings")
    drop_runtime_tables(op.get_bind())

"""Runtime tables: the partition and offset the broker acknowledged for each sent outbox row (replay
after a lost broker log) and the age indexes of the retention purges; the age index of
``processed_events``, which is purged after the outbox retention."""

from alembic import op

from services.runtime.tables import add_outbox_offsets, drop_outbox_offsets

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_outbox_offsets(op.get_bind())
    op.create_index("ix_processed_events_processed_at", "processed_events", ["processed_at"])


def downgrade() -> None:
    op.drop_index("ix_processed_events_processed_at", table_name="processed_events")
    drop_outbox_offsets(op.get_bind())

"""Runtime tables: the partition and offset the broker acknowledged for each sent outbox row (replay
after a lost broker log) and the age indexes of the retention purges."""

from alembic import op

from services.runtime.tables import add_outbox_offsets, drop_outbox_offsets

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_outbox_offsets(op.get_bind())


def downgrade() -> None:
    drop_outbox_offsets(op.get_bind())

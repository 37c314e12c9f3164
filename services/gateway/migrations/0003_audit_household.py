"""The audit log names the household a household read or write was about (issue 18).

Revision 0001 creates its tables from the current models, so a database created after this change
already has the column: it is added only where it is missing."""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("gateway_audit")}
    if "household_ref" not in columns:
        op.add_column("gateway_audit", sa.Column("household_ref", sa.String(64), nullable=True))


def downgrade() -> None:
    op.drop_column("gateway_audit", "household_ref")

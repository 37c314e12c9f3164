"""An employer's community code (issue 18): the 社区/行政村 of the community list the employer is in,
optional (employers registered before it have none), checked against the employer's 街镇."""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("employers") as batch:
        batch.add_column(sa.Column("community_code", sa.String(12), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("employers") as batch:
        batch.drop_column("community_code")

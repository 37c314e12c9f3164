"""A 红娘 station's community code (issue 18): the 社区/行政村 of the community list it serves, optional
(stations set up before it have only the free-text community name), checked against its 街镇."""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stations") as batch:
        batch.add_column(sa.Column("community_code", sa.String(12), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("stations") as batch:
        batch.drop_column("community_code")

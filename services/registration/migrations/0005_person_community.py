"""A person's community code (充分就业社区, issue 18): the 社区/行政村 of the community list the person
lives in, optional (people registered before it have none), so monitoring can count each community's
residents able and willing to work and of them the employed."""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("persons") as batch:
        batch.add_column(sa.Column("community_code", sa.String(12), nullable=True))
        batch.create_index("ix_persons_community_code", ["community_code"])


def downgrade() -> None:
    with op.batch_alter_table("persons") as batch:
        batch.drop_index("ix_persons_community_code")
        batch.drop_column("community_code")

"""充分就业社区 certifications (issue 18): each community's 区级, 市级 and 国家级 certification and its
year, recorded through the bureau's API; one per community and level."""

import sqlalchemy as sa
from alembic import op

from services.runtime.db import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "community_certifications",
        sa.Column("certification_id", sa.String(64), primary_key=True),
        sa.Column("community_code", sa.String(12), nullable=False, index=True),
        sa.Column("street_code", sa.String(9), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("year", sa.Integer, nullable=False, index=True),
        sa.Column("certified_on", sa.Date, nullable=False),
        sa.Column("recorded_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("community_code", "level"),
    )


def downgrade() -> None:
    op.drop_table("community_certifications")

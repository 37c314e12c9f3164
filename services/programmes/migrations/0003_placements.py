"""Placements: 就业见习, 大学生实习 and 公益性岗位, one row per person placed."""

import sqlalchemy as sa
from alembic import op

from services.runtime.db import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "placements",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("programme_code", sa.String(40), nullable=False),
        sa.Column("person_ref", sa.String(64), nullable=False, index=True),
        sa.Column("employer_ref", sa.String(18), nullable=False),
        sa.Column("street_code", sa.String(9), nullable=False),
        sa.Column("vacancy_id", sa.String(64)),
        sa.Column("school", sa.String(60)),
        sa.Column("safety_net", sa.Boolean, nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date),
        sa.Column("ended_on", sa.Date),
        sa.Column("retained_after", sa.Boolean),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("placements")

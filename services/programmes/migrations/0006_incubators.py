"""创业孵化基地 register: bases and their recognitions, the firms they incubate, the jobs those report."""

import sqlalchemy as sa
from alembic import op

from services.runtime.db import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incubators",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("street_code", sa.String(9), nullable=False),
        sa.Column("level", sa.String(12), nullable=False),
        sa.Column("level_since", sa.Date, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_table(
        "incubator_recognitions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("incubator_id", sa.String(36), sa.ForeignKey("incubators.id"), nullable=False, index=True),
        sa.Column("level", sa.String(12), nullable=False),
        sa.Column("recognised_on", sa.Date, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "incubations",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("incubator_id", sa.String(36), sa.ForeignKey("incubators.id"), nullable=False, index=True),
        sa.Column("employer_ref", sa.String(18), nullable=False, index=True),
        sa.Column("entered_on", sa.Date, nullable=False),
        sa.Column("left_on", sa.Date),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_table(
        "incubation_jobs",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("incubation_id", sa.String(36), sa.ForeignKey("incubations.id"), nullable=False, index=True),
        sa.Column("headcount", sa.Integer, nullable=False),
        sa.Column("reported_on", sa.Date, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("incubation_jobs")
    op.drop_table("incubations")
    op.drop_table("incubator_recognitions")
    op.drop_table("incubators")

"""Households (户) and their members, for 零就业家庭 derived from membership and member status
(issue 18). A person belongs to one household at a time: ``household_members.person_ref`` is the key."""

import sqlalchemy as sa
from alembic import op

from services.runtime.db import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "households",
        sa.Column("household_ref", sa.String(64), primary_key=True),
        sa.Column("community_code", sa.String(12), nullable=False, index=True),
        sa.Column("street_code", sa.String(9), nullable=False, index=True),
        sa.Column("registered_on", sa.Date, nullable=False),
        sa.Column("zero_employment", sa.Boolean, nullable=False, index=True),
        sa.Column("zero_employment_since", sa.Date),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_table(
        "household_members",
        sa.Column("person_ref", sa.String(64), sa.ForeignKey("persons.person_ref", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("household_ref", sa.String(64), sa.ForeignKey("households.household_ref", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("relation", sa.String(2), nullable=False),
        sa.Column("joined_on", sa.Date, nullable=False),
        sa.Column("joined_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("household_members")
    op.drop_table("households")

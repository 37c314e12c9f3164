"""政策找人: the programme and the reason of a policy case, and the settlements (grants, placements,
refusals) that arrived before the eligibility they settle."""

import sqlalchemy as sa
from alembic import op

from services.runtime.db import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("programme_code", sa.String(40), nullable=True))
    op.add_column("cases", sa.Column("reason", sa.String(500), nullable=True))
    op.create_table(
        "policy_settlements",
        sa.Column("event_id", sa.String(36), primary_key=True),
        sa.Column("person_ref", sa.String(64), nullable=False),
        sa.Column("programme_code", sa.String(40), nullable=False),
        sa.Column("close_reason", sa.String(20), nullable=False),
        sa.Column("received_at", UTCDateTime, nullable=False, index=True),
        sa.Index("ix_policy_settlements_person_programme", "person_ref", "programme_code"),
    )


def downgrade() -> None:
    op.drop_table("policy_settlements")
    op.drop_column("cases", "reason")
    op.drop_column("cases", "programme_code")

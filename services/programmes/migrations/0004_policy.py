"""政策找人: the read model of person and employer facts, eligibilities, processed event ids, refusals."""

import sqlalchemy as sa
from alembic import op

from services.runtime.db import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "person_facts",
        sa.Column("person_ref", sa.String(64), primary_key=True),
        sa.Column("street_code", sa.String(9), nullable=False),
        sa.Column("key_groups", sa.JSON, nullable=False),
        sa.Column("status", sa.String(12)),
        sa.Column("employment_form", sa.String(20)),
        sa.Column("unemployment_spells", sa.Integer, nullable=False),
        sa.Column("graduation_year", sa.Integer),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "employer_facts",
        sa.Column("employer_ref", sa.String(18), primary_key=True),
        sa.Column("street_code", sa.String(9), nullable=False),
        sa.Column("industry", sa.String(1), nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "eligibilities",
        sa.Column("person_ref", sa.String(64), primary_key=True),
        sa.Column("programme_code", sa.String(40), primary_key=True),
        sa.Column("eligible", sa.Boolean, nullable=False),
        sa.Column("rule_version", sa.String(40), nullable=False),
        sa.Column("clauses", sa.JSON, nullable=False),
        sa.Column("found_at", UTCDateTime),
        sa.Column("event_id", sa.String(36)),
        sa.Column("changed_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "processed_events",
        sa.Column("event_id", sa.String(36), primary_key=True),
        sa.Column("processed_at", UTCDateTime, nullable=False, index=True),
    )
    op.create_table(
        "refusals",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("programme_code", sa.String(40), nullable=False),
        sa.Column("person_ref", sa.String(64), nullable=False, index=True),
        sa.Column("street_code", sa.String(9), nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("refused_on", sa.Date, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    for table in ("refusals", "processed_events", "eligibilities", "employer_facts", "person_facts"):
        op.drop_table(table)

"""资金监管 and time to benefit: flags, the history of person facts, employment spells, the postings
placements name, and the day a grant's person was found eligible."""

import sqlalchemy as sa
from alembic import op

from services.runtime.db import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("grants", sa.Column("eligible_on", sa.Date))
    op.create_table(
        "person_facts_history",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("person_ref", sa.String(64), nullable=False, index=True),
        sa.Column("recorded_on", sa.Date, nullable=False),
        sa.Column("street_code", sa.String(9), nullable=False),
        sa.Column("key_groups", sa.JSON, nullable=False),
        sa.Column("status", sa.String(12)),
        sa.Column("employment_form", sa.String(20)),
        sa.Column("unemployment_spells", sa.Integer, nullable=False),
        sa.Column("graduation_year", sa.Integer),
    )
    op.create_table(
        "employment_spells",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("person_ref", sa.String(64), nullable=False, index=True),
        sa.Column("form", sa.String(20), nullable=False),
        sa.Column("employer_ref", sa.String(18)),
        sa.Column("started_on", sa.Date, nullable=False),
        sa.Column("ended_on", sa.Date),
    )
    op.create_table(
        "vacancy_facts",
        sa.Column("vacancy_id", sa.String(64), primary_key=True),
        sa.Column("employer_ref", sa.String(18), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "fund_flags",
        sa.Column("alert_id", sa.String(36), primary_key=True),
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("breach_key", sa.String(240), nullable=False, unique=True),
        sa.Column("subject_ref", sa.String(64), nullable=False),
        sa.Column("street_code", sa.String(9), nullable=False),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("summary", sa.String(300), nullable=False),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("flagged_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    for table in ("fund_flags", "vacancy_facts", "employment_spells", "person_facts_history"):
        op.drop_table(table)
    with op.batch_alter_table("grants") as batch:  # SQLite rebuilds the table
        batch.drop_column("eligible_on")

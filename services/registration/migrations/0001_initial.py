"""Initial schema: the runtime's outbox and idempotency tables, people with encrypted personal
data, their key groups, follow-ups and employment registrations."""

import sqlalchemy as sa
from alembic import op

from services.runtime.db import UTCDateTime
from services.runtime.tables import create_runtime_tables, drop_runtime_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_runtime_tables(op.get_bind())
    op.create_table(
        "persons",
        sa.Column("person_ref", sa.String(64), primary_key=True),
        sa.Column("name_enc", sa.LargeBinary, nullable=False),
        sa.Column("id_number_enc", sa.LargeBinary, nullable=False),
        sa.Column("phone_enc", sa.LargeBinary, nullable=False),
        sa.Column("street_code", sa.String(9), nullable=False, index=True),
        sa.Column("community", sa.String(40)),
        sa.Column("gender", sa.String(1), nullable=False),
        sa.Column("age", sa.Integer, nullable=False),
        sa.Column("education", sa.String(2), nullable=False),
        sa.Column("skills", sa.JSON, nullable=False),
        sa.Column("desired_industry", sa.String(1)),
        sa.Column("desired_salary_min", sa.Integer),
        sa.Column("desired_salary_max", sa.Integer),
        sa.Column("graduation_year", sa.Integer),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("registered_on", sa.Date, nullable=False),
        sa.Column("unemployed_since", sa.Date),
        sa.Column("unemployment_registered_on", sa.Date),
        sa.Column("last_followup_on", sa.Date),
        sa.Column("employed_on", sa.Date),
        sa.Column("hardship_categories", sa.JSON, nullable=False),
        sa.Column("hardship_certified_on", sa.Date),
        sa.Column("graduate_case_opened_on", sa.Date),
        sa.Column("graduate_case_closed_on", sa.Date),
        sa.Column("graduate_case_close_reason", sa.String(32)),
        sa.Column("closed_on", sa.Date),
        sa.Column("closure_reason", sa.String(32)),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_table(
        "person_groups",
        sa.Column("person_ref", sa.String(64), sa.ForeignKey("persons.person_ref", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("key_group", sa.String(32), primary_key=True, index=True),
    )
    op.create_table(
        "followups",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("person_ref", sa.String(64), sa.ForeignKey("persons.person_ref", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("followed_up_on", sa.Date, nullable=False),
        sa.Column("recorded_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "employments",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("person_ref", sa.String(64), sa.ForeignKey("persons.person_ref", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("form", sa.String(16), nullable=False),
        sa.Column("employer_ref", sa.String(18)),
        sa.Column("industry_section", sa.String(1)),
        sa.Column("industry_division", sa.String(2)),
        sa.Column("employed_on", sa.Date, nullable=False),
        sa.Column("vacancy_id", sa.String(64)),
        sa.Column("case_id", sa.String(64)),
        sa.Column("recorded_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    for table in ("employments", "followups", "person_groups", "persons"):
        op.drop_table(table)
    drop_runtime_tables(op.get_bind())

"""Key enterprises (重点企业) with their officer, ledger issues and shortages; the shortage a posting
answers; monitored enterprises (失业动态监测) with their fixed baseline; the warnings of overdue
monthly reports (issue 18)."""

import sqlalchemy as sa
from alembic import op

from services.runtime.db import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "key_enterprises",
        sa.Column("employer_ref", sa.String(18), sa.ForeignKey("employers.credit_code"), primary_key=True),
        sa.Column("officer_id", sa.String(64), nullable=False),
        sa.Column("officer_name", sa.String(40), nullable=False),
        sa.Column("enrolled_on", sa.Date, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_table(
        "enterprise_issues",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("employer_ref", sa.String(18), sa.ForeignKey("key_enterprises.employer_ref"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("summary", sa.String(200), nullable=False),
        sa.Column("opened_on", sa.Date, nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("closed_on", sa.Date),
        sa.Column("resolution", sa.String(500)),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index("ix_enterprise_issues_employer", "enterprise_issues", ["employer_ref", "opened_on"])
    op.create_table(
        "shortages",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("employer_ref", sa.String(18), sa.ForeignKey("key_enterprises.employer_ref"), nullable=False),
        sa.Column("occupation_code", sa.String(11), nullable=False),
        sa.Column("occupation", sa.String(60), nullable=False),
        sa.Column("headcount", sa.Integer, nullable=False),
        sa.Column("reported_on", sa.Date, nullable=False),
        sa.Column("closed_on", sa.Date),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index("ix_shortages_open", "shortages", ["closed_on", "employer_ref"])
    # No foreign key: SQLite cannot add one to an existing table; the route checks the shortage.
    op.add_column("vacancies", sa.Column("shortage_id", sa.String(36)))
    op.create_table(
        "monitored_enterprises",
        sa.Column("employer_ref", sa.String(18), sa.ForeignKey("employers.credit_code"), primary_key=True),
        sa.Column("baseline_headcount", sa.Integer, nullable=False),
        sa.Column("enrolled_on", sa.Date, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "headcount_warnings",
        sa.Column("alert_id", sa.String(64), primary_key=True),
        sa.Column("street_code", sa.String(9), nullable=False),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("value", sa.Integer, nullable=False),
        sa.Column("raised_at", UTCDateTime, nullable=False),
        sa.Column("resolved_at", UTCDateTime),
    )
    open_only = sa.column("resolved_at").is_(None)
    op.create_index("ux_headcount_warning_open", "headcount_warnings", ["street_code"], unique=True,
                    sqlite_where=open_only, postgresql_where=open_only)


def downgrade() -> None:
    for table in ("headcount_warnings", "monitored_enterprises"):
        op.drop_table(table)
    with op.batch_alter_table("vacancies") as batch:
        batch.drop_column("shortage_id")
    for table in ("shortages", "enterprise_issues", "key_enterprises"):
        op.drop_table(table)

"""Initial schema of the vacancies service: runtime tables (outbox, idempotency keys), employers,
vacancies, recruitment sessions, layoff reports and monthly headcount reports."""

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
        "employers",
        sa.Column("credit_code", sa.String(18), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("industry_section", sa.String(1), nullable=False),
        sa.Column("industry_division", sa.String(2)),
        sa.Column("street_code", sa.String(9), nullable=False),
        sa.Column("staff_count", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "vacancies",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("employer_ref", sa.String(18), sa.ForeignKey("employers.credit_code"), nullable=False),
        sa.Column("title", sa.String(60), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("industry_section", sa.String(1), nullable=False),
        sa.Column("industry_division", sa.String(2)),
        sa.Column("street_code", sa.String(9), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("headcount", sa.Integer, nullable=False),
        sa.Column("filled_count", sa.Integer, nullable=False),
        sa.Column("salary_min", sa.Integer, nullable=False),
        sa.Column("salary_max", sa.Integer, nullable=False),
        sa.Column("education_required", sa.String(2)),
        sa.Column("skills_required", sa.JSON, nullable=False),
        sa.Column("age_min", sa.Integer),
        sa.Column("age_max", sa.Integer),
        sa.Column("requirements", sa.JSON, nullable=False),
        sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("valid_until", sa.Date, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("flag_reasons", sa.JSON, nullable=False),
        sa.Column("close_reason", sa.String(20)),
        sa.Column("closed_on", sa.Date),
        sa.Column("published_at", UTCDateTime),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index("ix_vacancies_status_valid_until", "vacancies", ["status", "valid_until"])
    op.create_table(
        "recruitment_sessions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("title", sa.String(100), nullable=False),
        sa.Column("street_code", sa.String(9), nullable=False),
        sa.Column("vacancy_ids", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("scheduled_at", UTCDateTime, nullable=False),
        sa.Column("started_at", UTCDateTime),
        sa.Column("ended_at", UTCDateTime),
        sa.Column("viewers", sa.Integer),
        sa.Column("applications", sa.Integer),
        sa.Column("hires", sa.Integer),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_table(
        "layoff_reports",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("employer_ref", sa.String(18), sa.ForeignKey("employers.credit_code"), nullable=False),
        sa.Column("total_staff", sa.Integer, nullable=False),
        sa.Column("planned_cuts", sa.Integer, nullable=False),
        sa.Column("reason", sa.String(40), nullable=False),
        sa.Column("notified_on", sa.Date, nullable=False),
        sa.Column("planned_on", sa.Date, nullable=False),
        sa.Column("is_mass_layoff", sa.Boolean, nullable=False),
        sa.Column("notice_days", sa.Integer, nullable=False),
        sa.Column("notice_compliant", sa.Boolean, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "headcount_reports",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("employer_ref", sa.String(18), sa.ForeignKey("employers.credit_code"), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("baseline_headcount", sa.Integer, nullable=False),
        sa.Column("current_headcount", sa.Integer, nullable=False),
        sa.Column("decreases", sa.JSON, nullable=False),
        sa.Column("supersedes_report_id", sa.String(36)),
        sa.Column("superseded_by", sa.String(36)),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    current = sa.column("superseded_by").is_(None)
    op.create_index("ux_headcount_current", "headcount_reports", ["employer_ref", "month"], unique=True,
                    sqlite_where=current, postgresql_where=current)


def downgrade() -> None:
    for table in ("headcount_reports", "layoff_reports", "recruitment_sessions", "vacancies", "employers"):
        op.drop_table(table)
    drop_runtime_tables(op.get_bind())

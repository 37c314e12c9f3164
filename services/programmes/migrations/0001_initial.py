"""Initial schema of the programmes service: runtime tables (outbox, idempotency keys), training
courses and enrolments, 创业担保贷款, grants and payments."""

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
        "courses",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("programme_code", sa.String(40), nullable=False),
        sa.Column("title", sa.String(100), nullable=False),
        sa.Column("occupation", sa.String(60)),
        sa.Column("level", sa.Integer),
        sa.Column("street_code", sa.String(9), nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
        sa.Column("capacity", sa.Integer, nullable=False),
        sa.Column("enrolled_count", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_table(
        "enrolments",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("course_id", sa.String(36), sa.ForeignKey("courses.id"), nullable=False),
        sa.Column("programme_code", sa.String(40), nullable=False),
        sa.Column("person_ref", sa.String(64), nullable=False),
        sa.Column("street_code", sa.String(9), nullable=False),
        sa.Column("enrolled_on", sa.Date, nullable=False),
        sa.Column("completed_on", sa.Date),
        sa.Column("certificate", sa.Boolean),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.UniqueConstraint("course_id", "person_ref", name="ux_enrolments_course_person"),
    )
    op.create_table(
        "loans",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("programme_code", sa.String(40), nullable=False),
        sa.Column("person_ref", sa.String(64), index=True),
        sa.Column("employer_ref", sa.String(18), index=True),
        sa.Column("street_code", sa.String(9), nullable=False),
        sa.Column("amount_yuan", sa.Integer, nullable=False),
        sa.Column("term_months", sa.Integer, nullable=False),
        sa.Column("interest_subsidy_yuan", sa.Integer, nullable=False),
        sa.Column("issued_on", sa.Date, nullable=False),
        sa.Column("rule_version", sa.String(40), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "grants",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("programme_code", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(40)),
        sa.Column("person_ref", sa.String(64), index=True),
        sa.Column("employer_ref", sa.String(18), index=True),
        sa.Column("street_code", sa.String(9), nullable=False),
        sa.Column("amount_yuan", sa.Integer, nullable=False),
        sa.Column("paid_yuan", sa.Integer, nullable=False),
        sa.Column("granted_on", sa.Date, nullable=False),
        sa.Column("rule_version", sa.String(40), nullable=False),
        sa.Column("enrolment_id", sa.String(36), sa.ForeignKey("enrolments.id")),
        sa.Column("months", sa.Integer),
        sa.Column("contributions_yuan", sa.Integer),
        sa.Column("exclusive_key", sa.String(160), unique=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_table(
        "payments",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("grant_id", sa.String(36), sa.ForeignKey("grants.id"), nullable=False, index=True),
        sa.Column("programme_code", sa.String(40), nullable=False),
        sa.Column("person_ref", sa.String(64)),
        sa.Column("employer_ref", sa.String(18)),
        sa.Column("street_code", sa.String(9), nullable=False),
        sa.Column("amount_yuan", sa.Integer, nullable=False),
        sa.Column("paid_on", sa.Date, nullable=False),
        sa.Column("rule_version", sa.String(40), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    for table in ("payments", "grants", "loans", "enrolments", "courses"):
        op.drop_table(table)
    drop_runtime_tables(op.get_bind())

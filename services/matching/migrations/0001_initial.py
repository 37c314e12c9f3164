"""Initial schema: the runtime's outbox and idempotency tables; the read models of people,
vacancies and employers rebuilt from the topics; pending (early) and processed event ids; and the
红娘 stations, cases and referrals this service owns."""

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
        "people",
        sa.Column("person_ref", sa.String(64), primary_key=True),
        sa.Column("street_code", sa.String(9), nullable=False),
        sa.Column("community", sa.String(40)),
        sa.Column("age", sa.Integer, nullable=False),
        sa.Column("education", sa.String(2), nullable=False),
        sa.Column("skills", sa.JSON, nullable=False),
        sa.Column("desired_industry", sa.String(1)),
        sa.Column("desired_salary_min", sa.Integer),
        sa.Column("key_groups", sa.JSON, nullable=False),
        sa.Column("unemployed_since", sa.Date),
        sa.Column("active", sa.Boolean, nullable=False),
    )
    op.create_table(
        "vacancies",
        sa.Column("vacancy_id", sa.String(64), primary_key=True),
        sa.Column("employer_ref", sa.String(18), nullable=False, index=True),
        sa.Column("industry", sa.String(1), nullable=False),
        sa.Column("street_code", sa.String(9), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("salary_max", sa.Integer, nullable=False),
        sa.Column("education_required", sa.String(2)),
        sa.Column("skills_required", sa.JSON, nullable=False),
        sa.Column("age_min", sa.Integer),
        sa.Column("age_max", sa.Integer),
        sa.Column("valid_until", sa.Date, nullable=False),
        sa.Column("remaining", sa.Integer, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
    )
    op.create_table(
        "employers",
        sa.Column("employer_ref", sa.String(18), primary_key=True),
        sa.Column("industry", sa.String(1), nullable=False),
        sa.Column("street_code", sa.String(9), nullable=False),
    )
    op.create_table(
        "pending_events",
        sa.Column("event_id", sa.String(36), primary_key=True),
        sa.Column("aggregate", sa.String(80), nullable=False, index=True),
        sa.Column("payload", sa.LargeBinary, nullable=False),
        sa.Column("received_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "processed_events",
        sa.Column("event_id", sa.String(36), primary_key=True),
        sa.Column("processed_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "stations",
        sa.Column("code", sa.String(64), primary_key=True),
        sa.Column("street_code", sa.String(9), nullable=False, index=True),
        sa.Column("community", sa.String(40), nullable=False),
        sa.Column("matchmaker_id", sa.String(64), nullable=False, index=True),
        sa.Column("matchmaker_name", sa.String(40), nullable=False),
        sa.Column("matchmaker_phone", sa.String(20)),
        sa.Column("active", sa.Boolean, nullable=False),
    )
    op.create_table(
        "cases",
        sa.Column("case_id", sa.String(36), primary_key=True),
        sa.Column("station_code", sa.String(64), sa.ForeignKey("stations.code"), nullable=False),
        sa.Column("matchmaker_id", sa.String(64), nullable=False),
        sa.Column("street_code", sa.String(9), nullable=False),
        sa.Column("origin", sa.String(10), nullable=False),
        sa.Column("person_ref", sa.String(64), index=True),
        sa.Column("vacancy_id", sa.String(64)),
        sa.Column("employer_ref", sa.String(18)),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("opened_at", UTCDateTime, nullable=False),
        sa.Column("contact_due_at", UTCDateTime, nullable=False),
        sa.Column("referral_due_at", UTCDateTime, nullable=False),
        sa.Column("contacted_at", UTCDateTime),
        sa.Column("referred_at", UTCDateTime),
        sa.Column("contact_breached", sa.Boolean, nullable=False),
        sa.Column("referral_breached", sa.Boolean, nullable=False),
        sa.Column("closed_at", UTCDateTime),
        sa.Column("close_reason", sa.String(20)),
        sa.Column("placed", sa.Boolean, nullable=False),
        sa.Column("prematched", sa.JSON, nullable=False),
    )
    op.create_index("ix_cases_matchmaker_status", "cases", ["matchmaker_id", "status"])
    op.create_table(
        "referrals",
        sa.Column("referral_id", sa.String(36), primary_key=True),
        sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.case_id"), nullable=False, index=True),
        sa.Column("person_ref", sa.String(64), nullable=False),
        sa.Column("vacancy_id", sa.String(64), nullable=False),
        sa.Column("direction", sa.String(20), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("breakdown", sa.JSON, nullable=False),
        sa.Column("made_at", UTCDateTime, nullable=False),
        sa.Column("outcome", sa.String(20)),
        sa.Column("outcome_on", sa.Date),
    )


def downgrade() -> None:
    for table in ("referrals", "cases", "stations", "processed_events", "pending_events", "employers",
                  "vacancies", "people"):
        op.drop_table(table)
    drop_runtime_tables(op.get_bind())

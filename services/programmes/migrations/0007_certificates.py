"""职业技能 certificates as records of their own (the number stays in this database)."""

import sqlalchemy as sa
from alembic import op

from services.runtime.db import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "certificates",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("person_ref", sa.String(64), nullable=False, index=True),
        sa.Column("street_code", sa.String(9), nullable=False),
        sa.Column("occupation_code", sa.String(12), nullable=False),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("number", sa.String(40), nullable=False, unique=True),
        sa.Column("issued_on", sa.Date, nullable=False),
        sa.Column("programme_code", sa.String(40)),
        sa.Column("enrolment_id", sa.String(36), sa.ForeignKey("enrolments.id")),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("certificates")

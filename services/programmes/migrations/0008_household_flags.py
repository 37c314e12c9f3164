"""政策找人 reads household flags: whether a person's household is a 零就业家庭 now, and which one (its
clearing names no members, so the members are found by it)."""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("person_facts", sa.Column("zero_employment_household", sa.String(3)))
    op.add_column("person_facts", sa.Column("household_ref", sa.String(64)))
    op.create_index("ix_person_facts_household_ref", "person_facts", ["household_ref"])


def downgrade() -> None:
    op.drop_index("ix_person_facts_household_ref", table_name="person_facts")
    op.drop_column("person_facts", "household_ref")
    op.drop_column("person_facts", "zero_employment_household")

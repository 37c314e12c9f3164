"""一户一策: the household a case of origin ``household`` helps (from
``household.zero_employment_identified`` on ``leye.household``; issue 18)."""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("household_ref", sa.String(64), nullable=True))
    op.create_index("ix_cases_household_ref", "cases", ["household_ref"])


def downgrade() -> None:
    op.drop_index("ix_cases_household_ref", table_name="cases")
    op.drop_column("cases", "household_ref")

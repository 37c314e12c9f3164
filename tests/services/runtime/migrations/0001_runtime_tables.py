"""Runtime tables only: the database of the test service in test_http.py."""

from alembic import op

from services.runtime.tables import create_runtime_tables, drop_runtime_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_runtime_tables(op.get_bind())


def downgrade() -> None:
    drop_runtime_tables(op.get_bind())

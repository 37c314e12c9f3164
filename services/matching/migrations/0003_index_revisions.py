"""Revisions of the read models, so every replica's in-memory index can catch up with the rows the
other replicas changed: a ``revision`` column (indexed) on ``people`` and ``vacancies`` and the
single-row counter ``index_revision`` that hands the revisions out."""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("people", "vacancies"):
        op.add_column(table, sa.Column("revision", sa.BigInteger, nullable=False, server_default="0"))
        op.create_index(f"ix_{table}_revision", table, ["revision"])
    counter = op.create_table(
        "index_revision",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    op.bulk_insert(counter, [{"id": 1, "value": 0}])


def downgrade() -> None:
    op.drop_table("index_revision")
    for table in ("people", "vacancies"):
        op.drop_index(f"ix_{table}_revision", table_name=table)
        op.drop_column(table, "revision")

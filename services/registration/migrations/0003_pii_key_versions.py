"""Versioned keys for personal data at rest: each person row records the key version of its
ciphertexts, and every key-rotation run leaves an audit record.

Rows written before this revision were encrypted with the legacy derivation (Fernet key = SHA-256 of
REGISTRATION_PII_KEY), which is version 0: the column's server default marks them so, and the service
keeps decrypting them with that key until `leye registration pii rotate` has re-encrypted them.
"""

import sqlalchemy as sa
from alembic import op

from services.runtime.db import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("persons", sa.Column("pii_key_version", sa.Integer, nullable=False, server_default="0"))
    op.create_index("ix_persons_pii_key_version", "persons", ["pii_key_version"])
    op.create_table(
        "pii_key_rotations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("started_at", UTCDateTime, nullable=False),
        sa.Column("finished_at", UTCDateTime),
        sa.Column("operator", sa.String(64), nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("from_versions", sa.String(200), nullable=False),
        sa.Column("to_version", sa.Integer, nullable=False),
        sa.Column("rows_done", sa.Integer, nullable=False),
        sa.Column("rows_skipped", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("pii_key_rotations")
    op.drop_index("ix_persons_pii_key_version", table_name="persons")
    with op.batch_alter_table("persons") as batch:
        batch.drop_column("pii_key_version")

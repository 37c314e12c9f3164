"""直播带岗 live: viewer samples and applications recorded while a session runs, and where an ended
session's totals come from (issue 19 item 5). Sessions ended before this revision had their totals
typed in, so they are marked ``reported``."""

import sqlalchemy as sa
from alembic import op

from services.runtime.db import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("recruitment_sessions", sa.Column("source", sa.String(10)))
    op.execute("UPDATE recruitment_sessions SET source = 'reported' WHERE status = 'ended'")
    op.create_table(
        "session_viewer_samples",
        sa.Column("session_id", sa.String(36), sa.ForeignKey("recruitment_sessions.id"), primary_key=True),
        sa.Column("sampled_at", UTCDateTime, primary_key=True),
        sa.Column("viewers", sa.Integer, nullable=False),
    )
    op.create_table(
        "session_applications",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("session_id", sa.String(36), sa.ForeignKey("recruitment_sessions.id"), nullable=False),
        sa.Column("vacancy_id", sa.String(36), nullable=False),
        sa.Column("person_ref", sa.String(64), nullable=False),
        sa.Column("applied_at", UTCDateTime, nullable=False),
        sa.Column("outcome", sa.String(10)),
        sa.Column("decided_at", UTCDateTime),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index("ux_session_applications_person", "session_applications",
                    ["session_id", "vacancy_id", "person_ref"], unique=True)


def downgrade() -> None:
    op.drop_index("ux_session_applications_person", "session_applications")
    op.drop_table("session_applications")
    op.drop_table("session_viewer_samples")
    with op.batch_alter_table("recruitment_sessions") as batch:  # SQLite drops a column by copying
        batch.drop_column("source")

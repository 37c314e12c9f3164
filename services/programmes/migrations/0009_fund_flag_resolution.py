"""资金监管 flags can be resolved: the bureau marks a flag reviewed with a reason, and an
``alert.resolved`` closes its warning. The flag keeps its alert's measure (value, threshold, window),
which the resolution sends again; flags raised before this revision get theirs from their
``alert.raised`` while the outbox still holds it."""

import json

import sqlalchemy as sa
from alembic import op

from services.runtime.db import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_COLUMNS = ("value", "threshold", "alert_window", "resolution", "resolution_note", "resolved_by", "resolved_at",
            "resolved_event_id", "version")


def upgrade() -> None:
    with op.batch_alter_table("fund_flags") as batch:
        batch.add_column(sa.Column("value", sa.Float))
        batch.add_column(sa.Column("threshold", sa.Float))
        batch.add_column(sa.Column("alert_window", sa.String(8)))  # WINDOW is a reserved word
        batch.add_column(sa.Column("resolution", sa.String(20)))
        batch.add_column(sa.Column("resolution_note", sa.String(500)))
        batch.add_column(sa.Column("resolved_by", sa.String(64)))
        batch.add_column(sa.Column("resolved_at", UTCDateTime))
        batch.add_column(sa.Column("resolved_event_id", sa.String(36)))
        batch.add_column(sa.Column("version", sa.Integer, nullable=False, server_default="1"))
    _measures_from_the_outbox()


def _measures_from_the_outbox() -> None:
    flags = sa.table("fund_flags", sa.column("alert_id", sa.String), sa.column("event_id", sa.String),
                     sa.column("value", sa.Float), sa.column("threshold", sa.Float),
                     sa.column("alert_window", sa.String))
    outbox = sa.table("outbox", sa.column("event_id", sa.String), sa.column("payload", sa.LargeBinary))
    bind = op.get_bind()
    found = bind.execute(sa.select(flags.c.alert_id, outbox.c.payload)
                         .select_from(flags.join(outbox, flags.c.event_id == outbox.c.event_id))).all()
    for alert_id, payload in found:
        data = json.loads(bytes(payload))["data"]  # psycopg2 reads bytea as a memoryview
        bind.execute(flags.update().where(flags.c.alert_id == alert_id).values(
            value=data["value"], threshold=data["threshold"], alert_window=data["window"]))


def downgrade() -> None:
    with op.batch_alter_table("fund_flags") as batch:  # SQLite rebuilds the table
        for column in reversed(_COLUMNS):
            batch.drop_column(column)

"""资金监管 and time to benefit: flags, the history of person facts, employment spells, the postings
placements name, and the day a grant's person was found eligible."""

import sqlalchemy as sa
from alembic import op

from schemas.fields import SHANGHAI
from services.runtime.db import UTCDateTime

FACTS = {"street_code": sa.String, "key_groups": sa.JSON, "status": sa.String, "employment_form": sa.String,
         "unemployment_spells": sa.Integer, "graduation_year": sa.Integer}

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("grants", sa.Column("eligible_on", sa.Date))
    op.create_table(
        "person_facts_history",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("person_ref", sa.String(64), nullable=False, index=True),
        sa.Column("recorded_on", sa.Date, nullable=False),
        sa.Column("street_code", sa.String(9), nullable=False),
        sa.Column("key_groups", sa.JSON, nullable=False),
        sa.Column("status", sa.String(12)),
        sa.Column("employment_form", sa.String(20)),
        sa.Column("unemployment_spells", sa.Integer, nullable=False),
        sa.Column("graduation_year", sa.Integer),
    )
    _history_from_current_facts()
    op.create_table(
        "employment_spells",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("person_ref", sa.String(64), nullable=False, index=True),
        sa.Column("form", sa.String(20), nullable=False),
        sa.Column("employer_ref", sa.String(18)),
        sa.Column("started_on", sa.Date, nullable=False),
        sa.Column("ended_on", sa.Date),
    )
    op.create_table(
        "vacancy_facts",
        sa.Column("vacancy_id", sa.String(64), primary_key=True),
        sa.Column("employer_ref", sa.String(18), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "fund_flags",
        sa.Column("alert_id", sa.String(36), primary_key=True),
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("breach_key", sa.String(240), nullable=False, unique=True),
        sa.Column("subject_ref", sa.String(64), nullable=False),
        sa.Column("street_code", sa.String(9), nullable=False),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("summary", sa.String(300), nullable=False),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("flagged_at", UTCDateTime, nullable=False),
    )


def _history_from_current_facts() -> None:
    """Start each known person's history with the facts held now, as of the day they were last
    changed: without it, every grant to a person known before this revision would look like one
    without eligibility (no facts on its day)."""
    current = sa.table("person_facts", sa.column("person_ref", sa.String), sa.column("updated_at", UTCDateTime),
                       *(sa.column(name, kind) for name, kind in FACTS.items()))
    history = sa.table("person_facts_history", sa.column("person_ref", sa.String), sa.column("recorded_on", sa.Date),
                       *(sa.column(name, kind) for name, kind in FACTS.items()))
    bind = op.get_bind()
    rows = bind.execute(sa.select(current)).mappings().all()
    for start in range(0, len(rows), 1000):
        bind.execute(history.insert(), [
            {"person_ref": row["person_ref"], "recorded_on": row["updated_at"].astimezone(SHANGHAI).date(),
             **{name: row[name] for name in FACTS}}
            for row in rows[start:start + 1000]])


def downgrade() -> None:
    for table in ("fund_flags", "vacancy_facts", "employment_spells", "person_facts_history"):
        op.drop_table(table)
    with op.batch_alter_table("grants") as batch:  # SQLite rebuilds the table
        batch.drop_column("eligible_on")

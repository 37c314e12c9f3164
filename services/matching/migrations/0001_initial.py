"""Runtime tables (outbox, idempotency keys), read models, pending and processed events, stations,
cases and referrals: everything the matching service keeps."""

from alembic import op

from services.matching import store
from services.runtime.db import Base
from services.runtime.tables import create_runtime_tables, drop_runtime_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TABLES = [
    store.PersonRow.__table__, store.VacancyRow.__table__, store.EmployerRow.__table__,
    store.PendingEvent.__table__, store.ProcessedEvent.__table__, store.Station.__table__,
    store.Case.__table__, store.Referral.__table__,
]


def upgrade() -> None:
    create_runtime_tables(op.get_bind())
    Base.metadata.create_all(op.get_bind(), tables=TABLES)


def downgrade() -> None:
    Base.metadata.drop_all(op.get_bind(), tables=TABLES)
    drop_runtime_tables(op.get_bind())

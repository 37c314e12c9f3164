"""Alembic revisions of the monitoring service's SQL database (``MONITORING_DATABASE_URL``).

That database holds the state of the warnings this service raises and the runtime's outbox and
idempotency tables (``warnings/ledger.py`` says why). Its revisions are numbered ``0001_initial.py`` …
as every service's are, and run at start-up through ``runtime.db.migrate`` (Alembic skips this
file). They live here, not in ``migrations/``, because that folder holds the ClickHouse migrations
(snuba style, applied by ``migrations.migrate``): two engines, two folders.
"""

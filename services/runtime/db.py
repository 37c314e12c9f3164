"""SQLAlchemy engine, session factory and Alembic migrations for the systems of record.

SQLite under ``var/`` by default, PostgreSQL in production; the same code runs on both.
Routes and repositories never commit: :mod:`services.runtime.http` opens one unit of work per
request and commits the business rows, their outbox rows and the idempotency record together.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, CursorResult, DateTime, Engine, FromClause, Result, Table, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

SQLITE_IMMEDIATE = "leye_sqlite_immediate"


def begin_read(session: Session) -> None:
    """Start ``session``'s transaction as a reader: a deferred ``BEGIN`` on SQLite, which does not wait
    for writers. Every other transaction starts as a writer (``BEGIN IMMEDIATE``); on PostgreSQL
    both are plain transactions, where row locks and MVCC do the work."""
    session.connection(execution_options={SQLITE_IMMEDIATE: False})


class Base(DeclarativeBase):
    """The runtime's own tables (outbox, idempotency keys). Each service declares a ``Base`` of its
    own in its ``store.py``, so services never share a metadata (nor table names)."""


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes stored as UTC; SQLite would otherwise drop the offset."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def as_table(selectable: FromClause) -> Table:
    """A mapped class's table as a ``Table``: SQLAlchemy types ``__table__`` and ``local_table`` as any
    ``FromClause``, though a declarative class without its own ``__table__`` always maps a ``Table``."""
    if not isinstance(selectable, Table):
        raise TypeError(f"{selectable!r} is not a table")
    return selectable


def rowcount(result: Result[Any]) -> int:
    """The rows an UPDATE or DELETE matched: ``Session.execute`` types its result as ``Result``, though
    for such a statement it is a ``CursorResult``, which carries the count."""
    if not isinstance(result, CursorResult):
        raise TypeError(f"{type(result).__name__} has no row count")
    return result.rowcount


def utcnow() -> datetime:
    return datetime.now(UTC)


def make_engine(url: str) -> Engine:
    """An engine tuned for the embedded default or a real server."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # WAL lets the outbox relay read while requests write; NORMAL sync is durable in WAL mode
            # against process crashes, which is the failure we guard against here.
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()
            # pysqlite would only BEGIN before the first write, leaving earlier reads outside the
            # transaction (a read-then-write could overwrite a concurrent change). We BEGIN ourselves.
            dbapi_conn.isolation_level = None

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Connection) -> None:
            # Transactions take the write lock up front (BEGIN IMMEDIATE), so concurrent writers queue
            # (busy timeout) instead of overwriting each other or failing on a lock upgrade; read-only
            # requests opt out with begin_read() and stay concurrent under WAL.
            immediate = conn.get_execution_options().get(SQLITE_IMMEDIATE, True)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    options: dict[str, object] = {}
    if url.startswith(("postgresql://", "postgresql+psycopg2://")):
        # The relay marks a batch sent with one UPDATE per row (each row its own partition and offset);
        # psycopg2's plain executemany would make that a round trip per row, execute_batch pages them.
        options["executemany_mode"] = "values_plus_batch"
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, **options)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def migrate(engine: Engine, versions_dir: Path) -> None:
    """Upgrade a service's database to its newest Alembic revision.

    All services share one ``env.py`` (``services/runtime/alembic``); each keeps its numbered
    revisions in its own ``migrations/`` folder.
    """
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "alembic"))
    config.set_main_option("version_locations", str(versions_dir))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")

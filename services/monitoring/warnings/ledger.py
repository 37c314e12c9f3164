"""The monitoring service's SQL database: the state of its own warnings, and the outbox their events
leave through.

Why a SQL database beside ClickHouse: a warning's change must be recorded durably *before* it is
published, and published exactly once even when the broker is down at that moment. So
:meth:`WarningLedger.record_sync` updates the warning's row and stages its CloudEvent
(``runtime.outbox.add_event``) in one transaction; the runtime's ``OutboxRelay`` (started by
``runtime.http.http_app``) publishes it with back-off and marks it sent after the broker's ack. The
``warnings`` table is the source of truth for which warnings are open: the worker restores them
from it at start-up, so a restart neither re-raises nor re-sends an open warning.

The Alembic revisions are in ``sql_migrations/`` (``migrations/`` holds the ClickHouse ones).

SQL calls block and the worker runs on faust's event loop, so the async methods run them on one
dedicated thread (as ``Store.call`` does for ClickHouse); one thread also keeps the engine's
writes in the order it made them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Float, Index, String, func, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from schemas import CloudEvent
from schemas.events.alert import AlertRaised, AlertResolved
from schemas.vocab import AlertLevel, ScopeKind
from services.runtime.db import UTCDateTime, rowcount
from services.runtime.outbox import add_event

from .engine import NotRecordedError, OpenAlert, WarningConflictError
from .thresholds import Scope

log = logging.getLogger(__name__)
T = TypeVar("T")
OPEN, RESOLVED = "open", "resolved"


class Base(DeclarativeBase):
    """This service's SQL tables (besides the runtime's outbox and idempotency keys)."""


class WarningRow(Base):
    """The latest state of one warning the monitoring rules raised (Grafana's alerts are not here:
    they reach ClickHouse through ``leye.alert`` like every other event)."""

    __tablename__ = "warnings"

    alert_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    signal: Mapped[str] = mapped_column(String(64))
    scope_kind: Mapped[str] = mapped_column(String(10))
    scope_code: Mapped[str] = mapped_column(String(9))
    level: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10))
    value: Mapped[float] = mapped_column(Float)
    threshold: Mapped[float] = mapped_column(Float)
    window: Mapped[str] = mapped_column(String(10))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_event_id: Mapped[str] = mapped_column(String(36))

    __table_args__ = (
        # At most one open warning per scope, even with two workers on one database: the second
        # raise fails at commit instead of publishing a duplicate.
        Index("ux_warnings_open_scope", "signal", "scope_kind", "scope_code", unique=True,
              sqlite_where=status == OPEN, postgresql_where=status == OPEN),
    )


class WarningLedger:
    """Records warning changes with their outbox event; reads the open warnings back.

    Unbound until the API's start-up has migrated the database (:meth:`bind`); the worker's
    warning task waits for :attr:`bound`.
    """

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="warnings-db")
        self._sessions: sessionmaker[Session] | None = None
        self._wake: Callable[[], None] = lambda: None
        self.bound = asyncio.Event()

    def bind(self, sessions: sessionmaker[Session], wake: Callable[[], None] | None = None) -> None:
        """Use ``sessions`` (a migrated database); ``wake`` is the relay's, called after each commit
        so the event leaves at once instead of at the relay's next poll."""
        self._sessions = sessions
        self._wake = wake or (lambda: None)
        self.bound.set()

    @property
    def sessions(self) -> sessionmaker[Session]:
        if self._sessions is None:
            raise RuntimeError("WarningLedger used before bind()")
        return self._sessions

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a blocking ``*_sync`` method on the ledger's thread."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    async def record(self, event: CloudEvent) -> None:
        await self.call(self.record_sync, event)

    async def open_warnings(self) -> dict[Scope, OpenAlert]:
        return await self.call(self.open_warnings_sync)

    def record_sync(self, event: CloudEvent) -> None:
        """Apply an ``alert.raised`` / ``updated`` / ``resolved`` event of the monitoring rules to its
        row and stage the event, in one transaction. :class:`WarningConflictError` if the row was not
        open (or, for a raise, the scope already has an open warning); :class:`NotRecordedError` if the
        database failed."""
        data = event.data
        state = {"level": str(data.level), "status": RESOLVED if isinstance(data, AlertResolved) else OPEN,
                 "value": data.value, "threshold": data.threshold, "window": data.window,
                 "updated_at": event.time, "last_event_id": event.id}
        try:
            with self.sessions.begin() as session:
                if isinstance(data, AlertRaised):
                    session.add(WarningRow(alert_id=data.alert_id, signal=data.signal,
                                           scope_kind=str(data.scope_kind), scope_code=data.scope_code,
                                           raised_at=event.time, **state))
                else:
                    changed = rowcount(session.execute(
                        update(WarningRow)
                        .where(WarningRow.alert_id == data.alert_id, WarningRow.status == OPEN)
                        .values(**state)
                    ))
                    if changed != 1:
                        raise WarningConflictError(data.alert_id)
                add_event(session, event)
        except IntegrityError:
            raise WarningConflictError(data.alert_id) from None
        except SQLAlchemyError as exc:
            raise NotRecordedError(type(exc).__name__) from exc
        self._wake()

    def open_warnings_sync(self) -> dict[Scope, OpenAlert]:
        with self.sessions() as session:
            rows = session.execute(
                select(WarningRow.alert_id, WarningRow.level, WarningRow.signal, WarningRow.scope_kind,
                       WarningRow.scope_code).where(WarningRow.status == OPEN)).all()
        return {(signal, ScopeKind(kind), code): OpenAlert(alert_id, AlertLevel(level))
                for alert_id, level, signal, kind, code in rows}

    def is_empty_sync(self) -> bool:
        with self.sessions() as session:
            return not session.scalar(select(func.count()).select_from(WarningRow))

    def adopt_sync(self, clickhouse_rows: Iterable[tuple[Any, ...]]) -> int:
        """Take over the open warnings of a deployment from before this table existed, as
        ``alerting.ALERTS_IN_CLICKHOUSE`` reads them, without publishing anything (they were
        published then). Only into an empty table: afterwards this table is the record."""
        rows = [WarningRow(alert_id=alert_id, level=level, signal=signal, scope_kind=kind, scope_code=code,
                           status=OPEN, value=value, threshold=threshold, window=window,
                           raised_at=_utc(first), updated_at=_utc(last), last_event_id=event_id)
                for alert_id, status, level, signal, kind, code, value, threshold, window, first, last, event_id
                in clickhouse_rows if status == OPEN]
        with self.sessions.begin() as session:
            if session.scalar(select(func.count()).select_from(WarningRow)):
                return 0
            session.add_all(rows)
        return len(rows)

    def close(self) -> None:
        self._executor.shutdown(wait=True)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment  # the table stores UTC

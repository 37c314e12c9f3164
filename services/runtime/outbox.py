"""Transactional outbox: an event is written in the same transaction as the business row, and a
relay publishes it to Kafka afterwards.

Guarantees (the reason this exists): a committed write always reaches Kafka eventually, however
long the broker is down; a row is marked sent only after the broker acknowledged it. A crash
between acknowledgement and marking re-sends the event once more, so delivery is at-least-once
and consumers deduplicate on the CloudEvents ``id``. One relay runs per service database; it
publishes in ``id`` order with an idempotent producer, so one aggregate's events keep their order.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from kafka import KafkaProducer
from kafka.errors import KafkaError
from sqlalchemy import Index, Integer, LargeBinary, String, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from schemas import CloudEvent

from .backoff import backoff
from .broker import ensure_topics
from .db import Base, UTCDateTime, utcnow
from .metrics import OUTBOX_PENDING, OUTBOX_PUBLISH_ERRORS, OUTBOX_PUBLISHED

log = logging.getLogger(__name__)


class OutboxMessage(Base):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    event_type: Mapped[str] = mapped_column(String(120))
    topic: Mapped[str] = mapped_column(String(120))
    key: Mapped[str] = mapped_column(String(200))
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (
        # The relay only ever scans unsent rows; a partial index keeps that scan small.
        Index("ix_outbox_unsent", "id", sqlite_where=sent_at.is_(None), postgresql_where=sent_at.is_(None)),
    )


def add_event(session: Session, event: CloudEvent) -> None:
    """Stage ``event`` in the caller's unit of work; it is published only if that commits."""
    session.add(
        OutboxMessage(
            event_id=event.id, event_type=event.type, topic=event.topic,
            key=event.subject, payload=event.to_json(),
        )
    )


def make_producer(bootstrap: str, **overrides: object) -> KafkaProducer:
    """The project's producer settings: acks from all replicas, idempotent (no reordering or
    duplicates on retry), small linger to form batches."""
    config: dict[str, object] = {
        "bootstrap_servers": bootstrap,
        "client_id": "leye-outbox",
        "acks": "all",
        "enable_idempotence": True,
        "linger_ms": 5,
        "batch_size": 64 * 1024,
        "request_timeout_ms": 10_000,
        "max_block_ms": 10_000,
    }
    return KafkaProducer(**(config | overrides))


class OutboxRelay:
    """Publishes unsent outbox rows in order, in a background thread.

    ``wake()`` is called after every commit so events leave within ``linger_s`` (20 ms, which lets
    commits that arrive together share a batch); otherwise the relay polls every ``poll_interval_s``.
    While the broker is unreachable it backs off exponentially (capped at ``max_backoff_s``) and
    keeps the rows.
    """

    def __init__(
        self,
        session_factory: sessionmaker,  # type: ignore[type-arg]
        bootstrap: str,
        *,
        batch_size: int = 2000,
        poll_interval_s: float = 0.5,
        max_backoff_s: float = 5.0,
        linger_s: float = 0.02,
        producer_factory: Callable[[str], KafkaProducer] = make_producer,
    ) -> None:
        self._sessions = session_factory
        self._bootstrap = bootstrap
        self._batch_size = batch_size
        self._poll_interval_s = poll_interval_s
        self._linger_s = linger_s
        self._backoff = backoff(0.1, max_backoff_s)
        self._producer_factory = producer_factory
        self._producer: KafkaProducer | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.healthy = False

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="outbox-relay", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout_s: float = 10.0) -> None:
        """Drain what can be drained quickly, then stop."""
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout_s)
        if self._producer:
            self._producer.close(timeout=2)
            self._producer = None

    def pending(self) -> int:
        with self._sessions() as session:
            count = session.scalar(select(func.count()).where(OutboxMessage.sent_at.is_(None)))
        return int(count or 0)

    def publish_batch(self) -> int:
        """Publish up to one batch of unsent rows; return how many were acknowledged and marked."""
        with self._sessions() as session:
            rows = session.execute(
                select(OutboxMessage.id, OutboxMessage.topic, OutboxMessage.key, OutboxMessage.payload)
                .where(OutboxMessage.sent_at.is_(None))
                .order_by(OutboxMessage.id)
                .limit(self._batch_size)
            ).all()
        if not rows:
            return 0
        if self._producer is None:
            ensure_topics(self._bootstrap)
            self._producer = self._producer_factory(self._bootstrap)
        futures = [self._producer.send(r.topic, key=r.key.encode(), value=r.payload) for r in rows]
        self._producer.flush(timeout=30)
        for future in futures:
            future.get(timeout=0)  # raises the broker's error for any message not acknowledged
        with self._sessions.begin() as session:
            session.execute(
                update(OutboxMessage).where(OutboxMessage.id.in_([r.id for r in rows])).values(sent_at=utcnow())
            )
        OUTBOX_PUBLISHED.inc(len(rows))
        return len(rows)

    def _run(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            try:
                published = self.publish_batch()
                attempt, self.healthy = 0, True
            except (KafkaError, OSError, TimeoutError) as exc:
                attempt += 1
                self.healthy = False
                OUTBOX_PUBLISH_ERRORS.inc()
                log.warning("outbox publish failed, will retry", extra={"error": repr(exc), "attempt": attempt})
                self._reset_producer()
                self._stop.wait(self._backoff(attempt))
                continue
            if published == 0:
                OUTBOX_PENDING.set(0)
                if self._wake.wait(self._poll_interval_s):
                    # Woken by a commit: linger a moment so commits arriving together leave as one
                    # batch, with one mark-sent transaction competing for the database's write lock.
                    self._stop.wait(self._linger_s)
                self._wake.clear()

    def _reset_producer(self) -> None:
        # A fresh producer after a failure: the broker may have restarted empty (Tansu keeps topics
        # in memory), so topics are ensured again and the idempotent producer id renewed.
        if self._producer is not None:
            try:
                self._producer.close(timeout=1)
            except Exception:  # noqa: BLE001 - closing a broken producer may fail in many ways
                pass
            self._producer = None

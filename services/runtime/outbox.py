"""Transactional outbox: an event is written in the same transaction as the business row, and a
relay publishes it to Kafka afterwards.

Guarantees (the reason this exists): a committed write always reaches Kafka eventually, however
long the broker is down; a row is marked sent only after the broker acknowledged it. A crash
between acknowledgement and marking re-sends the event once more, so delivery is at-least-once
and consumers deduplicate on the CloudEvents ``id``. One relay runs per service database; it
publishes in ``id`` order with an idempotent producer, so one aggregate's events keep their order.

Replay after a lost log. The embedded broker (Tansu) keeps topics in memory, so a broker restart
loses events that were acknowledged (and marked sent) but not yet read by every consumer. Sent rows
are therefore kept for a replay window, each with the partition and offset the broker acknowledged,
and re-published when the broker shows it no longer has them. Consumers deduplicate on event id,
so a replay is harmless, and on a replicated Apache Kafka cluster it simply never happens.

How the loss is noticed (the Kafka protocol has no "log lost" signal; Tansu's Metadata cluster id
stays ``tansu_cluster`` across restarts, so it cannot be one either):

- a partition's end offset (ListOffsets, latest) is at or below the first offset of the latest
  batch this relay had acknowledged there, or the topic is gone. End offsets never decrease on a
  healthy log (retention removes the start, not the end) and other producers only raise them, so
  this has no false positive. It is checked before unsent rows are published, at most every
  ``check_interval_s`` and always after an error or a producer reset, so replayed events leave
  before newer ones of the same aggregate;
- an acknowledgement at or below the highest offset this relay saw acknowledged on its partition
  (the log was lost between two checks). An acknowledgement without an offset (-1) is not one: the
  idempotent producer retried a batch the broker had already appended (measured on Tansu after a
  pause longer than the request timeout), and the broker answers the duplicate without its offset.

``sent_at`` is the latest acknowledgement (a replay sets it again) and the window counts from it.
The known offsets are loaded at start from the rows sent within the window, so a relay restart does
not look like a loss. Rows sent before the offsets were recorded (no partition) are replayed with
every lost partition of their topic, since where they went is unknown. Limit: if other producers
wrote more to a partition of the new, empty log than this relay's floor there before a check, only
this relay's next acknowledgement on that partition reveals the loss.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import KafkaError
from sqlalchemy import BigInteger, Index, Integer, LargeBinary, Row, String, and_, func, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from schemas import CloudEvent

from .broker import ensure_topics
from .db import Base, UTCDateTime, utcnow
from .metrics import OUTBOX_PENDING, OUTBOX_PUBLISH_ERRORS, OUTBOX_PUBLISHED, OUTBOX_REPLAYED
from .retry import retry_wait

log = logging.getLogger(__name__)

REPLAY_WINDOW_S = 86_400.0  # the relay's default when no retention settings give one

_Pending = Row[int, str, str, bytes]  # id, topic, key, payload of a row to publish


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
    # Where the broker acknowledged the row (the latest time, if it was replayed): see the module doc.
    sent_partition: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sent_offset: Mapped[int | None] = mapped_column(BigInteger, nullable=True)

    __table_args__ = (
        # The relay only ever scans unsent rows; a partial index keeps that scan small.
        Index("ix_outbox_unsent", "id", sqlite_where=sent_at.is_(None), postgresql_where=sent_at.is_(None)),
        # The replay and the retention purge select sent rows by age.
        Index("ix_outbox_sent_at", "sent_at"),
    )


def add_event(session: Session, event: CloudEvent[Any]) -> None:
    """Stage ``event`` in the caller's unit of work; it is published only if that commits."""
    session.add(
        OutboxMessage(
            event_id=event.id, event_type=event.type, topic=event.topic,
            key=event.subject, payload=event.to_json(),
        )
    )


def make_producer(bootstrap: str, **overrides: object) -> KafkaProducer:
    """The project's producer settings: acks from all replicas, idempotent (no reordering or
    duplicates on retry), small linger to form batches. No topic auto-creation: after a restart
    Tansu would create a topic its metadata request names with the broker's default partition count
    (measured: 4 instead of the registry's 3), which moves keys to other partitions."""
    config: dict[str, object] = {
        "bootstrap_servers": bootstrap,
        "client_id": "leye-outbox",
        "acks": "all",
        "enable_idempotence": True,
        "linger_ms": 5,
        "batch_size": 64 * 1024,
        "request_timeout_ms": 10_000,
        "max_block_ms": 10_000,
        "allow_auto_create_topics": False,
    }
    return KafkaProducer(**(config | overrides))


def make_offsets_client(bootstrap: str) -> KafkaConsumer:
    """A consumer that only asks partitions' end offsets (no group, never subscribes)."""
    # No auto-creation: asking about a topic the broker lost must not re-create it with the broker's
    # default partition count (Tansu does); the relay creates topics from the registry.
    return KafkaConsumer(bootstrap_servers=bootstrap, client_id="leye-outbox-check", group_id=None,
                         enable_auto_commit=False, request_timeout_ms=10_000, allow_auto_create_topics=False)


class OutboxRelay:
    """Publishes unsent outbox rows in order, in a background thread.

    ``wake()`` is called after every commit so events leave within ``linger_s`` (20 ms, which lets
    commits that arrive together share a batch); otherwise the relay polls every ``poll_interval_s``.
    While the broker is unreachable it backs off exponentially (capped at ``max_backoff_s``) and
    keeps the rows. Rows sent within ``replay_window_s`` are published again, before any unsent row,
    when the broker lost its log (module doc); ``check_interval_s`` spaces the end-offset checks.
    """

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        bootstrap: str,
        *,
        batch_size: int = 2000,
        poll_interval_s: float = 0.5,
        max_backoff_s: float = 5.0,
        linger_s: float = 0.02,
        replay_window_s: float = REPLAY_WINDOW_S,
        check_interval_s: float = 1.0,
        producer_factory: Callable[[str], KafkaProducer] = make_producer,
        offsets_client_factory: Callable[[str], KafkaConsumer] = make_offsets_client,
    ) -> None:
        self._sessions = session_factory
        self._bootstrap = bootstrap
        self._batch_size = batch_size
        self._poll_interval_s = poll_interval_s
        self._linger_s = linger_s
        self._replay_window = timedelta(seconds=replay_window_s)
        self._check_interval_s = check_interval_s
        self._backoff = retry_wait(0.1, max_backoff_s)
        self._producer_factory = producer_factory
        self._offsets_client_factory = offsets_client_factory
        self._producer: KafkaProducer | None = None
        self._offsets_client: KafkaConsumer | None = None
        # Per partition: the highest offset acknowledged to this relay, and the lowest of its latest
        # batch there (None until loaded from the database).
        self._high: dict[TopicPartition, int] | None = None
        self._floor: dict[TopicPartition, int] = {}
        self._lost: set[TopicPartition] = set()  # partitions whose window is still to be replayed
        self._check_due = True
        self._last_check = 0.0
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
        self._reset_producer()

    def pending(self) -> int:
        with self._sessions() as session:
            count = session.scalar(select(func.count()).where(OutboxMessage.sent_at.is_(None)))
        return int(count or 0)

    def publish_batch(self) -> int:
        """Publish up to one batch of unsent rows, or first replay what the broker lost; return how
        many rows were acknowledged and marked."""
        if self._high is None:
            self._high, self._floor = self._load_known_offsets()
        if self._check_due or time.monotonic() - self._last_check >= self._check_interval_s:
            self._check_end_offsets()
        if self._lost:
            return self._replay()
        with self._sessions() as session:
            rows = session.execute(
                select(OutboxMessage.id, OutboxMessage.topic, OutboxMessage.key, OutboxMessage.payload)
                .where(OutboxMessage.sent_at.is_(None))
                .order_by(OutboxMessage.id)
                .limit(self._batch_size)
            ).all()
        if not rows:
            return 0
        acks = self._send(rows)
        self._mark(rows, acks)
        OUTBOX_PUBLISHED.inc(len(rows))
        if dropped := self._remember(acks):
            # Offsets already taken by earlier events of ours: the log was lost between two checks.
            # This batch is in the window, so the replay re-sends it in order too; the other
            # partitions are checked at once (they were probably lost as well).
            self._lost |= dropped
            self._check_due = True
        return len(rows)

    def _send(self, rows: Sequence[_Pending]) -> list[Any]:
        """Send ``rows`` and wait for every acknowledgement; return their record metadata in order."""
        if self._producer is None:
            ensure_topics(self._bootstrap)
            self._producer = self._producer_factory(self._bootstrap)
        futures = [self._producer.send(r.topic, key=r.key.encode(), value=r.payload) for r in rows]
        self._producer.flush(timeout=30)
        return [future.get(timeout=0) for future in futures]  # raises the error of any unacknowledged one

    def _mark(self, rows: Sequence[_Pending], acks: list[Any]) -> None:
        # One ``sent_at`` for the whole batch: the rows of the latest batch on a partition are what
        # _load_known_offsets finds again after a restart.
        sent_at = utcnow()
        values = [{"id": row.id, "sent_at": sent_at, "sent_partition": ack.partition,
                   "sent_offset": ack.offset if ack.offset >= 0 else None}  # -1: see the module doc
                  for row, ack in zip(rows, acks, strict=True)]
        with self._sessions.begin() as session:
            session.execute(update(OutboxMessage), values)

    def _remember(self, acks: list[Any]) -> set[TopicPartition]:
        """Note acknowledged offsets; return the partitions where one was at or below a known one."""
        assert self._high is not None
        dropped: set[TopicPartition] = set()
        floors: dict[TopicPartition, int] = {}
        for ack in acks:
            if ack.offset < 0:  # a duplicate the broker had appended before: where is not told (module doc)
                continue
            tp = TopicPartition(ack.topic, ack.partition)
            high = self._high.get(tp)
            if high is not None and ack.offset <= high:
                dropped.add(tp)
            self._high[tp] = ack.offset if high is None else max(high, ack.offset)
            floors.setdefault(tp, ack.offset)  # acks come in row order: the first is the lowest
        self._floor.update(floors)
        return dropped

    def _window_start(self) -> datetime:
        return utcnow() - self._replay_window

    def _load_known_offsets(self) -> tuple[dict[TopicPartition, int], dict[TopicPartition, int]]:
        """Highest offset and floor per partition, from the latest batch sent there within the window."""
        sent = (OutboxMessage.sent_at >= self._window_start()) & OutboxMessage.sent_partition.is_not(None)
        latest = (
            select(OutboxMessage.topic, OutboxMessage.sent_partition, func.max(OutboxMessage.sent_at).label("at"))
            .where(sent).group_by(OutboxMessage.topic, OutboxMessage.sent_partition).subquery()
        )
        query = (
            select(OutboxMessage.topic, OutboxMessage.sent_partition,
                   func.min(OutboxMessage.sent_offset), func.max(OutboxMessage.sent_offset))
            .join(latest, and_(OutboxMessage.topic == latest.c.topic,
                               OutboxMessage.sent_partition == latest.c.sent_partition,
                               OutboxMessage.sent_at == latest.c.at))
            .group_by(OutboxMessage.topic, OutboxMessage.sent_partition)
        )
        with self._sessions() as session:
            rows = session.execute(query).all()
        # A sent row has both its partition and its offset: none of these is None.
        high = {TopicPartition(topic, partition): top for topic, partition, _floor, top in rows if top is not None}
        floor = {TopicPartition(topic, partition): bottom for topic, partition, bottom, _top in rows
                 if bottom is not None}
        return high, floor

    def _check_end_offsets(self) -> None:
        """Mark lost the partitions whose end offset is at or below the floor of our latest batch there.

        The floor, not the highest offset: Tansu reports as end offset the base offset of the last
        record batch plus one (measured: five records acknowledged at 0–4 in one batch, end offset
        1), which is above the floor of the batch but can be below its last offset.
        """
        assert self._high is not None
        if self._floor:  # else nothing acknowledged within the window: nothing to lose
            self._lost |= self._lost_partitions()
        self._check_due = False
        self._last_check = time.monotonic()

    def _lost_partitions(self) -> set[TopicPartition]:
        if self._offsets_client is None:
            self._offsets_client = self._offsets_client_factory(self._bootstrap)
        client = self._offsets_client
        # Fresh metadata first, and end offsets only of topics that exist: Tansu creates a topic that
        # a ListOffsets request names (with its default partition count), as it does on Metadata.
        existing = client.topics()
        present = [tp for tp in self._floor
                   if tp.topic in existing and tp.partition in (client.partitions_for_topic(tp.topic) or ())]
        ends = client.end_offsets(present, timeout_ms=5_000) if present else {}
        lost = {tp for tp, floor in self._floor.items() if tp not in ends or ends[tp] <= floor}
        if lost - self._lost:
            # The new broker has no state of our idempotent producer, and topics may need creating.
            self._reset_producer()
        return lost

    def _replay(self) -> int:
        """Publish again, in id order, the rows sent within the window on the lost partitions."""
        assert self._high is not None
        lost = set(self._lost)
        topics = {tp.topic for tp in lost}
        where = or_(
            *(and_(OutboxMessage.topic == tp.topic, OutboxMessage.sent_partition == tp.partition) for tp in lost),
            and_(OutboxMessage.topic.in_(topics), OutboxMessage.sent_partition.is_(None)),
        )
        window_start = self._window_start()
        log.warning("消息代理丢失了已确认的事件，开始重新发布重放窗口内的事件",
                    extra={"partitions": sorted(f"{tp.topic}[{tp.partition}]" for tp in lost)})
        for tp in lost:  # the replay's acknowledgements are the new marks
            self._high.pop(tp, None)
            self._floor.pop(tp, None)
        replayed, after_id = 0, 0
        while not self._stop.is_set():
            with self._sessions() as session:
                rows = session.execute(
                    select(OutboxMessage.id, OutboxMessage.topic, OutboxMessage.key, OutboxMessage.payload)
                    .where(OutboxMessage.sent_at >= window_start, OutboxMessage.id > after_id, where)
                    .order_by(OutboxMessage.id)
                    .limit(self._batch_size)
                ).all()
            if not rows:
                break
            acks = self._send(rows)
            self._mark(rows, acks)  # sent_at too: the window counts from the latest acknowledgement
            self._remember(acks)
            replayed += len(rows)
            OUTBOX_REPLAYED.inc(len(rows))
            after_id = rows[-1].id
        else:
            return replayed  # stopping: the next start finds the loss again and replays from the start
        self._lost -= lost
        log.warning("重放完成", extra={"replayed": replayed})
        return replayed

    def _run(self) -> None:
        # Not a tenacity ``Retrying``: besides retrying, the loop idles, is woken by commits and
        # lingers, and each success resets the back-off; it takes the same waits (``retry_wait``).
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
        # in memory), so topics are ensured again and the idempotent producer id renewed. The next
        # publish checks the end offsets first, whatever the interval.
        # Closing a broken client may fail in many ways; it is being replaced anyway.
        if self._producer is not None:
            with contextlib.suppress(Exception):
                self._producer.close(timeout=1)
        if self._offsets_client is not None:
            with contextlib.suppress(Exception):
                self._offsets_client.close()
        self._producer = None
        self._offsets_client = None
        self._check_due = True

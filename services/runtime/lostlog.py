"""Stream workers on a broker that lost its log.

The embedded broker (Tansu) keeps topics in memory: when it restarts, every topic comes back empty
(re-created by ``leye up`` or an outbox relay) and the consumer groups' committed offsets are gone.
The outboxes then re-publish what they sent within their replay window, at offsets 0, 1, 2, …
A faust worker that lived through the restart would miss those events:

- faust drops every message below its in-memory read offset (``_drain_messages``, "DROPPED
  MESSAGE ROFF"), and once the replayed log has grown past that offset it reads on from there;
- its periodic commit would write those old offsets to the new broker, and the next process of
  the group would start at them.

:class:`LostLogGuard` notices the loss and stops the worker at once, without committing (as if it
had been killed): its supervisor starts a new process, which finds no committed offset on the
new broker and reads every partition from the earliest message. Handlers deduplicate on the
event id, so reading again what was already handled is harmless.

How the loss shows: the topic's id changed. A re-created topic gets a new id, and Tansu gives the
topics of every incarnation new ids. Comparing offsets would not do: the replay may already have
grown the new log past the worker's read offset, and Tansu reports a partition's end offset as its
last batch's base offset + 1 (one batch of 12 records ends at "1"), so end offsets below the read
offset are normal there. On Apache Kafka topic ids change only when a topic is deleted and
re-created (a lost log too), so there the guard costs one metadata request a second.

Commits are checked too: faust's commit goes through :meth:`LostLogGuard.allows_commit`, which
asks the broker first and refuses (faust then simply does not commit, and retries a second later)
unless every topic the commit names is on the broker with the id this process read it under. A
topic the broker does not have refuses the commit as well: a restarted broker is empty until
``leye up`` and the relays re-create the topics, and Tansu stores a commit for a topic it does not
have (measured); once the topic is re-created, the next process of the group would start at that
old offset and skip the replay below it. The check and the commit are milliseconds apart, while a
broker restart takes a process start and the topics' re-creation.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Callable, Collection, Mapping
from typing import Any

import faust
from kafka.admin import KafkaAdminClient
from kafka.errors import KafkaError

log = logging.getLogger(__name__)

LOST_LOG_EXIT_CODE = 75  # EX_TEMPFAIL: a supervisor restarts the worker
CHECK_EVERY_S = 1.0


class LostLog(Exception):  # noqa: N818 - a condition, not a programming error
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class LostLogGuard:
    """Watches the topics a faust worker reads and stops the worker when the broker lost them.

    ``install()`` once, before the worker starts (``create_stream_app`` does). ``exit_process`` is how the
    worker stops; it must not return. The topic ids are learnt at the first assignment: a broker
    that restarted before that cannot be told apart, and nothing had been read from the old one.
    """

    def __init__(self, app: faust.App, bootstrap: str, *, exit_process: Callable[[int], Any] = os._exit) -> None:
        self.app, self.bootstrap, self._exit = app, bootstrap, exit_process
        self.topic_ids: dict[str, str] = {}  # topic -> id when this process first read it
        self._admin: KafkaAdminClient | None = None
        self._lock = threading.Lock()  # kafka-python's admin client is not meant for two threads at once
        self._pending: asyncio.Future[None] | None = None

    def install(self) -> None:
        guard = self

        async def on_assigned(sender: Any, /, *_: Any, **__: Any) -> None:
            # Typed as faust's ConsumerT interface; _commit is the concrete consumer's.
            consumer: Any = guard.app.consumer
            if not getattr(consumer, "_lost_log_guarded", False):
                original = consumer._commit  # noqa: SLF001 - faust's one path to the broker's commit

                async def guarded_commit(offsets: Mapping[Any, int]) -> bool:
                    if not await guard.allows_commit({tp.topic for tp in offsets}):
                        return False
                    return bool(await original(offsets))

                consumer._commit = guarded_commit  # noqa: SLF001
                consumer._lost_log_guarded = True  # noqa: SLF001
            # Learn the topics' ids now, and notice a restarted broker (it causes a rebalance first),
            # without holding up the rebalance.
            guard._pending = asyncio.ensure_future(guard.check())  # keep a reference: the loop holds tasks weakly

        self.app.on_partitions_assigned.connect(on_assigned)

        @self.app.timer(CHECK_EVERY_S)  # type: ignore[untyped-decorator]  # faust's timer() returns a bare Callable
        async def _watch_for_lost_log() -> None:
            await guard.check()

    async def check(self) -> None:
        """Stop the worker if the broker lost the log; broker trouble is left for the next check."""
        try:
            await self._verify({tp.topic for tp in self.app.consumer.assignment()})
        except LostLog as lost:
            self._stop(lost.reason)
        except Exception as exc:  # noqa: BLE001 - broker trouble or a client's surprise: never stop the worker
            log.debug("lost-log check skipped", extra={"error": repr(exc)})

    async def allows_commit(self, topics: Collection[str]) -> bool:
        """Whether offsets of ``topics`` may be committed: each is on the broker under the id it was read under."""
        if not topics:
            return True
        try:
            missing = await self._verify(topics)
        except LostLog as lost:
            self._stop(lost.reason)
            return False
        except Exception as exc:  # noqa: BLE001 - not known to be safe: commit at the next interval instead
            log.warning("暂不提交偏移量：无法向 Kafka 代理确认主题编号，下次提交时再试", extra={"error": repr(exc)})
            return False
        if missing:
            log.warning("暂不提交偏移量：Kafka 代理上没有这些主题（代理可能刚重启，主题尚未重建），下次提交时再试",
                        extra={"topics": missing})
            return False
        return True

    async def _verify(self, topics: Collection[str]) -> list[str]:
        """Raise :class:`LostLog` if one of ``topics`` has a new id; return those the broker does not have."""
        if not topics:
            return []
        names = sorted(topics)
        ids = await asyncio.to_thread(self._topic_ids, names)
        for topic in names:
            known, now = self.topic_ids.get(topic), ids.get(topic)
            if known and now and known != now:
                raise LostLog(f"主题 {topic} 已被重建（编号 {known} → {now}）")
            if now and not known:
                self.topic_ids[topic] = now
        return [topic for topic in names if topic not in ids]

    def _topic_ids(self, topics: list[str]) -> dict[str, str]:
        """Each existing topic's id ("" from a broker that reports none); a topic it does not have is left out."""
        with self._lock:
            if self._admin is None:
                # Bounded like ensure_topics' client: kafka-python's 30 s bootstrap and reconnect defaults
                # would let a worker notice a lost log up to half a minute late.
                self._admin = KafkaAdminClient(bootstrap_servers=self.bootstrap, client_id="leye-lostlog",
                                               request_timeout_ms=5_000, bootstrap_timeout_ms=5_000,
                                               reconnect_backoff_max_ms=1_000)
            try:
                described = self._admin.describe_topics(topics)
            except (KafkaError, OSError):
                self._admin.close()
                self._admin = None  # reconnect from scratch next time: the broker may be a new one
                raise
        return {t["name"]: str(t["topic_id"]) if str(t.get("topic_id") or "").strip("0-") else ""
                for t in described if t.get("error_code") == 0}

    def _stop(self, reason: str) -> None:
        # An operator reads this line: it says what happened and that the restart is expected.
        log.critical(f"Kafka 代理丢失了已消费的日志（{reason}）：不提交偏移量，进程退出，"
                     f"重启后从最早的消息重新读取（重复的事件按编号去重）",
                     extra={"exit_code": LOST_LOG_EXIT_CODE})
        for handler in logging.getLogger().handlers:
            handler.flush()
        self._exit(LOST_LOG_EXIT_CODE)

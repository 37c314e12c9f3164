"""The monitoring process: a faust worker that writes every platform event into ClickHouse and
evaluates the early warnings, and — in the same process, because chDB allows one engine per
process — the statistics API.

Processing contract (what is safe to replay, as snuba's ARCHITECTURE.md states it):

- The agent reads every ``leye.*`` topic but ``leye.deadletter`` through
  ``runtime.streaming.consume_batches``: decoding, dead-lettering, retries and acknowledgement live
  there. Offsets are committed only after :meth:`Store.write_sync` returned, i.e. after ClickHouse
  has the rows.
- Messages are validated and turned into rows in a child process (``encoding.decode_messages``
  behind a ``SubprocessDecoder``): that work would otherwise hold the interpreter lock faust needs.
- Writing is idempotent on the event id (see ``store.py``), so redelivery after a crash, a replay of
  the topics from the beginning, or running two workers on one partition by mistake never count an
  event twice.
- Warnings are evaluated from ClickHouse, not from the batch, so they too are replay-safe: a replay
  re-reads the same values and finds the warnings already open (state restored from ``alerts``).

Start-up order: all topics exist (``ensure_topics``) and ClickHouse is migrated before the worker
subscribes; ``/readyz`` turns true once the consumer has its partitions.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import faust
from fastapi import FastAPI

from schemas import TOPICS, CloudEvent
from services.runtime.broker import ensure_topics
from services.runtime.http import ServiceParts, create_service_app
from services.runtime.streaming import (
    DEADLETTER_TOPIC,
    DeadLetters,
    SubprocessDecoder,
    consume_batches,
    create_stream_app,
)

from .alerting import Thresholds, Warnings
from .api import stats, warnings
from .encoding import decode_messages
from .rows import EncodedEvent
from .settings import Settings
from .store import Store

log = logging.getLogger(__name__)
CONSUMER = "monitoring"
SOURCE_TOPICS = tuple(name for name in TOPICS if name != DEADLETTER_TOPIC)


class Readiness:
    """What ``/readyz`` reports: ClickHouse migrated and the consumer holding partitions."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.assigned = False

    def clickhouse_migrated(self) -> bool:
        return self.store.migrated

    def partitions_assigned(self) -> bool:
        return self.assigned


def build(settings: Settings) -> tuple[faust.App, FastAPI]:
    """The faust app (agent and timers) and the FastAPI app, sharing one :class:`Store`.

    Blocking preparation happens here, before any event loop runs: topics, migrations, thresholds.
    """
    ensure_topics(settings.kafka_bootstrap)
    store = Store(settings.clickhouse_dsn())
    applied = store.open()
    log.info("clickhouse ready", extra={"applied": applied})
    thresholds = Thresholds.load(settings.thresholds)
    decode = SubprocessDecoder(decode_messages)
    decode.start()

    app = create_stream_app(settings.consumer_group, settings)
    dead_letters = DeadLetters(app, CONSUMER)
    readiness = Readiness(store)

    async def publish(event: CloudEvent) -> None:
        await app.producer.send_and_wait(event.topic, event.key, event.to_json(), None, None, None)

    engine = Warnings(store, thresholds, publish, evaluation_share=settings.evaluation_share)

    async def handle(events: Sequence[EncodedEvent]) -> None:
        await store.call(store.write_sync, events)
        engine.touch({scope for event in events for scope in event.scopes})

    source = app.topic(*SOURCE_TOPICS, key_type=bytes, value_type=bytes, key_serializer="raw",
                       value_serializer="raw")

    @app.agent(source, name="ingest")
    async def ingest(stream: Any) -> None:
        await consume_batches(stream, handle, consumer=CONSUMER, dead_letters=dead_letters,
                              max_batch=settings.batch_size, within_s=settings.batch_within_s, decode=decode)

    async def on_assigned(sender: Any, assigned: Any, **_: Any) -> None:
        readiness.assigned = bool(assigned)

    app.on_partitions_assigned.connect(on_assigned)
    started = {"warnings": False}

    @app.task
    async def restore_warnings() -> None:
        await engine.restore()
        await engine.evaluate_all()
        started["warnings"] = True

    @app.timer(settings.evaluate_every_s)
    async def evaluate_touched() -> None:
        if started["warnings"]:
            await engine.evaluate_touched()

    @app.timer(settings.full_evaluation_every_s)
    async def evaluate_all() -> None:
        if started["warnings"]:
            await engine.evaluate_all()

    api = create_service_app(ServiceParts(
        name="monitoring", title="乐业西青 监测与预警服务",
        description="就业监测指标统计与规模性失业风险预警（内部接口，经网关对外提供）",
        settings=settings, routers=[stats.router, warnings.router], start_relay=False,
        ready_checks=[readiness.clickhouse_migrated, readiness.partitions_assigned],
        openapi_tags=[{"name": "统计指标", "description": "乐业西青指挥中心监测指标"},
                      {"name": "风险预警", "description": "规模性失业风险预警"}],
    ))
    api.state.store = store
    return app, api

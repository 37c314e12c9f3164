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
  re-reads the same values and finds the warnings already open (state restored from the SQL
  ``warnings`` table, see ``warnings/ledger.py``).
- Warning changes leave through the service's outbox: recorded in SQL with their event in one
  transaction, published by the runtime's relay. The worker itself never produces to
  ``leye.alert``, so a broker outage delays warnings and never stops the worker.

Start-up order: all topics exist (``ensure_topics``) and ClickHouse is migrated before the worker
subscribes; the API's start-up migrates the SQL database and starts the relay, and only then are
the open warnings restored and evaluation begins. ``/readyz`` turns true once the consumer has its
partitions and the warnings are restored.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import faust
from fastapi import FastAPI

from schemas import TOPICS
from services.runtime.broker import ensure_topics
from services.runtime.http import Database, ServiceParts, create_service_app
from services.runtime.streaming import (
    DEADLETTER_TOPIC,
    DeadLetters,
    SubprocessDecoder,
    consume_batches,
    create_stream_app,
)

from .api import stats, warnings
from .ingest.encoding import decode_messages
from .ingest.rows import EncodedEvent
from .settings import Settings
from .store import Store
from .warnings.engine import ALERTS_IN_CLICKHOUSE, Warnings
from .warnings.ledger import WarningLedger
from .warnings.thresholds import Thresholds

log = logging.getLogger(__name__)
CONSUMER = "monitoring"
SOURCE_TOPICS = tuple(name for name in TOPICS if name != DEADLETTER_TOPIC)
SQL_MIGRATIONS = Path(__file__).with_name("sql_migrations")
DEFAULT_SWITCH_INTERVAL_S = sys.getswitchinterval()  # read at import, before any app changes it


class Readiness:
    """What ``/readyz`` reports: ClickHouse migrated, the consumer holding partitions, the open
    warnings restored (and evaluated once)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.assigned = False
        self.restored = False

    def clickhouse_migrated(self) -> bool:
        return self.store.migrated

    def partitions_assigned(self) -> bool:
        return self.assigned

    def warnings_restored(self) -> bool:
        return self.restored


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

    ledger = WarningLedger()
    engine = Warnings(store, thresholds, ledger.record, load_open=ledger.open_warnings,
                      evaluation_share=settings.evaluation_share)

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

    @app.task
    async def restore_warnings() -> None:
        await ledger.bound.wait()  # the API's start-up migrates the database first
        if await ledger.call(ledger.is_empty_sync):
            # First start with a SQL database: take over what an older version left open in ClickHouse.
            adopted = await ledger.call(ledger.adopt_sync, await store.call(store.rows_sync, ALERTS_IN_CLICKHOUSE))
            if adopted:
                log.warning("已从 ClickHouse 接管未解除的预警", extra={"count": adopted})
        await engine.restore()
        await engine.evaluate_all()
        readiness.restored = True

    @app.timer(settings.evaluate_every_s)
    async def evaluate_touched() -> None:
        if readiness.restored:
            await engine.evaluate_touched()

    @app.timer(settings.full_evaluation_every_s)
    async def evaluate_all() -> None:
        if readiness.restored:
            await engine.evaluate_all()

    def bind_ledger(api: FastAPI) -> None:
        ledger.bind(api.state.sessions, api.state.relay.wake)
        # The relay's start set a 1 ms switch interval for request latency; this process's hot path
        # is the faust consumer, whose ingest figures were measured with Python's default.
        sys.setswitchinterval(DEFAULT_SWITCH_INTERVAL_S)

    def close_ledger(api: FastAPI) -> None:
        ledger.close()

    api = create_service_app(ServiceParts(
        name="monitoring", title="乐业西青 监测与预警服务",
        description="就业监测指标统计与规模性失业风险预警（内部接口，经网关对外提供）",
        settings=settings, routers=[stats.router, warnings.router],
        database=Database(settings.db_url(), SQL_MIGRATIONS), on_startup=[bind_ledger], on_shutdown=[close_ledger],
        ready_checks=[readiness.clickhouse_migrated, readiness.partitions_assigned, readiness.warnings_restored],
        openapi_tags=[{"name": "统计指标", "description": "乐业西青指挥中心监测指标"},
                      {"name": "风险预警", "description": "规模性失业风险预警"}],
    ))
    api.state.store = store
    return app, api

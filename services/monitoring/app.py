"""The monitoring service: a stream worker that writes every platform event into ClickHouse and
evaluates the early warnings, and — in the same process, because chDB allows one engine per
process — the statistics API.

Processing contract (what is safe to replay, as snuba's ARCHITECTURE.md states it):

- The agent reads every ``leye.*`` topic but ``leye.deadletter`` through
  ``runtime.streaming.consume_batches`` (handler: ``handlers.write_events``): decoding,
  dead-lettering, retries and acknowledgement live there. Offsets are committed only after
  :meth:`Store.write_sync` returned, i.e. after ClickHouse has the rows.
- Messages are validated and turned into rows in a child process (``ingest.encoding.decode_messages``
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

Start-up order: all topics exist before the worker subscribes (the runtime); the start-up migrates
the SQL database and starts the relay, then ``start`` migrates ClickHouse while it starts the decoding
child; batches wait until then. The first run of the full-evaluation job restores the open warnings
before anything is evaluated. ``/readyz`` turns true once the consumer has its partitions and the
warnings are restored.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

from fastapi import FastAPI

from schemas import TOPICS
from services.runtime.http import http_app
from services.runtime.periodic import Job
from services.runtime.service import Agent, Database, Service, Started
from services.runtime.streaming import DEADLETTER_TOPIC, SubprocessDecoder

from .api import stats, wall, warnings
from .components import Components
from .handlers import write_events
from .indicators.targets import TargetsError
from .indicators.targets import load as load_targets
from .ingest.encoding import decode_messages
from .settings import Settings
from .store import REFRESH_EVERY_S, Store
from .warnings.engine import ALERTS_IN_CLICKHOUSE, Warnings
from .warnings.ledger import WarningLedger
from .warnings.thresholds import Thresholds

log = logging.getLogger(__name__)
SOURCE_TOPICS = tuple(name for name in TOPICS if name != DEADLETTER_TOPIC)
SQL_MIGRATIONS = Path(__file__).with_name("sql_migrations")
DEFAULT_SWITCH_INTERVAL_S = sys.getswitchinterval()  # read at import, before any app changes it


def build(settings: Settings) -> Service[Components]:
    thresholds = Thresholds.load(settings.thresholds)  # a bad file stops the service before it starts
    try:
        targets = load_targets(settings.targets)
    except TargetsError as exc:  # one Chinese line naming the entry (SystemExit prints it, no traceback)
        raise SystemExit(str(exc)) from None
    decode = SubprocessDecoder(decode_messages)

    async def start(started: Started) -> Components:
        assert started.sessions is not None
        store = Store(settings.clickhouse_dsn())
        # Side by side: the decoding child (spawned, so safe beside chDB's threads) imports while
        # chDB opens its engine; each takes seconds.
        applied, _ = await asyncio.gather(store.call(store.open_sync), asyncio.to_thread(decode.start))
        log.info("clickhouse ready", extra={"applied": applied})
        ledger = WarningLedger()
        ledger.bind(started.sessions, started.wake_relay)
        engine = Warnings(store, thresholds, ledger.record, load_open=ledger.open_warnings,
                          evaluation_share=settings.evaluation_share)
        # The relay's start set a 1 ms switch interval for request latency; this process's hot path
        # is the faust consumer, whose ingest figures were measured with Python's default.
        sys.setswitchinterval(DEFAULT_SWITCH_INTERVAL_S)
        return Components(store=store, warnings=engine, ledger=ledger, targets=targets)

    def stop(components: Components) -> None:
        components.ledger.close()
        decode.close()
        # chDB serves one data path per process: an embedding process (a test) may open another next
        components.store.close()

    def jobs(components: Components) -> list[Job]:
        async def evaluate_touched() -> None:
            if components.restored:
                await components.warnings.evaluate_touched()

        async def evaluate_all() -> None:
            if not components.restored:
                await restore_warnings(components)
            await components.warnings.evaluate_all()

        return [Job("evaluate-touched-warnings", settings.evaluate_every_s, evaluate_touched),
                Job("evaluate-all-warnings", settings.full_evaluation_every_s, evaluate_all),
                *state_jobs(components)]

    return Service(
        name="monitoring", title="乐业西青 监测与预警服务",
        description="就业监测指标统计与规模性失业风险预警（内部接口，经网关对外提供）",
        settings=settings, start=start, stop=stop,
        routers=[stats.router, warnings.router, wall.router],
        open_paths=[wall.router.prefix] if settings.wall_public else [],
        database=Database(settings.db_url(), SQL_MIGRATIONS),
        agents=[Agent("ingest", SOURCE_TOPICS, write_events, decode=decode, max_batch=settings.batch_size,
                      within_s=settings.batch_within_s)],
        consumer_group=settings.consumer_group,
        jobs=jobs,
        ready_checks=[clickhouse_migrated, warnings_restored],
        ready_when_assigned=True,
        openapi_tags=[{"name": "统计指标", "description": "乐业西青指挥中心监测指标"},
                      {"name": "风险预警", "description": "规模性失业风险预警"},
                      {"name": "指挥中心大屏", "description": "大屏网页及其各面板数据（与 Grafana 大屏同一定义）"}],
    )


def state_jobs(components: Components) -> list[Job]:
    """The aggregated state's refresh when writes have left work and nothing read since (Grafana
    reads ClickHouse directly, not through the store): see ``store.py``."""
    store = components.store

    async def refresh_state() -> None:
        if store.refresh_due():
            await store.call(store.refresh_sync)

    return [Job("refresh-aggregated-state", REFRESH_EVERY_S, refresh_state)]


async def restore_warnings(components: Components) -> None:
    """The open warnings, from the SQL ledger (first start with one: taken over from ClickHouse)."""
    ledger, store = components.ledger, components.store
    if await ledger.call(ledger.is_empty_sync):
        # First start with a SQL database: take over what an older version left open in ClickHouse.
        adopted = await ledger.call(ledger.adopt_sync, await store.call(store.rows_sync, ALERTS_IN_CLICKHOUSE))
        if adopted:
            log.warning("已从 ClickHouse 接管未解除的预警", extra={"count": adopted})
    await components.warnings.restore()
    components.restored = True


def clickhouse_migrated(components: Components) -> bool:
    return components.store.migrated


def warnings_restored(components: Components) -> bool:
    return components.restored


def create_app(settings: Settings | None = None) -> FastAPI:
    """The HTTP app alone (tests; the process is ``python -m services.monitoring``)."""
    return http_app(build(settings or Settings()))

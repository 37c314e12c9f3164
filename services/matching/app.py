"""The matching service's FastAPI app: stations, cases, matchmakers and match endpoints.

At start-up (after migrations) the in-memory index is loaded from the read-model tables, the event
applier is created for the stream worker; the SLA scan is a periodic job. ``clock`` is injectable so tests
can move time; it must return an aware datetime.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi import FastAPI

from services.runtime.http import Database, ServiceParts, create_service_app
from services.runtime.periodic import Job
from services.runtime.retention import purge_older_than

from .api import cases, match, matchmakers, stations
from .handlers import EventApplier
from .index import MatchIndex
from .settings import Settings
from .sla import sla_job
from .store import ProcessedEvent
from .sync import IndexSync

DESCRIPTION = """人岗匹配与就业红娘服务：求职者与岗位的可解释匹配打分、人岗双向推介、
红娘站点的呼叫—指派派单、当天联系与3日内推介的时限监督，以及红娘星级评定。"""


def _utcnow() -> datetime:
    return datetime.now(UTC)


def load_index(app: FastAPI) -> MatchIndex:
    """The index, loaded and kept in step with the rows other replicas change (see ``sync``)."""
    index = MatchIndex()
    IndexSync(app.state.sessions, index).load()
    return index


def create_app(settings: Settings | None = None, clock: Callable[[], datetime] = _utcnow) -> FastAPI:
    settings = settings or Settings()

    def wake_relay() -> None:
        if app.state.relay is not None:
            app.state.relay.wake()

    def start(app: FastAPI) -> None:
        app.state.index = load_index(app)
        app.state.applier = EventApplier(app.state.sessions, app.state.index, clock,
                                         referrals=settings.referrals_per_trigger, after_commit=wake_relay)

    def purge_processed_events(app: FastAPI) -> Job:
        # Kept as long as the outbox rows of the publishers (same setting), which is longer than any
        # replay window: a replayed event is still recognised as processed.
        def purge() -> None:
            cutoff = clock() - timedelta(seconds=settings.outbox_retention_s)
            purge_older_than(app.state.sessions, ProcessedEvent.processed_at, cutoff)

        return Job("purge-processed-events", settings.retention_purge_every_s, purge)

    app = create_service_app(ServiceParts(
        name="matching",
        title="人岗匹配与就业红娘服务",
        description=DESCRIPTION,
        settings=settings,
        routers=[stations.router, cases.router, matchmakers.router, match.router],
        database=Database(settings.db_url(), Path(__file__).parent / "migrations"),
        on_startup=[start],
        periodic=[purge_processed_events,
                  lambda app: sla_job(app.state.sessions, clock, settings.sla_scan_interval_s, wake_relay)],
    ))
    app.state.clock = clock
    return app

"""The matching service: stations, cases, matchmakers and match endpoints, and the stream worker that
keeps its read model in step with ``leye.registration``, ``leye.vacancy`` and ``leye.layoff`` and
opens 政策找人 cases from ``leye.programme``.

At start-up (after migrations) the in-memory index is loaded from the read-model tables and the
event applier is created; each consumed batch is applied in a thread (SQLite writes block), and
offsets are committed only after the batch's transactions committed. The SLA scan and the purge of
processed-event ids are periodic jobs. ``clock`` is injectable so tests can move time; it must
return an aware datetime.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi import FastAPI

from schemas import CloudEvent
from schemas.reference import load_communities
from services.runtime.http import http_app
from services.runtime.periodic import Job
from services.runtime.retention import purge_older_than
from services.runtime.service import Agent, Database, Service, Started

from .api import cases, match, matchmakers, stations
from .components import Components, load_index
from .handlers import EventApplier
from .settings import Settings
from .sla import sla_job
from .store import PolicySettlement, ProcessedEvent

DESCRIPTION = """人岗匹配与就业红娘服务：求职者与岗位的可解释匹配打分、人岗双向推介、
红娘站点的呼叫—指派派单、当天联系与3日内推介的时限监督，以及红娘星级评定。"""
MIGRATIONS = Path(__file__).parent / "migrations"


def _utcnow() -> datetime:
    return datetime.now(UTC)


async def apply_events(components: Components, events: Sequence[CloudEvent]) -> None:
    await asyncio.to_thread(components.applier.apply_batch, events)


def build(settings: Settings, clock: Callable[[], datetime] = _utcnow) -> Service[Components]:
    def start(started: Started) -> Components:
        assert started.sessions is not None
        index = load_index(started)
        applier = EventApplier(started.sessions, index, clock, referrals=settings.referrals_per_trigger,
                               after_commit=started.wake_relay)
        return Components(started, index, applier, clock, load_communities(settings.communities))

    def jobs(components: Components) -> list[Job]:
        sessions = components.started.sessions
        assert sessions is not None

        # Kept as long as the outbox rows of the publishers (same setting), which is longer than any
        # replay window: a replayed event is still recognised as processed.
        def purge_processed_events() -> None:
            cutoff = clock() - timedelta(seconds=settings.outbox_retention_s)
            purge_older_than(sessions, ProcessedEvent.processed_at, cutoff)
            # a settlement waits seconds for its eligibility, or forever when it settles none
            purge_older_than(sessions, PolicySettlement.received_at, cutoff)

        return [Job("purge-processed-events", settings.retention_purge_every_s, purge_processed_events),
                sla_job(sessions, clock, settings.sla_scan_interval_s, components.started.wake_relay)]

    return Service(
        name="matching",
        title="人岗匹配与就业红娘服务",
        description=DESCRIPTION,
        settings=settings,
        start=start,
        routers=[stations.router, cases.router, matchmakers.router, match.router],
        database=Database(settings.db_url(), MIGRATIONS),
        agents=[Agent("registrations", ["leye.registration"], apply_events),
                Agent("vacancies", ["leye.vacancy"], apply_events),
                Agent("layoffs", ["leye.layoff"], apply_events),
                Agent("programmes", ["leye.programme"], apply_events),
                Agent("households", ["leye.household"], apply_events)],
        jobs=jobs,
    )


def create_app(settings: Settings | None = None, clock: Callable[[], datetime] = _utcnow) -> FastAPI:
    """The HTTP app alone (tests; the process is ``python -m services.matching``)."""
    return http_app(build(settings or Settings(), clock))

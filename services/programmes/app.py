"""The programmes service (项目服务): the system of record for programme delivery — training courses,
enrolments and completions, 创业担保贷款, grants and payments, placements (见习, 实习, 公益性岗位) —
decided by the programme catalogue (``catalogue.yaml``, versioned). Every change is published through
the outbox on ``leye.programme``.

It also consumes ``leye.registration``, ``leye.household`` and ``leye.vacancy`` into a read model of
person and employer facts (``handlers.FactApplier``): the recording routes refuse a person or employer
it does not know, and 政策找人 evaluates the catalogue's eligibility rules whenever a fact they read changes, publishing
``programme.eligible`` for a person who becomes eligible.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path

from fastapi import FastAPI

from schemas import CloudEvent
from services.runtime.db import utcnow
from services.runtime.http import http_app
from services.runtime.periodic import Job
from services.runtime.retention import purge_older_than
from services.runtime.service import Agent, Database, Service, Started

from .api import catalogue, certificates, eligibility, funds, grants, incubators, loans, placements, stats, training
from .catalogue import CatalogueError, load
from .components import Components
from .handlers import FactApplier
from .settings import Settings
from .store import ProcessedEvent

MIGRATIONS = Path(__file__).parent / "migrations"


async def apply_events(components: Components, events: Sequence[CloudEvent]) -> None:
    # database work blocks: off the event loop faust and the HTTP app share
    await asyncio.to_thread(components.applier.apply_batch, events)


def build(settings: Settings, clock: Callable[[], datetime] = utcnow) -> Service[Components]:
    """The service. A catalogue that does not validate stops it here, before anything starts, with one
    Chinese line naming the entry (``SystemExit`` prints it without a traceback)."""
    try:
        programmes = load(settings.catalogue)
    except CatalogueError as exc:
        raise SystemExit(str(exc)) from None

    def start(started: Started) -> Components:
        assert started.sessions is not None
        return Components(started, programmes, clock,
                          FactApplier(started.sessions, programmes, clock, after_commit=started.wake_relay))

    def jobs(components: Components) -> list[Job]:
        sessions = components.started.sessions
        assert sessions is not None

        # As long as the publishers keep their outbox rows, which is longer than any replay window:
        # a replayed event is still recognised as applied.
        def purge_processed_events() -> None:
            purge_older_than(sessions, ProcessedEvent.processed_at,
                             clock() - timedelta(seconds=settings.outbox_retention_s))

        return [Job("purge-processed-events", settings.retention_purge_every_s, purge_processed_events)]

    return Service(
        name="programmes", title="乐业西青 项目服务",
        description="就业创业项目：马兰花创业培训与职业技能培训、创业担保贷款、创业补贴与各项补贴的发放和支付（按项目目录校验）、"
                    "就业见习、大学生实习与公益性岗位安置；政策找人（免申即享）：按项目目录的资格规则发现符合条件的人员并说明理由。",
        settings=settings,
        start=start,
        routers=[catalogue.router, training.router, certificates.router, loans.router, grants.router, placements.router,
                 incubators.router, eligibility.router, stats.router, funds.router],
        database=Database(url=settings.database(), migrations=MIGRATIONS),
        agents=[Agent("persons", ["leye.registration", "leye.household"], apply_events),
                Agent("employers", ["leye.vacancy"], apply_events)],
        jobs=jobs,
    )


def create_app(settings: Settings | None = None, *, clock: Callable[[], datetime] = utcnow) -> FastAPI:
    """The HTTP app alone (tests; the process is ``python -m services.programmes``). It consumes
    nothing: tests feed the read model through ``components.applier``."""
    return http_app(build(settings or Settings(), clock))

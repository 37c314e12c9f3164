"""The programmes service (项目服务): the system of record for programme delivery — training courses,
enrolments and completions, 创业担保贷款, grants and payments, placements (见习, 实习, 公益性岗位) —
decided by the programme catalogue (``catalogue.yaml``, versioned). Every change is published through
the outbox on ``leye.programme``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI

from services.runtime.db import utcnow
from services.runtime.http import http_app
from services.runtime.service import Database, Service

from .api import catalogue, grants, loans, placements, training
from .catalogue import CatalogueError, load
from .components import Components
from .settings import Settings

MIGRATIONS = Path(__file__).parent / "migrations"


def build(settings: Settings, clock: Callable[[], datetime] = utcnow) -> Service[Components]:
    """The service. A catalogue that does not validate stops it here, before anything starts, with one
    Chinese line naming the entry (``SystemExit`` prints it without a traceback)."""
    try:
        programmes = load(settings.catalogue)
    except CatalogueError as exc:
        raise SystemExit(str(exc)) from None
    return Service(
        name="programmes", title="乐业西青 项目服务",
        description="就业创业项目：马兰花创业培训与职业技能培训、创业担保贷款、创业补贴与各项补贴的发放和支付（按项目目录校验）、"
                    "就业见习、大学生实习与公益性岗位安置。",
        settings=settings,
        start=lambda started: Components(started, programmes, clock),
        routers=[catalogue.router, training.router, loans.router, grants.router, placements.router],
        database=Database(url=settings.database(), migrations=MIGRATIONS),
    )


def create_app(settings: Settings | None = None, *, clock: Callable[[], datetime] = utcnow) -> FastAPI:
    """The HTTP app alone (tests; the process is ``python -m services.programmes``)."""
    return http_app(build(settings or Settings(), clock))

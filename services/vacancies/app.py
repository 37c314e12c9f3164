"""The vacancies service (岗位服务): employers, job postings with discrimination screening and
automatic expiry, recruitment sessions, layoff reports and monthly headcount reports; key enterprises
(重点企业) with their officer, ledger and shortages; monitored enterprises (失业动态监测) and the
warning of their overdue monthly reports.

System of record for these aggregates; every change is published through the outbox on
``leye.vacancy`` (employers, postings, sessions), ``leye.layoff`` (layoff and headcount reports),
``leye.enterprise`` (key and monitored enterprises) or ``leye.alert`` (overdue monthly reports).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI

from schemas.reference import load_communities
from services.runtime.db import utcnow
from services.runtime.http import http_app
from services.runtime.periodic import Job
from services.runtime.service import Database, Service

from .api import employers, enterprises, headcount, layoffs, monitored, sessions, vacancies
from .components import Components
from .expiry import expiry_job
from .overdue import overdue_job
from .settings import Settings

MIGRATIONS = Path(__file__).parent / "migrations"


def build(settings: Settings, clock: Callable[[], datetime] = utcnow) -> Service[Components]:
    """The service. ``clock`` is what the expiry and overdue jobs read as now (tests move it forward)."""

    def jobs(components: Components) -> list[Job]:
        started = components.started
        assert started.sessions is not None
        return [expiry_job(started.sessions, settings.expiry_interval_s, clock, on_expired=started.wake_relay),
                overdue_job(started.sessions, settings.overdue_interval_s, clock, settings.report_due_day,
                            on_change=started.wake_relay)]

    return Service(
        name="vacancies", title="乐业西青 岗位服务",
        description="用人单位、岗位发布（就业歧视筛查、自动过期）、招聘活动与直播带岗、企业裁员报告、"
                    "重点企业（一企一专员、挂账销号、用缺工）、失业动态监测（建档、月报、逾期预警）。",
        settings=settings,
        start=lambda started: Components(started, clock, settings.report_due_day,
                                         load_communities(settings.communities)),
        routers=[employers.router, vacancies.router, sessions.router, layoffs.router, headcount.router,
                 enterprises.router, monitored.router],
        database=Database(url=settings.database(), migrations=MIGRATIONS),
        jobs=jobs,
    )


def create_app(settings: Settings | None = None, *, clock: Callable[[], datetime] = utcnow) -> FastAPI:
    """The HTTP app alone (tests; the process is ``python -m services.vacancies``)."""
    return http_app(build(settings or Settings(), clock))

"""The registration service app: job seekers, unemployment and employment registration,
follow-ups, hardship certification, and the bureau's work lists (system of record for people)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.runtime.http import Database, ServiceParts, create_service_app

from .api import persons, worklists
from .pii_keys import check_keys_cover_the_data
from .settings import Settings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: Settings | None = None, *, start_relay: bool = True) -> FastAPI:
    settings = settings or Settings()
    app = create_service_app(ServiceParts(
        name="registration",
        title="乐业西青 人员登记服务",
        description="求职登记、失业登记、就业登记、跟踪回访、就业困难人员认定与工作台账。"
        "姓名、身份证号码和联系电话加密存储，事件中只含 person_ref。",
        settings=settings,
        routers=[persons.router, worklists.router],
        database=Database(url=settings.database(), migrations=MIGRATIONS),
        start_relay=start_relay,
        on_startup=[_refuse_unreadable_personal_data],
        openapi_tags=[{"name": "人员登记", "description": "人员登记与状态变更"},
                      {"name": "工作台账", "description": "跟踪回访、长期失业、离校未就业台账"}],
    ))
    app.state.cipher = settings.cipher()
    app.state.person_ref_key = settings.person_ref_key.get_secret_value().encode("utf-8")
    return app


def _refuse_unreadable_personal_data(app: FastAPI) -> None:
    """Do not start when stored rows are under a key version that is not configured (say, the legacy
    REGISTRATION_PII_KEY left out on upgrade): every read of those people would fail."""
    check_keys_cover_the_data(app.state.engine, app.state.cipher)

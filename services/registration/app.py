"""The registration service app: job seekers, unemployment and employment registration,
follow-ups, hardship certification, and the bureau's work lists (system of record for people)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy import Engine, select

from schemas.reference import Community, load_communities
from services.runtime.http import http_app
from services.runtime.service import Database, Service, Started

from .api import communities, households, persons, worklists
from .components import Components
from .pii_keys import check_keys_cover_the_data
from .settings import Settings
from .store import Household, Person

MIGRATIONS = Path(__file__).parent / "migrations"


def check_communities_cover_the_households(engine: Engine, communities: Mapping[str, Community]) -> None:
    """Refuse to start when households or persons name a community the loaded list no longer has: their
    events and figures would lose their place (a list loaded without a community still in use)."""
    with engine.connect() as connection:
        used = set(connection.scalars(select(Household.community_code).distinct()))
        used |= set(connection.scalars(select(Person.community_code).where(Person.community_code.is_not(None))
                                       .distinct()))
    missing = sorted(used - communities.keys())
    if missing:
        raise RuntimeError(f"社区/行政村名单中缺少家庭户或人员仍在使用的社区代码：{', '.join(missing[:10])}；"
                           "请在名单中保留这些社区后再启动（leye reference load communities）")


def build(settings: Settings, *, start_relay: bool = True) -> Service[Components]:
    def start(started: Started) -> Components:
        communities = load_communities(settings.communities)
        components = Components(started, settings.cipher(), settings.person_ref_key.get_secret_value().encode("utf-8"),
                                communities)
        # Do not start when stored rows are under a key version that is not configured (say, the legacy
        # REGISTRATION_PII_KEY left out on upgrade): every read of those people would fail.
        assert started.engine is not None
        check_keys_cover_the_data(started.engine, components.cipher)
        check_communities_cover_the_households(started.engine, communities)
        return components

    return Service(
        name="registration",
        title="乐业西青 人员登记服务",
        description="求职登记、失业登记、就业登记、跟踪回访、就业困难人员认定与工作台账。"
        "姓名、身份证号码和联系电话加密存储，事件中只含 person_ref。",
        settings=settings,
        start=start,
        routers=[persons.router, households.router, communities.router, worklists.router],
        database=Database(url=settings.database(), migrations=MIGRATIONS),
        relay=start_relay,
        openapi_tags=[{"name": "人员登记", "description": "人员登记与状态变更"},
                      {"name": "家庭户", "description": "家庭户及其成员；零就业家庭由成员状态推导"},
                      {"name": "充分就业社区", "description": "充分就业社区认定（区级、市级、国家级）"},
                      {"name": "工作台账", "description": "跟踪回访、长期失业、离校未就业台账"}],
    )


def create_app(settings: Settings | None = None, *, start_relay: bool = True) -> FastAPI:
    """The HTTP app alone (tests; the process is ``python -m services.registration``)."""
    return http_app(build(settings or Settings(), start_relay=start_relay))

"""The gateway app: the one door for other departments' systems and Grafana's alert webhook."""

from __future__ import annotations

import asyncio
from pathlib import Path

from fastapi import FastAPI

from services.runtime.http import INTERNAL_TOKEN_HEADER, http_app
from services.runtime.service import Database, Service, Started

from .api import audit, forwarding, ingest, token
from .audit import AuditWriter
from .auth import ClientCache, ClientStatus, RateLimiter, TokenCache
from .backends import BackendClient
from .components import Components
from .contract import finish_openapi
from .domain import SCOPES
from .settings import Settings
from .store import get_client, read_session

MIGRATIONS = Path(__file__).parent / "migrations"

DESCRIPTION = """乐业西青指挥中心对外接口。各部门系统以 OAuth2 客户端凭证模式在 `/oauth/token` 获取访问令牌，
按权限范围访问人员、岗位、就业红娘、统计与预警等资源。

- 对个人数据（`/v1/persons/…`、`/v1/worklists/…`）的每次访问都记入审计日志。
- 统计数据中少于5人的格子（`small_cell: true`）对人社局以外的客户端隐藏为 `null`，并标注 `suppressed: true`。
- 每个客户端单独限流（允许短时突发，平均不超过设定速率），超限返回 429 并带 Retry-After。
- 错误均为 RFC 9457 `application/problem+json`。

权限范围：
""" + "\n".join(f"- `{scope}`：{text}" for scope, text in SCOPES.items())


def build(settings: Settings) -> Service[Components]:
    def start(started: Started) -> Components:
        assert started.sessions is not None and started.engine is not None
        sessions = started.sessions

        def client_status(client_id: str) -> ClientStatus | None:
            with read_session(sessions) as session:
                client = get_client(session, client_id)
                return None if client is None else ClientStatus(active=client.active, bureau=client.bureau)

        slots = settings.backend_concurrency
        internal = {INTERNAL_TOKEN_HEADER: settings.internal_token.get_secret_value()}
        audit = AuditWriter(started.engine)
        audit.start()
        return Components(
            started=started, settings=settings,
            limiter=RateLimiter(settings.rate_per_s, settings.rate_burst),
            clients=ClientCache(client_status, settings.client_cache_s),
            tokens=TokenCache(settings),
            backends=BackendClient(settings.backend_timeout_s, slots, internal),
            backend_slots=asyncio.Semaphore(slots), audit=audit,
        )

    async def stop(components: Components) -> None:
        try:
            await components.backends.close()
        finally:
            components.audit.stop()

    return Service(
        name="gateway", title="乐业西青指挥中心 接口网关", description=DESCRIPTION, settings=settings, public=True,
        start=start, stop=stop,
        routers=[token.router, ingest.router, audit.router, forwarding.router],
        database=Database(url=settings.resolved_database_url(), migrations=MIGRATIONS),
        cors_origins=settings.cors_origins, openapi=finish_openapi,
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    """The HTTP app alone (tests; the process is ``python -m services.gateway``)."""
    return http_app(build(settings or Settings()))

"""The gateway app: the one door for other departments' systems and Grafana's alert webhook."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from services.runtime.http import INTERNAL_TOKEN_HEADER, Database, ServiceParts, create_service_app

from .api import audit, forwarding, ingest, token
from .audit import AuditWriter
from .auth import ClientCache, ClientStatus, RateLimiter
from .domain import SCOPES
from .settings import Settings
from .store import get_client, read_session

DESCRIPTION = """乐业西青指挥中心对外接口。各部门系统以 OAuth2 客户端凭证模式在 `/oauth/token` 获取访问令牌，
按权限范围访问人员、岗位、就业红娘、统计与预警等资源。

- 对个人数据（`/v1/persons/…`、`/v1/worklists/…`）的每次访问都记入审计日志。
- 统计数据中少于5人的格子（`small_cell: true`）对人社局以外的客户端隐藏为 `null`，并标注 `suppressed: true`。
- 每个客户端单独限流（允许短时突发，平均不超过设定速率），超限返回 429 并带 Retry-After。
- 错误均为 RFC 9457 `application/problem+json`。

权限范围：
""" + "\n".join(f"- `{scope}`：{text}" for scope, text in SCOPES.items())


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    # httpx logs every backend URL at INFO; URLs carry person_refs (and whatever a client typed).
    for chatty in ("httpx", "httpcore"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    app = create_service_app(ServiceParts(
        name="gateway", title="乐业西青指挥中心 接口网关", description=DESCRIPTION, settings=settings, public=True,
        routers=[token.router, ingest.router, audit.router, forwarding.router],
        database=Database(url=settings.resolved_database_url(), migrations=Path(__file__).parent / "migrations"),
    ))
    app.state.limiter = RateLimiter(settings.rate_per_s, settings.rate_burst)
    app.state.clients = ClientCache(lambda client_id: _client_status(app, client_id), settings.client_cache_s)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["*"],
                           allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID"])
    _with_backend_client(app, settings)
    return app


def _client_status(app: FastAPI, client_id: str) -> ClientStatus | None:
    with read_session(app.state.sessions) as session:
        client = get_client(session, client_id)
        return None if client is None else ClientStatus(active=client.active, bureau=client.bureau)


def _with_backend_client(app: FastAPI, settings: Settings) -> None:
    """One pooled HTTP client for all backend calls and the audit writer, started and stopped with the app.

    The client sends the internal credential on every call, which backends require in production."""
    runtime_lifespan = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with runtime_lifespan(app):
            timeout = httpx.Timeout(settings.backend_timeout_s, connect=min(2.0, settings.backend_timeout_s))
            slots = settings.backend_concurrency
            limits = httpx.Limits(max_connections=slots, max_keepalive_connections=slots)
            app.state.backend_slots = asyncio.Semaphore(slots)
            app.state.audit = AuditWriter(app.state.engine)
            app.state.audit.start()
            try:
                internal = {INTERNAL_TOKEN_HEADER: settings.internal_token.get_secret_value()}
                async with httpx.AsyncClient(timeout=timeout, limits=limits, headers=internal) as http:
                    app.state.http = http
                    # Everything built at start-up lives as long as the process: keep it out of the
                    # cyclic collector's scans, whose full passes otherwise show up as p99 latency.
                    gc.freeze()
                    yield
            finally:
                app.state.audit.stop()

    app.router.lifespan_context = lifespan

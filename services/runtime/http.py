"""The FastAPI conventions every service shares.

:func:`http_app` turns a :class:`~services.runtime.service.Service` into its FastAPI app:
problem+json errors, a 1 MiB body limit (413), request ids and JSON access logs, Prometheus
``/metrics``, ``/healthz`` and ``/readyz``, and a lifespan that — when the service owns a database —
migrates it, starts the outbox relay and the retention purges of the runtime tables, then builds the
service's components (``Service.start``, kept on ``app.state.components`` for ``deps.py``) and starts
its periodic jobs. With ``LEYE_ENV=production`` every service but the gateway answers only callers
that carry the internal credential (:class:`InternalCallerMiddleware`).

Write routes use :class:`UnitOfWorkRoute`: one database session per request, committed once after
the handler succeeded, together with the ``Idempotency-Key`` record. Handlers never commit. A key
older than ``IDEMPOTENCY_KEY_TTL_S`` counts as new.
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import hmac
import importlib.resources
import logging
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Annotated, Any

import structlog
import uvicorn
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import Integer, LargeBinary, String, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.orm.exc import StaleDataError
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .db import Base, UTCDateTime, begin_read, make_engine, make_session_factory, migrate, utcnow
from .errors import ProblemError
from .logs import configure_logging
from .metrics import HTTP_REQUESTS, HTTP_SECONDS
from .outbox import REPLAY_WINDOW_S, OutboxMessage, OutboxRelay
from .periodic import Job, Periodic
from .problems import install_problem_handlers, problem_response
from .retention import purge_older_than
from .service import Service, Started, start_components, stop_components
from .settings import DatabaseSettings, ServiceSettings

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 1024 * 1024
INTERNAL_TOKEN_HEADER = "X-Leye-Internal-Token"
INTERNAL_TOKEN_HEADER_KEY = INTERNAL_TOKEN_HEADER.lower().encode()
INTERNAL_CALLER_ONLY = "internal_caller_only"
# Open without the internal credential: compose's health checks and the Prometheus scraper call them,
# and they reveal no business or personal data (the scraper need not hold a key that reads people).
OPEN_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Swagger UI's dist, from a pinned package (pyproject.toml), served at DOCS_ASSETS by every service.
SWAGGER_UI_DIST = importlib.resources.files("fastapi_swagger") / "resources"
DOCS_ASSETS = "/docs/assets"
# The problem code of every storage conflict (see UnitOfWorkRoute).
CONCURRENT_CHANGE = "concurrent_change"


# --- idempotency -------------------------------------------------------------------------------


class IdempotencyRecord(Base):
    """The response given to the first request with a key, replayed to every retry with the same body."""

    __tablename__ = "idempotency_keys"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    media_type: Mapped[str] = mapped_column(String(100))
    # Indexed for the purge of expired keys (IDEMPOTENCY_KEY_TTL_S).
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


def _stored_record(session: Session, key: str, ttl: timedelta | None) -> IdempotencyRecord | None:
    record = session.get(IdempotencyRecord, key)
    if record is None or ttl is None or record.created_at >= utcnow() - ttl:
        return record
    # Expired (IDEMPOTENCY_KEY_TTL_S) but not purged yet: the key counts as new. The old record goes
    # in this unit of work, so the new response can take the key; a failed request rolls it back.
    session.delete(record)
    session.flush()
    return None


def _replay(record: IdempotencyRecord, fingerprint: str) -> Response:
    if record.fingerprint != fingerprint:
        raise ProblemError(
            422, "idempotency_key_reused", "同一个 Idempotency-Key 已用于内容不同的请求",
            errors=[{"field": "header.Idempotency-Key", "message": "该键已用于不同的请求体", "type": "reused"}],
        )
    return Response(record.body, record.status_code, media_type=record.media_type,
                    headers={"Idempotent-Replayed": "true"})


class UnitOfWorkRoute(APIRoute):
    """Route class that wraps each request in one transaction and honours ``Idempotency-Key``.

    Same key and same body → the stored response and no second write; same key, other body → 422.
    Two concurrent requests with one key race on the primary key: the loser rolls back and replays.
    On SQLite, write requests queue on an asyncio lock, one unit of work at a time: SQLite has one
    writer anyway, and waiting on the event loop wakes the next writer at once, where SQLite's own
    busy handler would sleep in coarse steps (and waiting in the threadpool could starve the holder).
    Any other storage conflict (unique key taken, stale optimistic version), at commit or at a flush
    in the handler, is one 409 problem, ``concurrent_change``: handlers neither catch it nor flush
    early to detect it — on SQLite an early flush holds the database's write lock across the rest of
    the request.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def unit_of_work(request: Request) -> Response:
            lock: asyncio.Lock | None = request.app.state.write_lock
            if request.method not in WRITE_METHODS or lock is None:
                return await in_session(request)
            await request.body()  # read (and size-check) the body before queueing for the lock
            async with lock:
                return await in_session(request)

        async def in_session(request: Request) -> Response:
            sessions: sessionmaker[Session] = request.app.state.sessions
            session: Session = sessions()
            request.state.session = session
            closed = False
            try:
                if request.method not in WRITE_METHODS:
                    await run_in_threadpool(begin_read, session)
                key = request.headers.get("idempotency-key") if request.method in WRITE_METHODS else None
                fingerprint = ""
                if key is not None:
                    if not 1 <= len(key) <= 200:
                        raise ProblemError(400, "bad_idempotency_key", "Idempotency-Key 长度须为 1 至 200 个字符")
                    body = await request.body()
                    fingerprint = hashlib.sha256(
                        f"{request.method} {request.url.path}\n".encode() + body
                    ).hexdigest()
                    stored = await run_in_threadpool(_stored_record, session, key,
                                                     request.app.state.idempotency_ttl)
                    if stored is not None:
                        return _replay(stored, fingerprint)
                try:
                    response = await handler(request)
                    if response.status_code >= 400:
                        return response
                    if key is not None:
                        session.add(IdempotencyRecord(
                            key=key, fingerprint=fingerprint, status_code=response.status_code,
                            body=bytes(response.body), media_type=response.media_type or "application/json",
                        ))
                    # One threadpool hop for both: on SQLite the writer lock is held until it returns.
                    await run_in_threadpool(_commit_and_close, session)
                    closed = True
                except (IntegrityError, StaleDataError) as exc:
                    # Raised by a flush in the handler or by the commit: the one mapping of a storage
                    # conflict for every service.
                    await run_in_threadpool(session.rollback)
                    stored = await run_in_threadpool(session.get, IdempotencyRecord, key) if key else None
                    if stored is None:
                        # A concurrent request wrote the same rows first (a unique key taken, or an
                        # optimistic version check failed): nothing was written, the client may retry.
                        log.warning("write conflict", extra={"error": type(exc).__name__})
                        raise ProblemError(409, CONCURRENT_CHANGE, "数据已被其他请求同时修改，请刷新后重试") from None
                    return _replay(stored, fingerprint)
                relay: OutboxRelay | None = getattr(request.app.state, "relay", None)
                if relay is not None:
                    relay.wake()
                return response
            finally:
                if not closed:
                    await run_in_threadpool(session.close)

        return unit_of_work


def _commit_and_close(session: Session) -> None:
    session.commit()
    session.close()


async def get_session(request: Request) -> Session:
    # ``async`` although it does no I/O: FastAPI runs a plain ``def`` dependency in the threadpool,
    # and on SQLite every hop taken while the request holds the writer lock adds to everyone's wait.
    session: Session = request.state.session
    return session


SessionDep = Annotated[Session, Depends(get_session)]


async def get_components(request: Request) -> Any:
    """The service's components (``Service.start``); each ``deps.py`` types it:
    ``ComponentsDep = Annotated[Components, Depends(get_components)]``."""
    return request.app.state.components


def write_router(**kwargs: Any) -> APIRouter:
    """A router whose routes run in a unit of work (use for every route that touches the database)."""
    return APIRouter(route_class=UnitOfWorkRoute, **kwargs)


# --- middleware ---------------------------------------------------------------------------------


class BodyLimitMiddleware:
    """Refuses bodies over ``max_bytes`` with 413, by Content-Length or while streaming."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await _too_large(scope, receive, send, self.max_bytes)
                return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                # HTTPException, because FastAPI's body parsing re-raises it (anything else becomes 400).
                raise HTTPException(413, detail=f"请求体不得超过 {self.max_bytes // 1024} KiB")
            return message

        await self.app(scope, limited_receive, send)


async def _too_large(scope: Scope, receive: Receive, send: Send, max_bytes: int) -> None:
    response = problem_response(413, detail=f"请求体不得超过 {max_bytes // 1024} KiB", instance=scope["path"])
    await response(scope, receive, send)


class AccessLogMiddleware:
    """Request id, one JSON access-log line and Prometheus metrics per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.log = structlog.get_logger("access")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = next((v.decode() for k, v in scope["headers"] if k == b"x-request-id"), None)
        request_id = (request_id or uuid.uuid4().hex)[:64]
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", "unmatched")
            HTTP_REQUESTS.labels(scope["method"], template, str(status)).inc()
            HTTP_SECONDS.labels(scope["method"], template).observe(elapsed)
            # The route template, never the raw path: raw paths could carry identifiers.
            self.log.info("request", method=scope["method"], route=template, status=status,
                          ms=round(elapsed * 1000, 2))
            structlog.contextvars.unbind_contextvars("request_id")


class InternalCallerMiddleware:
    """Refuses every request without the gateway's internal credential (403 problem), except the
    operational endpoints in :data:`OPEN_PATHS` and the paths under ``open_prefixes`` (what an
    operator chose to publish, e.g. the monitoring service's browser wall).

    A backend trusts what the gateway checked (token, scope, audit), so in production it must not
    answer anyone else who can reach its port. The credential is the shared secret
    ``LEYE_INTERNAL_TOKEN`` in the ``X-Leye-Internal-Token`` header, compared in constant time.
    """

    def __init__(self, app: ASGIApp, token: str, open_prefixes: Sequence[str] = ()) -> None:
        self.app, self.token = app, token.encode("utf-8")
        self.open_prefixes = tuple(open_prefixes)

    def _open(self, path: str) -> bool:
        return path in OPEN_PATHS or any(path == p or path.startswith(p + "/") for p in self.open_prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._open(scope["path"]):
            await self.app(scope, receive, send)
            return
        given = next((v for k, v in scope["headers"] if k == INTERNAL_TOKEN_HEADER_KEY), b"")
        if given and hmac.compare_digest(given, self.token):
            await self.app(scope, receive, send)
            return
        response = problem_response(
            403, code=INTERNAL_CALLER_ONLY, title="仅接受接口网关的请求",
            detail="本服务只接受经接口网关转发的请求，请通过网关访问",
            errors=[{"field": f"header.{INTERNAL_TOKEN_HEADER}", "message": "缺少内部凭证或内部凭证不正确",
                     "type": "internal_credential"}],
            instance=scope["path"],
        )
        await response(scope, receive, send)


# --- the app factory ----------------------------------------------------------------------------


def runtime_purge_jobs(
    sessions: sessionmaker[Session],
    settings: DatabaseSettings,
    keep_going: Callable[[], bool] = lambda: True,
) -> list[Job]:
    """The purges of every service database: sent outbox rows past OUTBOX_RETENTION_S, and
    Idempotency-Key records past IDEMPOTENCY_KEY_TTL_S."""

    def purge_outbox() -> None:
        cutoff = utcnow() - timedelta(seconds=settings.outbox_retention_s)
        purge_older_than(sessions, OutboxMessage.sent_at, cutoff, keep_going=keep_going)

    def purge_idempotency_keys() -> None:
        cutoff = utcnow() - timedelta(seconds=settings.idempotency_key_ttl_s)
        purge_older_than(sessions, IdempotencyRecord.created_at, cutoff, keep_going=keep_going)

    every_s = settings.retention_purge_every_s
    return [Job("purge-outbox", every_s, purge_outbox), Job("purge-idempotency-keys", every_s, purge_idempotency_keys)]


def http_app(service: Service[Any]) -> FastAPI:
    """The service's FastAPI app (module docstring); ``app.state.started`` is set once its components exist."""
    settings = service.settings
    retention = settings if isinstance(settings, DatabaseSettings) else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        periodic = app.state.periodic = Periodic([])
        started = Started()
        if service.database is not None:
            engine = make_engine(service.database.url)
            app.state.write_lock = asyncio.Lock() if engine.dialect.name == "sqlite" else None
            migrate(engine, service.database.migrations)
            app.state.engine = started.engine = engine
            app.state.sessions = started.sessions = make_session_factory(engine)
            if retention is not None and service.purges:
                periodic.jobs.extend(runtime_purge_jobs(app.state.sessions, retention,
                                                        keep_going=lambda: not periodic.stopping))
            if service.relay:
                window = retention.outbox_replay_window_s if retention else REPLAY_WINDOW_S
                app.state.relay = started.relay = OutboxRelay(app.state.sessions, settings.kafka_bootstrap,
                                                              replay_window_s=window)
                app.state.relay.start()
                # The relay and the Kafka client's sender are threads too. With Python's default 5 ms
                # switch interval a request waits up to 5 ms for the GIL at each of its hops while
                # they run: 1 ms brought `leye bench api` p99 from 38–67 ms to 31–38 ms.
                sys.setswitchinterval(0.001)
        components = app.state.components = await start_components(service, started)
        app.state.started.set()
        periodic.jobs.extend(service.jobs(components))
        periodic.start()
        # What start-up built lives as long as the process: keep it out of the cyclic collector's full
        # scans, which otherwise show up as p99 latency spikes.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            periodic.stop()
            await stop_components(service, components)
            if getattr(app.state, "relay", None) is not None:
                app.state.relay.stop()
            if getattr(app.state, "engine", None) is not None:
                app.state.engine.dispose()

    app = FastAPI(
        title=service.title, description=service.description, version="1.0.0", lifespan=lifespan,
        openapi_tags=service.openapi_tags or None,
        # FastAPI's own /docs and /redoc load their scripts from a CDN: blank pages offline. /docs is
        # served with local assets instead (docs_router); ReDoc has no locally packaged build here.
        docs_url=None, redoc_url=None,
    )
    app.state.settings = settings
    app.state.relay = None
    app.state.write_lock = None
    app.state.components = None
    app.state.started = asyncio.Event()
    app.state.partitions_assigned = False
    app.state.idempotency_ttl = timedelta(seconds=retention.idempotency_key_ttl_s) if retention else None
    if service.openapi is not None:
        _finish_openapi(app, service.openapi)
    install_problem_handlers(app)
    app.add_middleware(BodyLimitMiddleware)
    if not service.public and settings.environment == "production":
        # Inside the access log, so refused calls are logged and counted too.
        app.add_middleware(InternalCallerMiddleware, token=settings.internal_token.get_secret_value(),
                           open_prefixes=service.open_paths)
    app.add_middleware(AccessLogMiddleware)
    if service.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(service.cors_origins), allow_methods=["*"],
                           allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID"])
    app.include_router(_ops_router(service))
    app.include_router(docs_router(app))
    app.mount(DOCS_ASSETS, StaticFiles(directory=str(SWAGGER_UI_DIST)), name="docs-assets")
    for router in service.routers:
        app.include_router(router)
    return app


def _finish_openapi(app: FastAPI, finish: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    """``app.openapi()`` returns FastAPI's document passed through ``finish``, built once."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = finish(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def docs_router(app: FastAPI) -> APIRouter:
    """``/docs``: Swagger UI with its JS and CSS served from this process (``DOCS_ASSETS``, the dist of
    the pinned ``fastapi-swagger`` package), so it renders without internet access."""
    router = APIRouter(include_in_schema=False)
    redirect = "/docs/oauth2-redirect"

    @router.get("/docs")
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json", title=f"{app.title} - 接口文档",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js", swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon-32x32.png", oauth2_redirect_url=redirect,
        )

    @router.get(redirect)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    return router


def _ops_router(service: Service[Any]) -> APIRouter:
    router = APIRouter(tags=["运维"])

    @router.get("/healthz", summary="存活检查")
    def healthz() -> dict[str, str]:
        return {"status": "ok", "service": service.name}

    @router.get("/readyz", summary="就绪检查", responses={503: {"description": "未就绪"}})
    def readyz(request: Request) -> Response:
        checks: dict[str, bool] = {}
        engine = getattr(request.app.state, "engine", None)
        if engine is not None:
            try:
                with engine.connect() as conn:
                    conn.execute(text("SELECT 1"))
                checks["database"] = True
            except Exception:  # noqa: BLE001 - any failure means not ready
                checks["database"] = False
        started = request.app.state.started.is_set()
        checks["started"] = started
        for check in service.ready_checks:
            checks[check.__name__] = started and bool(check(request.app.state.components))
        if service.ready_when_assigned:
            checks["partitions_assigned"] = bool(request.app.state.partitions_assigned)
        if all(checks.values()):
            return Response(b'{"status":"ready"}', media_type="application/json")
        return problem_response(503, code="not_ready", detail="服务尚未就绪",
                                errors=[{"field": k, "message": "未就绪", "type": "check"}
                                        for k, ok in checks.items() if not ok])

    @router.get("/metrics", summary="Prometheus 指标", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


def serve(app: FastAPI, settings: ServiceSettings, service: str) -> None:
    """Serve one HTTP-only service in this process (``runtime.service.run``)."""
    configure_logging(service, settings.log_level)
    uvicorn.run(app, host=settings.host, port=settings.port, log_config=None, access_log=False,
                timeout_graceful_shutdown=5)

"""Forwarding ``/v1/<path>`` to the backend that owns ``<path>``, with scope checks, small-cell
suppression and the audit of personal-data access.

What a backend sees: the same method, path (without ``/v1``), query and body; ``X-Request-ID``;
``X-Leye-Client: <client_id>``; ``Idempotency-Key: <client_id>:<key>`` (so two departments' keys can
never collide); the internal credential ``X-Leye-Internal-Token`` (a default header of the pooled
client, see ``app.py``). What the client sees: the backend's status and body (a problem's ``instance`` rewritten to the
public path), except that a backend
that is down (or every backend slot stays busy) becomes 503 and one that does not answer within
``GATEWAY_BACKEND_TIMEOUT_S`` 504, both with Retry-After; a non-JSON body for an operation that
takes JSON is refused with 415 before any backend is called; a backend failure (5xx) or a backend that
refuses the gateway's internal credential (a configuration error, not the client's) becomes 502,
never a 500.

At most ``GATEWAY_BACKEND_CONCURRENCY`` backend calls are in flight; the others wait on a semaphore
(within the backend timeout), so a burst waits here, where waiting costs nothing, rather than in the
client's connection pool.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from urllib.parse import quote

import orjson
import structlog
from fastapi import Request, Response

from services.runtime.db import utcnow
from services.runtime.errors import ProblemError
from services.runtime.http import INTERNAL_CALLER_ONLY

from .auth import Principal
from .backends import BackendAnswer, BackendTimeoutError, BackendUnreachableError
from .components import Components
from .deps import refuse_non_json
from .domain import (
    Route,
    find_route,
    household_ref_in,
    path_is_known,
    person_ref_in,
    route_template,
    suppress_small_cells,
)

log = logging.getLogger(__name__)
MAX_IDEMPOTENCY_KEY = 200
_PASSED_RESPONSE_HEADERS = ("content-type", "location", "retry-after", "idempotent-replayed", "etag")


def backend_path(path: str) -> str:
    """``path`` re-quoted segment by segment; dot segments are refused so nobody climbs out of a prefix."""
    segments = path.split("/")[1:]
    if any(s in (".", "..") for s in segments):
        raise ProblemError(404, "not_found", "资源不存在")
    return "/" + "/".join(quote(s, safe="") for s in segments)


async def forward(request: Request, gateway: Components, principal: Principal, path: str, *,
                  takes_json: bool = False) -> Response:
    """Check the scope (and that a body is JSON, when the operation ``takes_json``), call the owning
    backend, audit personal-data routes, shape the answer."""
    route = find_route(request.method, path)
    if route is None:
        if path_is_known(path):
            raise ProblemError(405, "method_not_allowed", "该资源不支持此请求方法")
        raise ProblemError(404, "not_found", "资源不存在")
    if route.scope not in principal.scopes:
        await _audit(request, gateway, principal, route, path, 403, None)
        raise ProblemError(403, "insufficient_scope", f"访问令牌缺少权限范围 {route.scope}")
    if takes_json:
        refuse_non_json(request)
    try:
        response = await _call_backend(request, gateway, principal, route, backend_path(path))
    except ProblemError as problem:
        await _audit(request, gateway, principal, route, path, problem.status, None)
        raise
    body = response.body
    document = None
    is_json = response.content_type.startswith(("application/json", "application/problem+json"))
    # the programmes' statistics mark small cells as monitoring's do (实习 by school)
    counts = route.backend == "monitoring" or route.prefix == "/programmes/stats"
    if is_json and (route.personal or (counts and not principal.bureau)):
        try:
            document = orjson.loads(body)
        except orjson.JSONDecodeError:
            document = None
    if document is not None and counts and not principal.bureau:
        body = orjson.dumps(suppress_small_cells(document))
    if response.status >= 400 and response.content_type.startswith("application/problem+json"):
        body = _public_instance(body, request.scope["path"])
    await _audit(request, gateway, principal, route, path, response.status, document)
    return Response(body, status_code=response.status, headers=response.headers)


async def _call_backend(request: Request, gateway: Components, principal: Principal, route: Route,
                        path: str) -> BackendAnswer:
    settings = gateway.settings
    headers = {
        "X-Leye-Client": principal.client_id,
        "X-Request-ID": structlog.contextvars.get_contextvars().get("request_id", ""),
        "Accept": request.headers.get("accept", "application/json"),
    }
    if "content-type" in request.headers:
        headers["Content-Type"] = request.headers["content-type"]
    if (key := request.headers.get("idempotency-key")) is not None:
        headers["Idempotency-Key"] = backend_idempotency_key(principal.client_id, key)
    url = settings.backend_url(route.backend) + path
    # The raw query as the client sent it, decoded as Starlette's request.url would (without building
    # the whole URL object).
    if query := request.scope["query_string"].decode():
        url += "?" + query
    body = await request.body()
    slots = gateway.backend_slots
    if slots.locked():  # only then can acquiring wait, so only then is a timer worth setting
        try:
            async with asyncio.timeout(settings.backend_timeout_s):
                await slots.acquire()
        except TimeoutError:
            raise _unavailable(settings.retry_after_s) from None
    else:
        await slots.acquire()
    try:
        response = await gateway.backends.call(request.method, url, body=body, headers=headers,
                                               keep=_PASSED_RESPONSE_HEADERS)
    except BackendTimeoutError as exc:
        # Connected but no answer in time: the backend is busy, not gone. Say so (504), not "down".
        log.warning("backend too slow", extra={"backend": route.backend, "error": str(exc)})
        raise ProblemError(
            504, "backend_timeout",
            f"后端服务未能在 {settings.backend_timeout_s:g} 秒内响应，请稍后重试（建议等待 Retry-After 所示秒数）",
            headers={"Retry-After": str(settings.retry_after_s)}) from None
    except BackendUnreachableError as exc:
        log.warning("backend unreachable", extra={"backend": route.backend, "error": str(exc)})
        raise _unavailable(settings.retry_after_s) from None
    finally:
        slots.release()
    if response.status == 503:
        raise _unavailable(settings.retry_after_s)
    if response.status >= 500 or _refuses_the_gateway(response):
        if response.status == 403:
            log.error("后端服务拒绝了网关的内部凭证，请检查网关与该服务的 LEYE_INTERNAL_TOKEN 是否一致",
                      extra={"backend": route.backend})
        else:
            log.warning("backend failed", extra={"backend": route.backend, "status": response.status})
        raise ProblemError(502, "backend_error", "后端服务处理失败", title="上游服务错误")
    return response


def _unavailable(retry_after_s: int) -> ProblemError:
    return ProblemError(503, "backend_unavailable", "后端服务暂不可用，请稍后重试",
                        headers={"Retry-After": str(retry_after_s)})


def backend_idempotency_key(client_id: str, key: str) -> str:
    """``<client_id>:<key>``, so two departments' keys never collide. A key of 1–200 characters is
    the public contract; with the prefix it could pass the backends' 200, so a long one goes as its
    SHA-256 (the same key always maps to the same digest)."""
    if not 1 <= len(key) <= MAX_IDEMPOTENCY_KEY:
        raise ProblemError(400, "bad_idempotency_key", f"Idempotency-Key 长度须为 1 至 {MAX_IDEMPOTENCY_KEY} 个字符",
                           errors=[{"field": "header.Idempotency-Key", "message": "长度须为 1 至 200 个字符",
                                    "type": "string_length"}])
    combined = f"{client_id}:{key}"
    if len(combined) <= MAX_IDEMPOTENCY_KEY:
        return combined
    return f"{client_id}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"


def _public_instance(body: bytes, public_path: str) -> bytes:
    """A backend's problem names its own path as ``instance``; the client called ``public_path``."""
    try:
        problem = orjson.loads(body)
    except orjson.JSONDecodeError:
        return body
    if not isinstance(problem, dict) or "instance" not in problem:
        return body
    return orjson.dumps(problem | {"instance": public_path})


def _refuses_the_gateway(response: BackendAnswer) -> bool:
    """The backend's answer is its refusal of our internal credential (mismatched LEYE_INTERNAL_TOKEN)."""
    if response.status != 403 or not response.content_type.startswith("application/problem+json"):
        return False
    try:
        return orjson.loads(response.body).get("code") == INTERNAL_CALLER_ONLY
    except (orjson.JSONDecodeError, AttributeError):
        return False


async def _audit(
    request: Request, gateway: Components, principal: Principal, route: Route, path: str, status: int,
    document: object,
) -> None:
    """Record one personal-data access. If the record cannot be written the request fails (503):
    an unaudited look at personal data is worse than no answer."""
    if not route.personal:
        return
    row = {
        "at": utcnow(), "client_id": principal.client_id, "method": request.method, "route": route_template(path),
        "person_ref": person_ref_in(path, document), "household_ref": household_ref_in(path, document),
        "status": status,
        "request_id": structlog.contextvars.get_contextvars().get("request_id"),
    }
    try:
        await gateway.audit.record(row)
    except Exception as exc:
        raise ProblemError(503, "audit_unavailable", "审计日志暂不可用，请稍后重试",
                           headers={"Retry-After": "5"}) from exc

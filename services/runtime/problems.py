"""RFC 9457 problem details (``application/problem+json``) with Chinese titles.

Every error a client sees has a stable machine ``code``, a Chinese ``title`` and, for invalid
input, one entry per offending field. Messages never echo submitted values: they could be
personal data.
"""

from __future__ import annotations

import logging
from http.client import responses as reason_phrases
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from schemas.errors import translate_errors

from .errors import CODES, TITLES, ProblemError, validation_detail

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"
_METHODS = ("DELETE", "GET", "PATCH", "POST", "PUT")
_DEFAULT_DETAILS = {404: "请求的路径不存在", 405: "该资源不支持此请求方法，可用的方法见 Allow 头"}


def problem_response(
    status: int,
    *,
    code: str | None = None,
    title: str | None = None,
    detail: str | None = None,
    errors: list[dict[str, str]] | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"https://leye.xiqing.gov.cn/problems/{code or CODES.get(status, 'error')}",
        "title": title or TITLES.get(status, "请求失败"),
        "status": status,
        "code": code or CODES.get(status, "error"),
    }
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def field_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    """Validation errors as ``{"field": "body.age", "message": "中文", "type": "…"}``.

    Messages are Chinese (``schemas.errors.translate_errors``); submitted values are dropped.
    """
    out = []
    for err in translate_errors(exc.errors()):
        kind = err.get("type", "")
        message = err.get("msg", "")
        loc = err.get("loc", ())
        if kind == "json_invalid":
            # FastAPI locates the error by character offset ("body", 12): the field is the body.
            message, loc = "请求体不是合法的 JSON", loc[:1]
        out.append({"field": ".".join(str(part) for part in loc), "message": message, "type": kind})
    return out


def allowed_methods(request: Request) -> str:
    """The methods some route answers at the request's path, for ``Allow``: Starlette names only
    the first matching route's methods, so a path served by two routes would lose the other's.
    Each method is tried against the router (its included routers have no public route list)."""
    allowed = []
    for method in _METHODS:
        scope = dict(request.scope, method=method)
        if any(route.matches(scope)[0] == Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    return ", ".join(allowed)


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> JSONResponse:
        return problem_response(
            exc.status, code=exc.code, title=exc.title, detail=exc.detail, errors=exc.errors,
            instance=request.url.path, headers=exc.headers,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = field_errors(exc)
        malformed = any(e["type"] == "json_invalid" for e in errors)
        return problem_response(
            400 if malformed else 422,
            code="malformed_json" if malformed else "validation_failed",
            detail=validation_detail(errors) if not malformed else "请求体不是合法的 JSON",
            errors=errors, instance=request.url.path,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # Starlette's own errors (no route, method not allowed) carry its English phrase: say it in Chinese.
        own = isinstance(exc.detail, str) and exc.detail != reason_phrases.get(exc.status_code)
        detail = exc.detail if own else _DEFAULT_DETAILS.get(exc.status_code)
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405 and not own:
            allow = allowed_methods(request)
            headers = (headers or {}) | {"Allow": allow}
            detail = f"该资源不支持此请求方法，可用的方法：{allow}"
        return problem_response(exc.status_code, detail=detail, instance=request.url.path, headers=headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", extra={"path": request.url.path})
        return problem_response(500, instance=request.url.path)

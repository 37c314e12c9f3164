"""Dependency aliases: the authenticated principal, scope checks and the database session."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.runtime.errors import ProblemError
from services.runtime.http import SessionDep, get_components

from .auth import Principal, TokenError
from .components import Components
from .domain import SCOPES, is_json

bearer = HTTPBearer(
    auto_error=False, bearerFormat="JWT", scheme_name="bearer",
    description="在 `/oauth/token` 以客户端凭证方式获取的访问令牌（有效期不超过15分钟）："
    "`Authorization: Bearer <令牌>`。",
)
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="leye", error="invalid_token"'}


ComponentsDep = Annotated[Components, Depends(get_components)]


async def authenticate(
    request: Request, gateway: ComponentsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """A valid token of an active client that is within its rate limit; else 401 or 429."""
    return await principal_of(request, gateway, None if credentials is None else credentials.credentials)


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, read as :data:`bearer` reads it."""
    authorization = request.headers.get("authorization")
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


async def principal_of(request: Request, gateway: Components, token: str | None) -> Principal:
    """:func:`authenticate` without FastAPI's dependency machinery, for the forwarded operations (the
    bulk of the traffic), where resolving the dependencies cost more than the checks themselves."""
    if token is None:
        raise ProblemError(401, "missing_token", "缺少 Bearer 访问令牌", headers=_CHALLENGE)
    try:
        client_id, scopes = gateway.tokens.decode(token)
    except TokenError:
        raise ProblemError(401, "invalid_token", "访问令牌无效或已过期", headers=_CHALLENGE) from None
    status = await gateway.clients.get(client_id)
    if status is None or not status.active:
        raise ProblemError(401, "client_disabled", "该客户端已停用", headers=_CHALLENGE)
    wait_s = gateway.limiter.take(client_id)
    if wait_s:
        raise ProblemError(429, "rate_limited", "请求过于频繁，请稍后再试", headers={"Retry-After": str(wait_s)})
    request.state.client_id = client_id
    return Principal(client_id=client_id, scopes=scopes, bureau=status.bureau)


PrincipalDep = Annotated[Principal, Depends(authenticate)]

UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"


def refuse_non_json(request: Request) -> None:
    """415 unless the request body is announced as JSON (or not announced at all)."""
    if not is_json(request.headers.get("content-type")):
        raise ProblemError(415, UNSUPPORTED_MEDIA_TYPE, "请求体须为 JSON（Content-Type: application/json）")


async def json_body(request: Request) -> None:
    """Dependency of the gateway's own JSON-body routes: :func:`refuse_non_json`."""
    refuse_non_json(request)


def require(scope: str) -> Callable[[Principal], Awaitable[Principal]]:
    """Dependency: the principal, if its token carries ``scope``; else 403."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope}")

    async def check(principal: PrincipalDep) -> Principal:
        if scope not in principal.scopes:
            raise ProblemError(403, "insufficient_scope", f"访问令牌缺少权限范围 {scope}")
        return principal

    return check


__all__ = ["ComponentsDep", "PrincipalDep", "SessionDep", "bearer_token", "json_body", "principal_of",
           "refuse_non_json", "require"]

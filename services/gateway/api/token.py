"""``POST /oauth/token``: OAuth2 client credentials grant (RFC 6749 §4.4).

The body is ``application/x-www-form-urlencoded`` (parsed with the standard library); the client
authenticates with HTTP Basic or with ``client_id``/``client_secret`` in the body (§2.3.1). Errors
carry RFC 6749's ``error`` member inside an RFC 9457 problem document, so both kinds of client
understand them.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import parse_qsl, unquote

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from services.runtime.problems import PROBLEM_JSON

from ..auth import issue_token, verify_secret
from ..deps import ComponentsDep
from ..store import get_client, read_session

router = APIRouter(tags=["认证"])
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}

_FORM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["grant_type"],
    "properties": {
        "grant_type": {"type": "string", "enum": ["client_credentials"], "description": "固定为 client_credentials"},
        "scope": {"type": "string", "description": "申请的权限范围，空格分隔；省略则为该客户端的全部权限",
                  "example": "stats:read"},
        "client_id": {"type": "string", "description": "客户端编号（也可用 HTTP Basic 认证传递）"},
        "client_secret": {"type": "string", "description": "客户端密钥（也可用 HTTP Basic 认证传递）"},
    },
}
_TOKEN_EXAMPLE = {"access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9…", "token_type": "Bearer",
                  "expires_in": 900, "scope": "stats:read"}


def oauth_error(status: int, error: str, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"type": f"https://leye.xiqing.gov.cn/problems/{error}", "title": "令牌申请失败", "status": status,
            "code": error, "detail": detail, "error": error, "error_description": detail}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=_NO_STORE | (headers or {}))


def _basic_credentials(header: str | None) -> tuple[str, str] | None:
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    return (unquote(client_id), unquote(secret)) if sep else None


@router.post(
    "/oauth/token", summary="申请访问令牌（OAuth2 客户端凭证模式）",
    description="各部门系统以客户端编号和密钥换取有效期不超过15分钟的访问令牌。",
    openapi_extra={"requestBody": {"required": True, "content": {
        "application/x-www-form-urlencoded": {"schema": _FORM_SCHEMA}}}},
    responses={200: {"description": "访问令牌", "content": {"application/json": {"example": _TOKEN_EXAMPLE}}},
               400: {"description": "请求无效或权限范围不允许"}, 401: {"description": "客户端认证失败"},
               429: {"description": "申请过于频繁（带 Retry-After）"}},
)
async def token(request: Request, gateway: ComponentsDep) -> JSONResponse:
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return oauth_error(400, "invalid_request", "请求体须为 application/x-www-form-urlencoded 表单")
    try:
        form = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True, max_num_fields=10))
    except (UnicodeDecodeError, ValueError):
        return oauth_error(400, "invalid_request", "表单格式错误")
    if form.get("grant_type") != "client_credentials":
        return oauth_error(400, "unsupported_grant_type", "仅支持 client_credentials 授权方式")
    credentials = _basic_credentials(request.headers.get("authorization"))
    if credentials is None:
        credentials = (form.get("client_id", ""), form.get("client_secret", ""))
    client_id, secret = credentials
    if not client_id or not secret or len(client_id) > 64 or len(secret) > 200:
        return oauth_error(401, "invalid_client", "客户端认证失败", {"WWW-Authenticate": 'Basic realm="leye"'})
    if gateway.limiter.take("token:" + client_id):
        return oauth_error(429, "slow_down", "申请过于频繁，请稍后再试", {"Retry-After": "1"})

    def load_and_verify() -> tuple[bool, frozenset[str]]:
        with read_session(gateway.sessions) as session:
            client = get_client(session, client_id)
            ok = verify_secret(client.secret_hash if client else None, secret)
            return bool(ok and client and client.active), (client.scope_set if client else frozenset())

    ok, allowed = await run_in_threadpool(load_and_verify)
    if not ok:
        return oauth_error(401, "invalid_client", "客户端认证失败", {"WWW-Authenticate": 'Basic realm="leye"'})
    requested = frozenset(form["scope"].split()) if form.get("scope", "").strip() else allowed
    if not requested <= allowed:
        return oauth_error(400, "invalid_scope", "申请的权限范围超出该客户端的授权")
    access_token, expires_in = issue_token(gateway.settings, client_id, requested)
    return JSONResponse({"access_token": access_token, "token_type": "Bearer", "expires_in": expires_in,
                         "scope": " ".join(sorted(requested))}, headers=_NO_STORE)

"""``/v1/<resource>…`` routes forwarded to the owning backend, generated from the route table so
the OpenAPI document lists every resource with its scope."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response

from ..deps import ComponentsDep, PrincipalDep
from ..domain import ROUTES, WRITE, Route
from ..proxy import forward

router = APIRouter()
_BACKEND_TAGS = {"registration": "人员（个人数据）", "vacancies": "岗位与用人单位", "matching": "就业红娘",
                 "monitoring": "统计与预警"}
_ANY_JSON = {"requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}}}
_RESPONSES: dict[int | str, dict[str, str]] = {
    401: {"description": "未认证或令牌无效"}, 403: {"description": "缺少所需权限范围"},
    429: {"description": "请求过于频繁"}, 503: {"description": "后端服务暂不可用（带 Retry-After）"},
}


def _exact(route: Route) -> Callable[[Request, ComponentsDep, PrincipalDep], Awaitable[Response]]:
    async def handler(request: Request, gateway: ComponentsDep, principal: PrincipalDep) -> Response:
        return await forward(request, gateway, principal, route.prefix)

    return handler


def _nested(route: Route) -> Callable[..., Awaitable[Response]]:
    async def handler(
        request: Request, gateway: ComponentsDep, principal: PrincipalDep,
        rest: Annotated[str, Path(description="资源下的路径，例如人员编号或子资源")],
    ) -> Response:
        return await forward(request, gateway, principal, f"{route.prefix}/{rest}")

    return handler


for _route in ROUTES:
    _slug = _route.prefix.strip("/").replace("/", "_").replace("-", "_")
    for _method in sorted(_route.methods - {"HEAD"}):
        _doc: dict[str, Any] = dict(
            summary=_route.summary, tags=[_BACKEND_TAGS[_route.backend]], responses=_RESPONSES,
            description=f"转发至 {_route.backend} 服务；所需权限范围：`{_route.scope}`"
            + ("；每次访问记入审计日志" if _route.personal else ""),
            openapi_extra=_ANY_JSON if _method in WRITE else None,
        )
        router.add_api_route(f"/v1{_route.prefix}", _exact(_route), methods=[_method],
                             operation_id=f"{_method.lower()}_{_slug}", **_doc)
        if _route.prefix != "/persons/lookup":
            router.add_api_route(f"/v1{_route.prefix}/{{rest:path}}", _nested(_route), methods=[_method],
                                 operation_id=f"{_method.lower()}_{_slug}_item", **_doc)

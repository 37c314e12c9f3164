"""``/v1/…`` operations forwarded to the owning backend: exactly the backends' public operations
(``contract.operations()``), each at its own path template and method, so the OpenAPI document
(``contract.finish_openapi``) lists what exists and nothing else.

A path that is declared but asked with another method answers 405 problem+json with ``Allow``
listing the methods it has (Starlette would name only one route's method); an undeclared path 404.
Path parameters are not validated here: the backend validates them, as it validates the body, and
the gateway forwards the path as it came (re-quoted, dot segments refused).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request, Response
from starlette.routing import Match, get_route_path
from starlette.types import Scope

from services.runtime.errors import ProblemError

from ..components import Components
from ..contract import Operation, operations
from ..deps import bearer_token, principal_of
from ..proxy import forward

router = APIRouter()
_EVERY_METHOD = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def _forwarding(operation: Operation) -> Callable[[Request], Awaitable[Response]]:
    takes_json = operation.takes_json

    async def handler(request: Request) -> Response:
        # The principal is found here rather than by FastAPI dependencies (ComponentsDep, PrincipalDep):
        # the same checks, without resolving a dependency graph on every forwarded request.
        gateway: Components = request.app.state.components
        principal = await principal_of(request, gateway, bearer_token(request))
        return await forward(request, gateway, principal, request.scope["path"].removeprefix("/v1"),
                             takes_json=takes_json)

    handler.__name__ = f"forward_{operation.method.lower()}"
    return handler


def _not_allowed(allowed: set[str]) -> Callable[[], Awaitable[Response]]:
    allow = ", ".join(sorted(allowed))

    async def handler() -> Response:
        raise ProblemError(405, "method_not_allowed", f"该资源不支持此请求方法，可用的方法：{allow}",
                           headers={"Allow": allow})

    return handler


class _Segment(APIRouter):
    """The forwarded operations under one first path segment (``/v1/persons``, ``/v1/stats`` …).

    FastAPI compares a request with a router's routes one by one (a regex and some bookkeeping each,
    an eighth of the gateway's CPU per request with every operation in one router); this router turns
    away a path of another segment at once, so a request is compared with its own segment's routes only.
    No route of one segment can match a path of another, so the grouping changes no answer.
    """

    def __init__(self, segment: str) -> None:
        super().__init__()
        self.under = f"/v1/{segment}"

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        path = get_route_path(scope)
        if path != self.under and not path.startswith(self.under + "/"):
            return Match.NONE, {}
        return super().matches(scope)


def _segment(path: str) -> str:
    return path.split("/")[2]


_ALLOWED: dict[str, set[str]] = {}
for _operation in operations():
    _ALLOWED.setdefault(_operation.public_path, set()).add(_operation.method)
_SEGMENTS = {_segment(path): _Segment(_segment(path)) for path in _ALLOWED}
# Within a segment: a literal path's other methods answer 405 before any template can take the path as
# a parameter (``GET /v1/persons/lookup`` is not ``GET /v1/persons/{person_ref}``); a template's, after
# every real route, so they are reached only when no route has the method.
for _path, _methods in _ALLOWED.items():
    if "{" not in _path:
        _SEGMENTS[_segment(_path)].add_api_route(_path, _not_allowed(_methods),
                                                 methods=sorted(_EVERY_METHOD - _methods), include_in_schema=False)
for _operation in operations():
    _SEGMENTS[_segment(_operation.public_path)].add_api_route(
        _operation.public_path, _forwarding(_operation), methods=[_operation.method], include_in_schema=False)
for _path, _methods in _ALLOWED.items():
    if "{" in _path:
        _SEGMENTS[_segment(_path)].add_api_route(_path, _not_allowed(_methods),
                                                 methods=sorted(_EVERY_METHOD - _methods), include_in_schema=False)
for _router in _SEGMENTS.values():
    router.include_router(_router)

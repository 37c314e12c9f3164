"""In production a backend answers only the gateway: requests without the internal credential are
refused, except the operational endpoints; development and the gateway itself are not affected."""

from __future__ import annotations

import httpx
import pytest
from fastapi import APIRouter
from pydantic import ValidationError

from services.runtime.http import INTERNAL_TOKEN_HEADER, OPEN_PATHS, http_app
from services.runtime.service import Service
from services.runtime.settings import ServiceSettings
from tests.conftest import LiveServer

TOKEN = "internal-token-from-the-vault-0123456789"


def service(environment: str, *, public: bool = False, open_paths: tuple[str, ...] = ()) -> LiveServer:
    router = APIRouter()

    @router.get("/things/{ref}")
    def thing(ref: str) -> dict[str, str]:
        return {"ref": ref}

    @router.get("/wall")
    @router.get("/wall/{part}")
    @router.get("/wallpaper")
    def wall(part: str = "") -> dict[str, str]:
        return {"part": part}

    settings = ServiceSettings(LEYE_ENV=environment, LEYE_INTERNAL_TOKEN=TOKEN, KAFKA_BOOTSTRAP="127.0.0.1:1")
    return LiveServer(http_app(Service(name="test", title="测试服务", description="",
                                                     settings=settings, public=public, routers=[router],
                                                     open_paths=open_paths)))


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        pytest.param({}, 403, id="no credential"),
        pytest.param({INTERNAL_TOKEN_HEADER: "wrong"}, 403, id="wrong credential"),
        pytest.param({INTERNAL_TOKEN_HEADER: TOKEN[:-1]}, 403, id="prefix of the credential"),
        pytest.param({INTERNAL_TOKEN_HEADER: TOKEN + "x"}, 403, id="credential with a suffix"),
        pytest.param({INTERNAL_TOKEN_HEADER: TOKEN}, 200, id="the credential"),
    ],
)
def test_production_backend_wants_the_internal_credential(headers, status) -> None:
    with service("production") as live:
        response = httpx.get(f"{live.url}/things/abc", headers=headers)
        assert response.status_code == status
        if status == 403:
            assert response.headers["content-type"] == "application/problem+json"
            problem = response.json()
            assert problem["code"] == "internal_caller_only"
            assert problem["errors"][0]["field"] == f"header.{INTERNAL_TOKEN_HEADER}"
            assert "网关" in problem["detail"]
        else:
            assert response.json() == {"ref": "abc"}


def test_operational_endpoints_stay_open_and_docs_do_not() -> None:
    with service("production") as live:
        assert {path: httpx.get(f"{live.url}{path}").status_code for path in sorted(OPEN_PATHS)} == {
            "/healthz": 200, "/metrics": 200, "/readyz": 200}
        assert httpx.get(f"{live.url}/openapi.json").status_code == 403
        assert httpx.get(f"{live.url}/docs").status_code == 403


@pytest.mark.parametrize(
    ("environment", "public"),
    [pytest.param("development", False, id="development"), pytest.param("production", True, id="the gateway")],
)
def test_no_credential_needed_in_development_nor_by_the_public_gateway(environment, public) -> None:
    with service(environment, public=public) as live:
        assert httpx.get(f"{live.url}/things/abc").status_code == 200


@pytest.mark.parametrize(
    "token",
    [pytest.param(None, id="placeholder"), pytest.param("", id="empty"), pytest.param("x" * 31, id="short")],
)
def test_production_refuses_a_placeholder_or_short_internal_token(token) -> None:
    given = {} if token is None else {"LEYE_INTERNAL_TOKEN": token}
    with pytest.raises(ValidationError, match="internal_token"):
        ServiceSettings(LEYE_ENV="production", **given)


def test_paths_an_operator_published_are_open_and_nothing_beside_them() -> None:
    """monitoring's browser wall with MONITORING_WALL_PUBLIC: /wall and below it, not a path that only
    starts with the same letters, and every other path still wants the credential."""
    with service("production", open_paths=("/wall",)) as live:
        assert {path: httpx.get(f"{live.url}{path}").status_code for path in
                ("/wall", "/wall/data", "/wallpaper", "/things/abc", "/docs")} == {
            "/wall": 200, "/wall/data": 200, "/wallpaper": 403, "/things/abc": 403, "/docs": 403}

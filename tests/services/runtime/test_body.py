"""``runtime.body.JsonBody`` through real HTTP: strict shared types from their JSON form, problems
naming the field without echoing values, and the body in the OpenAPI document."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

import httpx
import pytest
from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from schemas.fields import Industry, Skill
from schemas.vocab import Education
from services.runtime.body import JsonBody, JsonBodyRoute
from services.runtime.http import ServiceParts, create_service_app
from services.runtime.settings import ServiceSettings
from tests.conftest import LiveServer


class ProfileIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, description="姓名")]
    industry: Industry
    skills: list[Skill] = []
    education: Education
    since: date


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    router = APIRouter(route_class=JsonBodyRoute)

    @router.post("/profiles", summary="登记")
    def post_profile(body: Annotated[ProfileIn, Depends(JsonBody(ProfileIn))]) -> dict[str, Any]:
        assert isinstance(body.industry, Industry) and isinstance(body.since, date)
        return body.model_dump(mode="json")

    settings = ServiceSettings(LEYE_VAR_DIR=str(tmp_path_factory.mktemp("body")))
    app = create_service_app(ServiceParts(name="test", title="测试服务", description="", settings=settings,
                                          routers=[router]))
    with LiveServer(app) as live:
        live.app = app
        yield live


VALID = {"name": "张三", "industry": {"section": "C", "division": "34"}, "skills": [{"name": "焊工", "level": 3}],
         "education": "20", "since": "2026-11-01"}


def test_strict_shared_types_are_read_from_their_json_form(server) -> None:
    response = httpx.post(f"{server.url}/profiles", json=VALID)
    assert response.status_code == 200, response.text
    assert response.json() == VALID | {"since": "2026-11-01"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param(VALID | {"industry": {"section": "张三"}}, "body.industry.section", id="unknown section"),
        pytest.param(VALID | {"industry": {"section": "C", "division": "01"}}, "body.industry",
                     id="division outside its section"),
        pytest.param(VALID | {"skills": [{"name": "张三", "level": "3"}]}, "body.skills.0.level",
                     id="level as a string (strict)"),
        pytest.param(VALID | {"since": "张三"}, "body.since", id="not a date"),
        pytest.param({k: v for k, v in VALID.items() if k != "name"}, "body.name", id="missing field"),
        pytest.param(VALID | {"nickname": "张三"}, "body.nickname", id="unknown field"),
    ],
)
def test_wrong_field_is_422_naming_it_without_the_value(server, body, field) -> None:
    response = httpx.post(f"{server.url}/profiles", content=json.dumps(body, ensure_ascii=False).encode(),
                          headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "validation_failed" and problem["title"] == "请求参数校验失败"
    assert field in [e["field"] for e in problem["errors"]]
    assert "张三" not in response.text


def test_malformed_json_is_400(server) -> None:
    response = httpx.post(f"{server.url}/profiles", content='{"name": "张三", '.encode(),
                          headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"
    assert [e["field"] for e in response.json()["errors"]] == ["body"]
    assert "张三" not in response.text


@pytest.mark.parametrize(
    ("content", "headers", "kind"),
    [
        pytest.param(b"", {"content-type": "application/json"}, "missing", id="empty body"),
        pytest.param(json.dumps(VALID).encode(), {"content-type": "text/plain"}, "model_attributes_type",
                     id="JSON sent as text/plain"),
    ],
)
def test_empty_or_non_json_body_is_422_like_fastapi(server, content, headers, kind) -> None:
    response = httpx.post(f"{server.url}/profiles", content=content, headers=headers)
    assert response.status_code == 422
    assert [(e["field"], e["type"]) for e in response.json()["errors"]] == [("body", kind)]


def test_body_over_one_mebibyte_is_413_while_streaming(server) -> None:
    def chunks():
        for _ in range(20):
            yield b" " * (64 * 1024)

    response = httpx.post(f"{server.url}/profiles", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_openapi_documents_the_body_with_its_definitions_in_components(server) -> None:
    spec = httpx.get(f"{server.url}/openapi.json").json()
    body = spec["paths"]["/profiles"]["post"]["requestBody"]
    assert body == {"required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ProfileIn"}}}}
    schema = spec["components"]["schemas"]["ProfileIn"]
    assert set(schema["required"]) == {"name", "industry", "education", "since"}
    assert schema["properties"]["name"]["description"] == "姓名"
    assert {"Industry", "Skill", "Education"} <= set(spec["components"]["schemas"])

    def refs(node: Any) -> list[str]:
        if isinstance(node, dict):
            own = [node["$ref"]] if "$ref" in node else []
            return own + [r for value in node.values() for r in refs(value)]
        return [r for value in node for r in refs(value)] if isinstance(node, list) else []

    names = {ref.removeprefix("#/components/schemas/") for ref in refs(spec)}
    assert names and names <= set(spec["components"]["schemas"])
    server.app.openapi_schema = None  # FastAPI regenerates the document when routes change
    assert server.app.openapi() == spec

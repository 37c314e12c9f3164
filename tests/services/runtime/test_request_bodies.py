"""Request bodies as plain FastAPI body parameters (``schemas.requests.RequestModel``) through real
HTTP: the JSON form of the shared types accepted, problems naming the field without echoing values,
authorisation before the body, and the body in the OpenAPI document."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

import httpx
import pytest
from fastapi import APIRouter, Depends, Header
from pydantic import Field

from schemas.fields import Industry, Skill
from schemas.requests import Code, IndustryIn, IsoDate, RequestModel
from schemas.vocab import Education
from services.runtime.errors import ProblemError
from services.runtime.http import http_app
from services.runtime.service import Service
from services.runtime.settings import ServiceSettings
from tests.conftest import LiveServer


class ProfileIn(RequestModel):
    name: Annotated[str, Field(min_length=1, description="姓名")]
    industry: IndustryIn
    skills: list[Skill] = []
    education: Code[Education]
    since: IsoDate
    salary: int | None = None
    active: bool = True


def require_token(x_token: Annotated[str | None, Header()] = None) -> None:
    if x_token != "secret":
        raise ProblemError(401, "invalid_token", "令牌无效")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    router = APIRouter()

    @router.post("/profiles", summary="登记")
    def post_profile(body: ProfileIn) -> dict[str, Any]:
        assert isinstance(body.industry, Industry) and isinstance(body.since, date)
        assert isinstance(body.education, Education)
        return body.model_dump(mode="json")

    @router.post("/guarded", summary="需令牌的登记")
    def post_guarded(_: Annotated[None, Depends(require_token)], body: ProfileIn) -> dict[str, str]:
        return {"name_length": str(len(body.name))}

    settings = ServiceSettings(LEYE_VAR_DIR=str(tmp_path_factory.mktemp("body")))
    app = http_app(Service(name="test", title="测试服务", description="", settings=settings,
                                          routers=[router]))
    with LiveServer(app) as live:
        live.app = app
        yield live


VALID = {"name": "张三", "industry": {"section": "C", "division": "34"}, "skills": [{"name": "焊工", "level": 3}],
         "education": "20", "since": "2026-11-01", "salary": 5000, "active": True}


def post(url: str, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.post(url, content=json.dumps(body, ensure_ascii=False).encode(),
                      headers={"content-type": "application/json", **(headers or {})})


def test_shared_types_are_read_from_their_json_form(server) -> None:
    response = post(f"{server.url}/profiles", VALID)
    assert response.status_code == 200, response.text
    assert response.json() == VALID


@pytest.mark.parametrize(
    ("body", "field", "kind"),
    [
        pytest.param(VALID | {"industry": {"section": "张三"}}, "body.industry.section", "enum", id="unknown section"),
        pytest.param(VALID | {"industry": {"section": "C", "division": "01"}}, "body.industry",
                     "industry_division_section", id="division outside its section"),
        pytest.param(VALID | {"industry": {"section": "C", "division": 34}}, "body.industry.division", "string_type",
                     id="division as a number"),
        pytest.param(VALID | {"industry": "C"}, "body.industry", "model_attributes_type",
                     id="industry as a bare code"),
        pytest.param(VALID | {"skills": [{"name": "张三", "level": "3"}]}, "body.skills.0.level", "int_type",
                     id="level as a string"),
        pytest.param(VALID | {"education": 20}, "body.education", "enum", id="code as a number"),
        pytest.param(VALID | {"salary": "5000"}, "body.salary", "int_type", id="number as a string"),
        pytest.param(VALID | {"salary": 5000.5}, "body.salary", "int_type", id="fraction for an integer"),
        pytest.param(VALID | {"active": "true"}, "body.active", "bool_type", id="boolean as a string"),
        pytest.param(VALID | {"since": "张三"}, "body.since", "date_from_datetime_parsing", id="not a date"),
        pytest.param(VALID | {"since": 0}, "body.since", "date_type", id="a number for a date"),
        pytest.param(VALID | {"since": "0"}, "body.since", "date_parsing", id="a number in a string for a date"),
        pytest.param(VALID | {"since": "1767225600"}, "body.since", "date_parsing", id="unix time for a date"),
        pytest.param(VALID | {"since": "2026-1-5"}, "body.since", "date_from_datetime_parsing",
                     id="date without leading zeros"),
        pytest.param({k: v for k, v in VALID.items() if k != "name"}, "body.name", "missing", id="missing field"),
        pytest.param(VALID | {"nickname": "张三"}, "body.nickname", "extra_forbidden", id="unknown field"),
        pytest.param(["张三"], "body", "model_attributes_type", id="an array for the body"),
    ],
)
def test_wrong_field_is_422_naming_it_without_the_value(server, body, field, kind) -> None:
    response = post(f"{server.url}/profiles", body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "validation_failed" and problem["title"] == "请求参数校验失败"
    assert (field, kind) in [(e["field"], e["type"]) for e in problem["errors"]]
    first = problem["errors"][0]
    assert problem["detail"].startswith(f"{first['field']}：{first['message']}")  # what is wrong, in one sentence
    assert "张三" not in response.text


def test_malformed_json_is_400_naming_the_body(server) -> None:
    response = httpx.post(f"{server.url}/profiles", content='{"name": "张三", '.encode(),
                          headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"
    assert [(e["field"], e["type"]) for e in response.json()["errors"]] == [("body", "json_invalid")]
    assert "张三" not in response.text


@pytest.mark.parametrize(
    ("content", "headers", "kind"),
    [
        pytest.param(b"", {"content-type": "application/json"}, "missing", id="empty body"),
        pytest.param(json.dumps(VALID).encode(), {"content-type": "text/plain"}, "model_attributes_type",
                     id="JSON sent as text/plain"),
        pytest.param(json.dumps(VALID).encode(), {}, "model_attributes_type", id="no content type"),
    ],
)
def test_empty_or_non_json_body_is_422(server, content, headers, kind) -> None:
    response = httpx.post(f"{server.url}/profiles", content=content, headers=headers)
    assert response.status_code == 422
    assert [(e["field"], e["type"]) for e in response.json()["errors"]] == [("body", kind)]


def test_json_with_a_structured_suffix_is_json(server) -> None:
    response = httpx.post(f"{server.url}/profiles", content=json.dumps(VALID).encode(),
                          headers={"content-type": "application/merge-patch+json"})
    assert response.status_code == 200
    assert response.json() == VALID


def test_authorisation_runs_before_the_body_is_validated(server) -> None:
    refused = post(f"{server.url}/guarded", VALID | {"since": 0, "nickname": "张三"})
    assert (refused.status_code, refused.json()["code"]) == (401, "invalid_token")
    assert "errors" not in refused.json()
    invalid = post(f"{server.url}/guarded", VALID | {"since": 0}, headers={"x-token": "secret"})
    assert [e["field"] for e in invalid.json()["errors"]] == ["body.since"]
    assert post(f"{server.url}/guarded", VALID, headers={"x-token": "secret"}).json() == {"name_length": "2"}
    # FastAPI parses the JSON before it solves dependencies: a body that is not JSON is 400 even here.
    malformed = httpx.post(f"{server.url}/guarded", content=b'{"name": ', headers={"content-type": "application/json"})
    assert (malformed.status_code, malformed.json()["code"]) == (400, "malformed_json")


def test_body_over_one_mebibyte_is_413_while_streaming(server) -> None:
    def chunks():
        for _ in range(20):
            yield b" " * (64 * 1024)

    response = httpx.post(f"{server.url}/profiles", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_openapi_documents_the_body_with_its_definitions_in_components(server) -> None:
    spec = httpx.get(f"{server.url}/openapi.json").json()
    for path in ("/profiles", "/guarded"):
        body = spec["paths"][path]["post"]["requestBody"]
        assert body == {"required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ProfileIn"}}}}
    schema = spec["components"]["schemas"]["ProfileIn"]
    assert set(schema["required"]) == {"name", "industry", "education", "since"}
    assert schema["properties"]["name"]["description"] == "姓名"
    assert schema["properties"]["since"] == {"type": "string", "format": "date", "title": "Since"}
    assert schema["additionalProperties"] is False
    assert spec["components"]["schemas"]["Education"]["enum"] == [e.value for e in Education]
    assert {"Industry", "Skill", "Education"} <= set(spec["components"]["schemas"])

    def refs(node: Any) -> list[str]:
        if isinstance(node, dict):
            own = [node["$ref"]] if "$ref" in node else []
            return own + [r for value in node.values() for r in refs(value)]
        return [r for value in node for r in refs(value)] if isinstance(node, list) else []

    names = {ref.removeprefix("#/components/schemas/") for ref in refs(spec)}
    assert names and names <= set(spec["components"]["schemas"])

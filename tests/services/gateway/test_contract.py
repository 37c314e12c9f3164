"""The gateway's OpenAPI document is the public contract: valid, exactly the backends' public
operations with their real schemas, scopes and problem responses, and committed to the repository
(``leye api export`` regenerates both files)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from openapi_spec_validator import validate

from leye.apidoc import DOCUMENT, backend_contracts, dumps, gateway_document
from schemas.vocab import Vocabulary
from services.gateway.contract import CONTRACTS, OAUTH
from services.gateway.domain import SCOPES, find_route
from services.registration.api.models import UnemploymentIn
from services.runtime.http import http_app
from services.vacancies.api.layoffs import LayoffIn
from services.vacancies.api.vacancies import VacancyIn
from services.vacancies.app import build as build_vacancies
from services.vacancies.settings import Settings as VacanciesSettings

from .conftest import Backend, Gateway

REF = "#/components/schemas/"
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def document() -> dict:
    return gateway_document()


@pytest.fixture(scope="module")
def contracts() -> dict:
    return backend_contracts()


def operations(document: dict) -> dict[tuple[str, str], dict]:
    return {(method.upper(), path): op for path, ops in document["paths"].items() for method, op in ops.items()}


def test_the_document_is_valid_openapi(document) -> None:
    validate(document)


def test_committed_files_match_what_the_code_generates(document, contracts) -> None:
    """Fails when a backend's API or the gateway changed without ``leye api export``."""
    assert CONTRACTS.read_text(encoding="utf-8") == dumps(contracts), "run: leye api export"
    assert DOCUMENT == ROOT / "docs" / "api" / "openapi.json"
    assert DOCUMENT.read_text(encoding="utf-8") == dumps(document), "run: leye api export"


def test_every_backend_operation_is_listed_once_with_its_method_and_no_catch_all(document, contracts) -> None:
    listed = operations(document)
    forwarded = {(m.upper(), "/v1" + path) for backend in contracts.values()
                 for path, ops in backend["paths"].items() for m in ops}
    assert len(forwarded) >= 40
    assert forwarded <= set(listed)
    assert not [path for path in document["paths"] if "{rest" in path or ":path}" in path]
    # What the issue found listed without existing (GET /v1/layoffs exists since the layoff list):
    assert ("DELETE", "/v1/persons") not in listed and ("DELETE", "/v1/layoffs") not in listed
    assert ("GET", "/v1/layoffs") in listed and ("GET", "/v1/headcount-reports") not in listed
    operation_ids = [op["operationId"] for op in listed.values()]
    assert len(operation_ids) == len(set(operation_ids))


@pytest.mark.parametrize(
    ("method", "path", "model", "component"),
    [
        pytest.param("POST", "/v1/vacancies", VacancyIn, "VacancyIn", id="vacancy"),
        pytest.param("PUT", "/v1/vacancies/{vacancy_id}", VacancyIn, "VacancyIn", id="vacancy update"),
        pytest.param("POST", "/v1/layoffs", LayoffIn, "LayoffIn", id="layoff report"),
        pytest.param("POST", "/v1/persons/{person_ref}/unemployment", UnemploymentIn, "UnemploymentIn",
                     id="unemployment registration"),
    ],
)
def test_request_bodies_are_the_backends_models(document, method, path, model, component) -> None:
    operation = operations(document)[(method, path)]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": REF + component}
    published = document["components"]["schemas"][component]
    assert set(published["properties"]) == set(model.model_fields)
    assert set(published.get("required", [])) == {name for name, f in model.model_fields.items() if f.is_required()}


def test_schemas_are_those_the_backend_publishes(document) -> None:
    vacancies = http_app(build_vacancies(VacanciesSettings())).openapi()["components"]["schemas"]
    for name in ("VacancyIn", "VacancyOut", "LayoffIn", "LayoffOut"):
        assert document["components"]["schemas"][name] == vacancies[name], name
    for name in ("Education", "LayoffReason"):  # the same codes, with their Chinese labels added
        published = document["components"]["schemas"][name]
        assert published["enum"] == vacancies[name]["enum"] and published["type"] == vacancies[name]["type"]
    # Names two backends use for different models are told apart.
    schemas = document["components"]["schemas"]
    assert {"RegistrationCloseIn", "VacanciesCloseIn", "MatchingCloseIn"} <= set(schemas)
    assert "CloseIn" not in schemas and "HTTPValidationError" not in schemas


def test_every_operation_names_its_scope_and_its_problem_responses(document) -> None:
    for (method, path), operation in operations(document).items():
        if not path.startswith("/v1/") or path == "/v1/hooks/grafana":
            continue
        [requirement] = operation["security"]
        [scope] = requirement[OAUTH]
        assert scope in SCOPES and f"`{scope}`" in operation["description"], (method, path)
        route = find_route(method, path.removeprefix("/v1"))
        if route is not None and path != "/v1/warnings/{alert_id}/ack":
            assert scope == route.scope
        responses = operation["responses"]
        expected = {"401", "403", "429"} | ({"422"} if operation.get("parameters") or "requestBody" in operation
                                            else set())
        if "{" in path:
            expected |= {"404"}
        assert expected <= set(responses), (method, path)
        for status, response in responses.items():
            if int(status) >= 400:
                assert response["content"] == {"application/problem+json": {"schema": {"$ref": REF + "Problem"}}}
    flows = document["components"]["securitySchemes"][OAUTH]["flows"]
    assert flows["clientCredentials"] == {"tokenUrl": "/oauth/token", "scopes": SCOPES}
    writes = operations(document)[("POST", "/v1/layoffs")]["responses"]
    assert {"409", "503"} <= set(writes)


def test_the_gateway_serves_the_document_and_answers_undeclared_routes_in_problem_json(
    gateway: Gateway, backend: Backend
) -> None:
    served = httpx.get(f"{gateway.url}/openapi.json")
    assert served.status_code == 200
    assert dumps(served.json()) == DOCUMENT.read_text(encoding="utf-8")
    headers = gateway.client_with("dept", " ".join(SCOPES))
    before = len(backend.requests)
    missing = httpx.get(f"{gateway.url}/v1/persons/{'a' * 64}/nothing", headers=headers)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["code"] == "not_found" and missing.json()["detail"] == "请求的路径不存在"
    for method, path, allow in [
        ("DELETE", "/v1/layoffs", "GET, POST"),
        ("GET", "/v1/headcount-reports", "POST"),
        ("DELETE", "/v1/persons", "POST"),
        ("DELETE", "/v1/vacancies/v-1", "GET, PUT"),
        ("PATCH", "/v1/stations/s-1", None),  # declared: forwarded
    ]:
        response = httpx.request(method, f"{gateway.url}{path}", headers=headers)
        if allow is None:
            assert response.status_code == 200
            continue
        assert response.status_code == 405, (method, path)
        assert response.headers["allow"] == allow
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["code"] == "method_not_allowed" and allow in problem["detail"]
        assert problem["title"] == "不支持的请求方法"
    assert [r["method"] for r in backend.requests[before:]] == ["PATCH"]


def test_code_lists_carry_their_chinese_labels_and_standard(document) -> None:
    schemas = document["components"]["schemas"]
    vocabularies = {v.__name__: v for v in Vocabulary.__subclasses__() if v.__module__ == "schemas.vocab"}
    listed = [name for name, schema in schemas.items() if schema.get("title") in vocabularies and "enum" in schema]
    assert len(listed) >= 15
    for name in listed:
        labels = vocabularies[schemas[name]["title"]].labels()
        assert schemas[name]["x-enum-descriptions"] == [labels[code] for code in schemas[name]["enum"]], name
    education = schemas["Education"]
    assert education["description"].startswith("学历（GB/T 4658-2006") and "`20` 大学本科" in education["description"]
    assert "GB/T 4754-2017" in schemas["IndustrySection"]["description"]

"""The public contract: which operations the gateway forwards, and the OpenAPI document that lists them.

The backends' own OpenAPI documents, generated from the request and response models they
validate with, are exported into ``backend_contracts.json`` (``leye api export``; a test fails when
it drifts). This module reads that file, so the gateway knows each backend operation without
importing another service:

- :func:`operations`: every public operation (method, backend path template, the route-table row
  that gives its backend, scope and audit); ``api/forwarding.py`` registers exactly these.
- :func:`finish_openapi`: the gateway's document, with each forwarded operation under ``/v1``, its
  typed path parameters, request and response schemas, the scope it needs (an OAuth2
  client-credentials security requirement) and the problem+json responses it can give.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from schemas.problem import Problem
from schemas.vocab import Vocabulary

from .domain import SCOPES, WRITE, Route, find_route

CONTRACTS = Path(__file__).with_name("backend_contracts.json")
BACKENDS = ("registration", "vacancies", "matching", "monitoring", "programmes")
OAUTH = "oauth2"
_REF = "#/components/schemas/"
_METHODS = ("get", "put", "post", "patch", "delete")
_FASTAPI_ERRORS = ("HTTPValidationError", "ValidationError")
_TAGS = {"registration": "人员（个人数据）", "vacancies": "岗位与用人单位", "matching": "就业红娘",
         "monitoring": "统计与预警", "programmes": "就业创业项目"}
# Scopes of the operations the gateway answers itself (api/token.py, ingest.py, audit.py).
GATEWAY_SCOPES = {("post", "/v1/survey-rates"): "stats:write", ("post", "/v1/warnings/{alert_id}/ack"): "alerts:ack",
                  ("get", "/v1/audit"): "admin"}
_PROBLEMS = {
    400: "请求体不是合法的 JSON，或 Idempotency-Key 长度不在 1 至 200 个字符之间",
    401: "未认证：缺少访问令牌、令牌无效或已过期，或客户端已停用（带 WWW-Authenticate）",
    403: "访问令牌缺少所需权限范围",
    404: "资源不存在（路径中的，或请求体引用的）",
    409: "状态冲突（资源已存在、状态不允许此操作或并发修改）",
    413: "请求体超过 1 MiB",
    415: "请求体不是 JSON（Content-Type 须为 application/json）",
    422: "请求参数校验失败（`errors` 逐项列出出错的字段）",
    429: "请求过于频繁（带 Retry-After）",
    502: "后端服务处理失败",
    503: "后端服务或审计日志暂不可用（带 Retry-After）",
    504: "后端服务未在规定时间内响应（带 Retry-After）",
}


# The code lists' Chinese names (their docstrings are for developers): a department reads these.
_VOCABULARY_NAMES = {
    "Gender": "性别（GB/T 2261.1-2003）", "Education": "学历（GB/T 4658-2006 一级代码）",
    "IndustrySection": "行业门类（GB/T 4754-2017）", "KeyGroup": "重点群体", "EmploymentForm": "就业形式",
    "UnemploymentReason": "失业原因", "RegistrationPlace": "失业登记地", "FollowupOutcome": "跟踪回访结果",
    "HardshipCategory": "就业困难人员认定类别", "ClosureReason": "注销登记原因", "ContactChannel": "联系方式",
    "CaseCloseReason": "红娘工单关闭原因", "ReferralResult": "推介结果", "DecreaseType": "减员类型",
    "LayoffReason": "规模裁员的法定情形（劳动合同法第四十一条）", "SessionKind": "招聘活动类型",
    "VacancyCloseReason": "岗位下架原因", "VacancyKind": "岗位类型", "CaseOrigin": "工单来源",
    "ReferralDirection": "推介方向", "FlagCategory": "岗位信息风险类别", "RegistrationKind": "登记类型",
    "SlaKind": "服务时限类型", "AlertLevel": "预警级别", "ScopeKind": "预警范围类型", "AlertSource": "预警来源",
    "RefusalReason": "不予享受原因", "HouseholdRelation": "与户主关系（GB/T 4761-2008 分组代码）",
    "ZeroEmploymentClearReason": "零就业家庭清零原因", "EnterpriseIssueKind": "重点企业台账问题类型",
    "IncubatorLevel": "创业孵化基地认定级别",
    "CertificationLevel": "充分就业社区认定级别",
    "SessionSource": "招聘活动成效来源", "ApplicationOutcome": "直播带岗投递结果",
}
_STATE_NAMES = {"Status": "就失业登记状态", "VacancyStatus": "岗位状态", "SessionStatus": "招聘活动状态"}


def _label_codes(schemas: dict[str, Any]) -> None:
    """Give every code list its Chinese name and each code its label (``x-enum-descriptions``, in
    the order of ``enum``, as client generators read it)."""
    vocabularies = {vocabulary.__name__: vocabulary for vocabulary in Vocabulary.__subclasses__()
                    if vocabulary.__module__ == Vocabulary.__module__}
    for name, schema in schemas.items():
        title = schema.get("title", name)
        if "enum" not in schema:
            continue
        if title in vocabularies and title in _VOCABULARY_NAMES:
            labels = vocabularies[title].labels()
            schema["x-enum-descriptions"] = [labels[code] for code in schema["enum"]]
            schema["description"] = f"{_VOCABULARY_NAMES[title]}。代码：" + "；".join(
                f"`{code}` {labels[code]}" for code in schema["enum"])
        elif title in _STATE_NAMES:
            schema["description"] = _STATE_NAMES[title]


@dataclass(frozen=True, slots=True)
class Operation:
    """One public operation: ``method`` on the backend path ``path`` (``/v1`` + path at the gateway)."""

    method: str
    path: str
    route: Route

    @property
    def public_path(self) -> str:
        return "/v1" + self.path

    @property
    def takes_json(self) -> bool:
        """Whether the operation has a (JSON) request body: other media types are refused with 415."""
        operation = backend_contracts()[self.route.backend]["paths"][self.path][self.method.lower()]
        return "requestBody" in operation


@cache
def backend_contracts() -> dict[str, Any]:
    """The exported backend documents: ``{backend: {"paths": …, "schemas": …}}``."""
    contracts: dict[str, Any] = json.loads(CONTRACTS.read_text(encoding="utf-8"))
    return contracts


def public_paths(backend: str, document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The operations of a backend's document that the route table makes public through the gateway."""
    public: dict[str, dict[str, Any]] = {}
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            route = find_route(method.upper(), path)
            if method in _METHODS and route is not None and route.backend == backend:
                public.setdefault(path, {})[method] = operation
    return public


def operations() -> list[Operation]:
    """Every forwarded operation, in the backends' order."""
    found = []
    for backend in BACKENDS:
        for path, methods in backend_contracts()[backend]["paths"].items():
            for method in methods:
                route = find_route(method.upper(), path)
                assert route is not None and route.backend == backend, (method, path)
                found.append(Operation(method.upper(), path, route))
    return found


def _renames() -> dict[str, dict[str, str]]:
    """Per backend, the component names to change: a name two backends use for different schemas
    (``CloseIn``) becomes ``<Backend><Name>`` for each of them; identical ones are shared."""
    seen: dict[str, dict[str, Any]] = {}
    for backend in BACKENDS:
        for name, schema in backend_contracts()[backend]["schemas"].items():
            seen.setdefault(name, {})[backend] = schema
    renames: dict[str, dict[str, str]] = {backend: {} for backend in BACKENDS}
    for name, versions in seen.items():
        schemas = list(versions.values())
        if any(schema != schemas[0] for schema in schemas[1:]):
            for backend in versions:
                renames[backend][name] = backend.capitalize() + name
    return renames


def _renamed(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, dict):
        out = {k: _renamed(v, names) for k, v in value.items()}
        ref = out.get("$ref")
        if isinstance(ref, str) and ref.startswith(_REF) and ref[len(_REF):] in names:
            out["$ref"] = _REF + names[ref[len(_REF):]]
        return out
    if isinstance(value, list):
        return [_renamed(item, names) for item in value]
    return value


def _problem(status: int, text: str | None = None) -> dict[str, Any]:
    return {"description": text or _PROBLEMS[status],
            "content": {"application/problem+json": {"schema": {"$ref": _REF + "Problem"}}}}


def _errors(operation: dict[str, Any], *, forwarded: bool, write: bool) -> dict[str, Any]:
    """The problem responses of one operation, by what it takes and where it goes."""
    parameters = operation.get("parameters", [])
    body = bool(operation.get("requestBody"))
    statuses = [401, 403, 429]
    if body:
        statuses += [400, 413, 415, 422]
    elif parameters:
        statuses.append(422)
    if forwarded and write:
        statuses.append(400)  # Idempotency-Key
    if any(p.get("in") == "path" for p in parameters) or (forwarded and body):
        # A body names other resources too (an employer, a station): the backend answers 404 for them.
        statuses.append(404)
    if forwarded and write:
        statuses.append(409)
    if forwarded:
        statuses += [502, 503, 504]
    return {str(status): _problem(status) for status in sorted(set(statuses))}


def _forwarded(operation: dict[str, Any], route: Route, method: str) -> dict[str, Any]:
    out = copy.deepcopy(operation)
    # The registration backend's tag says "personal data"; its routes that are not (充分就业社区) keep their own.
    own = operation.get("tags") if route.backend == "registration" and not route.personal else None
    out["tags"] = own or [_TAGS[route.backend]]
    summary = out.get("summary") or route.summary
    out["summary"] = summary
    out["description"] = "\n\n".join(filter(None, [
        out.get("description"),
        f"所需权限范围：`{route.scope}`（{SCOPES[route.scope]}）。",
        "对个人数据的访问（包括被拒绝的访问）都记入审计日志。" if route.personal else None,
        "对人社局以外的客户端，少于5人的格子（`small_cell: true`）中的数值为 `null`，并标注 `suppressed: true`。"
        if route.backend == "monitoring" else None,
    ]))
    write = method.upper() in WRITE
    if write:
        out.setdefault("parameters", []).append({
            "name": "Idempotency-Key", "in": "header", "required": False,
            "description": "幂等键：同一键与相同请求体的重试返回第一次的结果；同一键与不同请求体返回 422。",
            "schema": {"type": "string", "minLength": 1, "maxLength": 200},
        })
    responses = {code: response for code, response in out.get("responses", {}).items() if code != "422"}
    for response in responses.values():
        if response.get("description") == "Successful Response":
            response["description"] = "成功"
    out["responses"] = responses | _errors(out, forwarded=True, write=write)
    out["security"] = [{OAUTH: [route.scope]}]
    return out


def finish_openapi(document: dict[str, Any]) -> dict[str, Any]:
    """The gateway's document (FastAPI's, for the routes it answers itself) plus every forwarded
    operation, problem responses throughout, and the backends' schemas."""
    renames = _renames()
    schemas: dict[str, Any] = {}
    paths: dict[str, Any] = {}
    for backend in BACKENDS:
        contract = _renamed(backend_contracts()[backend], renames[backend])
        for name, schema in contract["schemas"].items():
            if name not in _FASTAPI_ERRORS:  # every error is a Problem
                public_name = renames[backend].get(name, name)
                # Client generators name their classes by title: a renamed schema takes its new name.
                schemas[public_name] = schema if public_name == name else schema | {"title": public_name}
        for path, methods in contract["paths"].items():
            for method, operation in methods.items():
                route = find_route(method.upper(), path)
                assert route is not None
                paths.setdefault("/v1" + path, {})[method] = _forwarded(operation, route, method)
    for path, methods in document.get("paths", {}).items():
        for method, operation in methods.items():
            scope = GATEWAY_SCOPES.get((method, path))
            responses = {k: v for k, v in operation.get("responses", {}).items() if k != "422"}
            for response in responses.values():
                if response.get("description") == "Successful Response":
                    response["description"] = "成功"
            if scope is not None:
                operation["security"] = [{OAUTH: [scope]}]
                operation["description"] = "\n\n".join(filter(None, [
                    operation.get("description"), f"所需权限范围：`{scope}`（{SCOPES[scope]}）。"]))
                responses |= _errors(operation, forwarded=False, write=method.upper() in WRITE)
            elif path == "/v1/hooks/grafana":
                # Grafana's static bearer token, not an OAuth2 client's: no scope, so no 403 or 429.
                responses |= {str(status): _problem(status, text) for status, text in [
                    (400, None), (401, "Grafana 回调令牌缺失或无效（带 WWW-Authenticate）"), (413, None), (415, None),
                    (422, None)]}
            elif operation.get("parameters") or operation.get("requestBody"):
                responses["422"] = _problem(422)
            operation["responses"] = responses
            paths.setdefault(path, {})[method] = operation
    for methods in paths.values():
        for operation in methods.values():
            for status, response in operation["responses"].items():
                # /oauth/token's errors are Problems that also carry RFC 6749 §5.2's error fields.
                if int(status) >= 400 and "content" not in response:
                    response["content"] = _problem(int(status))["content"]
    components = document.setdefault("components", {})
    own = {k: v for k, v in components.get("schemas", {}).items() if k not in _FASTAPI_ERRORS}
    problem = Problem.model_json_schema(ref_template=_REF + "{model}")
    schemas |= problem.pop("$defs") | {"Problem": problem} | own
    _label_codes(schemas)
    components["schemas"] = {name: schemas[name] for name in sorted(schemas)}
    components.setdefault("securitySchemes", {})[OAUTH] = {
        "type": "oauth2",
        "description": "客户端凭证模式（RFC 6749 §4.4）：在 `/oauth/token` 以客户端编号与密钥换取访问令牌，"
                       "再以 `Authorization: Bearer <令牌>` 调用接口。每个接口所需的权限范围见其说明。",
        "flows": {"clientCredentials": {"tokenUrl": "/oauth/token", "scopes": dict(SCOPES)}},
    }
    document["paths"] = {path: paths[path] for path in sorted(paths)}
    return document

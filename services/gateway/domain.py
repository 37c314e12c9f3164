"""Pure gateway rules, no I/O: scopes, the route table, audit templates and small-cell suppression.

The route table is the one place that says which backend owns a path and which scope a client
needs for it. Matching is by HTTP method and longest path prefix (on whole segments), so
``POST /persons/lookup`` (a read) can need another scope than ``POST /persons`` (a write).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

Backend = Literal["registration", "vacancies", "matching", "monitoring", "programmes"]

SCOPES: dict[str, str] = {
    "stats:read": "读取统计数据与岗位、用人单位等公开信息",
    "stats:write": "报送统计数据（城镇调查失业率）",
    "persons:read": "查询人员信息（个人数据，全部留痕）",
    "persons:write": "登记或变更人员信息（个人数据，全部留痕）",
    "vacancies:write": "发布、变更岗位、用人单位与招聘活动",
    "layoffs:read": "查看裁员报告与重点企业月度用工情况报告",
    "layoffs:write": "报送裁员与重点企业用工情况",
    "referrals:read": "查看就业红娘站点与服务工单",
    "referrals:write": "派发、处理就业红娘工单与人岗推介",
    "enterprises:read": "查看重点企业名册、专员、台账（挂账销号）、缺工报告与失业动态监测企业",
    "enterprises:write": "登记重点企业与专员、挂账销号、报告缺工、企业纳入失业动态监测",
    "alerts:read": "查看风险预警",
    "alerts:ack": "确认风险预警",
    "households:read": "查询家庭户及其成员与零就业家庭状态（个人数据，全部留痕）",
    "households:write": "登记家庭户、成员迁入迁出（个人数据，全部留痕）",
    "programmes:read": "查看就业创业项目目录与培训、贷款、补贴、支付记录及政策找人资格说明（按人员编号，全部留痕）",
    "programmes:write": "登记培训、创业担保贷款、补贴发放与支付、不予享受（按人员编号，全部留痕）",
    "admin": "查询审计日志等管理操作",
}
"""Every scope a client can hold, with the Chinese description the CLI and OpenAPI show. Scopes do
not imply one another: ``admin`` does not include the data scopes."""

def is_json(content_type: str | None) -> bool:
    """Whether a request's ``Content-Type`` announces JSON (``application/json`` or ``…+json``,
    any parameters). No header counts as JSON: FastAPI reads such a body as JSON too."""
    if content_type is None:
        return True
    media_type = content_type.partition(";")[0].strip().lower()
    return media_type == "application/json" or (media_type.startswith("application/") and media_type.endswith("+json"))


READ = frozenset({"GET", "HEAD"})
WRITE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True, slots=True)
class Route:
    """One row of the route table: requests with one of ``methods`` under ``prefix`` go to
    ``backend`` and need ``scope``. ``personal`` routes are audited."""

    methods: frozenset[str]
    prefix: str
    backend: Backend
    scope: str
    summary: str
    personal: bool = False


ROUTES: tuple[Route, ...] = (
    Route(READ, "/persons", "registration", "persons:read", "查询人员", personal=True),
    Route(WRITE, "/persons", "registration", "persons:write", "登记或变更人员", personal=True),
    Route(frozenset({"POST"}), "/persons/lookup", "registration", "persons:read",
          "按身份证号查找人员编号（号码只放在请求体中）", personal=True),
    Route(frozenset({"POST"}), "/persons/search", "registration", "persons:read",
          "人员查询（按街镇、重点群体、状态或身份证号码、姓名精确匹配；条件只放在请求体中）", personal=True),
    Route(READ, "/worklists", "registration", "persons:read", "工作清单（跟踪到期、长期失业、离校未就业）",
          personal=True),
    Route(READ, "/households", "registration", "households:read", "查询家庭户（成员、状态、零就业家庭）",
          personal=True),
    Route(WRITE, "/households", "registration", "households:write", "登记家庭户、成员迁入迁出", personal=True),
    Route(READ, "/communities", "registration", "stats:read", "查询充分就业社区认定"),
    Route(WRITE, "/communities", "registration", "households:write", "充分就业社区认定（区级、市级、国家级）"),
    Route(READ, "/employers", "vacancies", "stats:read", "查询用人单位"),
    Route(WRITE, "/employers", "vacancies", "vacancies:write", "登记或变更用人单位"),
    Route(READ, "/vacancies", "vacancies", "stats:read", "查询岗位"),
    Route(WRITE, "/vacancies", "vacancies", "vacancies:write", "发布或变更岗位"),
    Route(READ, "/recruitment-sessions", "vacancies", "stats:read", "查询招聘活动与直播带岗"),
    Route(WRITE, "/recruitment-sessions", "vacancies", "vacancies:write", "安排或更新招聘活动"),
    Route(READ, "/layoffs", "vacancies", "layoffs:read", "查询裁员报告（某单位的或全区的）"),
    Route(WRITE, "/layoffs", "vacancies", "layoffs:write", "报送裁员"),
    Route(READ, "/headcount-reports", "vacancies", "layoffs:read", "查询用工情况报告"),
    Route(WRITE, "/headcount-reports", "vacancies", "layoffs:write", "报送重点企业月度用工情况"),
    Route(READ, "/key-enterprises", "vacancies", "enterprises:read", "查询重点企业、台账与缺工（含重点缺工企业名单）"),
    Route(WRITE, "/key-enterprises", "vacancies", "enterprises:write", "登记重点企业与专员、挂账销号、报告缺工"),
    Route(READ, "/monitored-enterprises", "vacancies", "enterprises:read", "查询失业动态监测企业（含逾期未报月份）"),
    Route(WRITE, "/monitored-enterprises", "vacancies", "enterprises:write", "企业纳入失业动态监测（建档岗位数固定）"),
    Route(READ, "/stations", "matching", "referrals:read", "查询就业红娘站点"),
    Route(WRITE, "/stations", "matching", "referrals:write", "设立或变更站点"),
    Route(READ, "/matchmakers", "matching", "referrals:read", "查询就业红娘"),
    Route(WRITE, "/matchmakers", "matching", "referrals:write", "登记或变更就业红娘"),
    Route(READ, "/cases", "matching", "referrals:read", "查询服务工单"),
    Route(WRITE, "/cases", "matching", "referrals:write", "派发或处理服务工单"),
    Route(READ | WRITE, "/match", "matching", "referrals:read", "人岗匹配打分"),
    Route(READ, "/stats", "monitoring", "stats:read", "统计数据（小于5的人数对局外部门隐藏）"),
    Route(READ, "/warnings", "monitoring", "alerts:read", "查询风险预警"),
    Route(READ, "/programmes", "programmes", "programmes:read", "查询培训、贷款、补贴与支付记录", personal=True),
    Route(WRITE, "/programmes", "programmes", "programmes:write", "登记培训、贷款、补贴与支付", personal=True),
    Route(READ, "/programmes/catalogue", "programmes", "programmes:read", "就业创业项目目录"),
    Route(READ, "/programmes/stats", "programmes", "programmes:read",
          "政策找人享受时长、按学校的大学生实习（汇总，不含个人；少于5人的格子对局外隐藏）"),
    # the 孵化基地 register names businesses, never a person: not audited
    Route(READ, "/programmes/incubators", "programmes", "programmes:read", "查询创业孵化基地"),
    Route(WRITE, "/programmes/incubators", "programmes", "programmes:write", "登记创业孵化基地、升级认定与企业入驻"),
    Route(READ, "/programmes/incubations", "programmes", "programmes:read", "查询孵化基地入驻企业"),
    Route(WRITE, "/programmes/incubations", "programmes", "programmes:write", "登记入驻企业出孵与带动就业"),
)


def find_route(method: str, path: str) -> Route | None:
    """The most specific route for ``method`` and backend ``path`` (``/persons/…``), or None."""
    best: Route | None = None
    for route in ROUTES:
        if (
            method in route.methods
            and (path == route.prefix or path.startswith(route.prefix + "/"))
            and (best is None or len(route.prefix) > len(best.prefix))
        ):
            best = route
    return best


def path_is_known(path: str) -> bool:
    """Whether any route (for any method) owns ``path``: unknown paths are 404, known ones 405."""
    return any(path == r.prefix or path.startswith(r.prefix + "/") for r in ROUTES)


# --- audit ---------------------------------------------------------------------------------------

PERSON_REF = re.compile(r"^[0-9a-f]{64}$")
_WORD = re.compile(r"^[a-z][a-z-]{0,39}$")


def route_template(path: str) -> str:
    """The path with identifiers replaced: ``/persons/{person_ref}/followups/{id}``.

    Only lowercase words survive verbatim; any other segment becomes ``{id}``, so an ID number or a
    name typed into a URL never reaches the audit log or a log line.
    """
    parts = []
    for segment in path.strip("/").split("/"):
        if PERSON_REF.match(segment):
            parts.append("{person_ref}")
        elif _WORD.match(segment):
            parts.append(segment)
        else:
            parts.append("{id}")
    return "/" + "/".join(parts)


def person_ref_in(path: str, body: Any) -> str | None:
    """The person_ref a request was about: from the path, else from the response's top level."""
    for segment in path.strip("/").split("/"):
        if PERSON_REF.match(segment):
            return segment
    if isinstance(body, dict):
        ref = body.get("person_ref")
        if isinstance(ref, str) and PERSON_REF.match(ref):
            return ref
    return None


_HOUSEHOLD_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")


def household_ref_in(path: str, body: Any) -> str | None:
    """The household a request was about: the segment after ``/households/`` in the path, else the
    response's top-level ``household_ref`` (a household just registered)."""
    segments = path.strip("/").split("/")
    if len(segments) >= 2 and segments[0] == "households" and _HOUSEHOLD_REF.match(segments[1]):
        return segments[1]
    if segments[0] == "households" and isinstance(body, dict):
        ref = body.get("household_ref")
        if isinstance(ref, str) and _HOUSEHOLD_REF.match(ref):
            return ref
    return None


# --- small-cell suppression ----------------------------------------------------------------------


def suppress_small_cells(document: Any) -> Any:
    """Hide counts about fewer than 5 people (DOMAIN §6) for clients outside the bureau.

    Monitoring marks such rows with ``"small_cell": true``. On every such object, at any depth,
    each numeric value (the counts and the rates derived from them) and each field derived from them
    (``_DERIVED``: a progress ``status`` or a community's ``below_standard``, which tell whether a rate
    over a handful of people met its target) becomes ``null`` and ``"suppressed": true`` is added;
    labels (strings such as 街镇 codes) stay so the row is still identifiable. Other objects are returned unchanged.
    """
    if isinstance(document, list):
        return [suppress_small_cells(item) for item in document]
    if not isinstance(document, dict):
        return document
    if document.get("small_cell") is True:
        hidden = {k: (None if _is_number(v) or k in _DERIVED else suppress_small_cells(v))
                  for k, v in document.items()}
        hidden["suppressed"] = True
        return hidden
    return {k: suppress_small_cells(v) for k, v in document.items()}


_DERIVED = frozenset({"status", "below_standard"})


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)

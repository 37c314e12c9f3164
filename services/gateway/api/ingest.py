"""Gateway-owned writes: the statistics bureau's survey unemployment rate, Grafana's alert webhook
and acknowledging a warning. Each publishes through the gateway's outbox in the request's unit of
work (``write_router``), so an accepted request always reaches Kafka."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

import orjson
from fastapi import Depends, Header, Path
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from schemas.events.alert import AlertAcknowledged
from schemas.events.statistics import SurveyRateReported
from schemas.ids import EntityId
from schemas.requests import IsoDate, RequestModel
from services.runtime.errors import ProblemError
from services.runtime.http import write_router
from services.runtime.outbox import add_event

from ..auth import Principal
from ..backends import BackendTimeoutError, BackendUnreachableError
from ..components import Components
from ..deps import ComponentsDep, SessionDep, json_body, require
from ..events import (
    GrafanaNotification,
    acknowledged_event,
    alert_id_for,
    alert_state,
    invalid_fields,
    survey_rate_event,
    transition_event,
)
from ..store import AlertTransition, latest_alert_state, transition_seen

router = write_router()


class SurveyRateIn(RequestModel):
    """城镇调查失业率, one month, as published by the statistics bureau."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"period": "2026-10", "rate_percent": 5.1, "published_on": "2026-11-15", "source": "国家统计局天津调查总队"}]})

    period: str = Field(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", description="月份 YYYY-MM")
    rate_percent: float = Field(ge=0, le=100, description="调查失业率（%）")
    published_on: IsoDate = Field(description="发布日期")
    source: str = Field(min_length=1, max_length=100, description="发布机构")


class Accepted(BaseModel):
    event_id: str = Field(description="发布的事件编号")


@router.post("/v1/survey-rates", status_code=202, tags=["统计与预警"], summary="报送城镇调查失业率",
             description="统计调查队报送某月的城镇调查失业率；同一月份再次报送即为更正。所需权限范围：`stats:write`。")
def report_survey_rate(
    _: Annotated[Principal, Depends(require("stats:write"))],  # before the body: no access, no body errors
    _json: Annotated[None, Depends(json_body)], body: SurveyRateIn, session: SessionDep,
) -> Accepted:
    event = survey_rate_event(SurveyRateReported.model_validate_json(body.model_dump_json()))
    add_event(session, event)
    return Accepted(event_id=event.id)


class WebhookResult(BaseModel):
    published: int = Field(description="新发布的预警状态变化数")
    duplicates: int = Field(description="此前已发布、本次忽略的数量")
    ignored: list[dict[str, str]] = Field(description="不符合预警契约而未发布的告警（指纹与原因）")


async def grafana_token(gateway: ComponentsDep, authorization: Annotated[str | None, Header()] = None) -> None:
    """Grafana authenticates with a static bearer token (its webhook contact point's credentials)."""
    expected = gateway.settings.grafana_webhook_token.get_secret_value()
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not secrets.compare_digest(token.encode(), expected.encode()):
        raise ProblemError(401, "invalid_token", "Grafana 回调令牌无效",
                           headers={"WWW-Authenticate": 'Bearer realm="grafana-webhook"'})


@router.post("/v1/hooks/grafana", tags=["统计与预警"], summary="接收 Grafana 告警回调",
             description="Grafana 告警通知（webhook，version 1）。每条告警的触发与恢复各发布一次"
             "（按告警指纹与开始时间去重），重复投递不会重复发布。",
             dependencies=[Depends(grafana_token), Depends(json_body)])
def grafana_webhook(body: GrafanaNotification,
                    session: SessionDep) -> WebhookResult:
    result = WebhookResult(published=0, duplicates=0, ignored=[])
    seen: set[tuple[str, str]] = set()
    for alert in body.alerts:
        alert_id = alert_id_for(alert)
        if (alert_id, alert.status) in seen or transition_seen(session, alert_id, alert.status):
            result.duplicates += 1
            continue
        state = alert_state(alert, latest_alert_state(session, alert_id))
        try:
            event = transition_event(alert, state)
        except ValidationError as exc:
            reason = "标签不符合预警契约：" + invalid_fields(exc)
            result.ignored.append({"fingerprint": alert.fingerprint, "reason": reason})
            continue
        seen.add((alert_id, alert.status))
        session.add(AlertTransition(alert_id=alert_id, status=alert.status, fingerprint=alert.fingerprint,
                                    state=state))
        add_event(session, event)
        result.published += 1
    return result


@router.post("/v1/warnings/{alert_id}/ack", status_code=202, tags=["统计与预警"], summary="确认风险预警",
             description="确认一条正在触发的预警（预警持续到恢复为止）。所需权限范围：`alerts:ack`。",
             responses={404: {"description": "预警不存在"}, 503: {"description": "监测服务暂不可用"}})
async def acknowledge(
    gateway: ComponentsDep, session: SessionDep, _: Annotated[Principal, Depends(require("alerts:ack"))],
    alert_id: Annotated[EntityId, Path(description="预警编号")],
) -> Accepted:
    state = latest_alert_state(session, alert_id) or await _monitored_alert(gateway, alert_id)
    if state is None:
        raise ProblemError(404, "alert_not_found", "预警不存在")
    try:
        event = acknowledged_event(state)
    except ValidationError:
        raise ProblemError(404, "alert_not_found", "预警不存在或状态不完整") from None
    add_event(session, event)
    return Accepted(event_id=event.id)


async def _monitored_alert(gateway: Components, alert_id: str) -> dict[str, Any] | None:
    """An open warning raised by the monitoring service, from its ``GET /warnings`` list."""
    settings = gateway.settings
    try:
        response = await gateway.backends.call("GET", f"{settings.backend_url('monitoring')}/warnings?status=open",
                                               headers={})
    except (BackendTimeoutError, BackendUnreachableError):
        response = None
    if response is None or response.status >= 500:
        raise ProblemError(503, "backend_unavailable", "监测服务暂不可用，请稍后重试",
                           headers={"Retry-After": str(settings.retry_after_s)})
    try:
        warnings = orjson.loads(response.body).get("warnings", []) if response.status == 200 else []
    except (orjson.JSONDecodeError, AttributeError):
        warnings = []
    fields = AlertAcknowledged.model_fields
    for warning in warnings:
        if isinstance(warning, dict) and warning.get("alert_id") == alert_id:
            return {k: v for k, v in warning.items() if k in fields}
    return None

"""Grafana-managed alert rules on the aggregates, the webhook contact point and the notification policy.

The rules complement the warnings the stream processor raises itself: they watch aggregates that
operators may want to tune by hand (thresholds live in Grafana's UI once provisioned; the rules are
pushed without provenance lock so they stay editable). Each rule is: query A on ClickHouse returning
one row per scope — each 街镇, or the district — (string columns become alert labels, the numeric
column the value), expression B taking its value, and expression C, the threshold on B. Firing and
resolved notifications go to the gateway's ``/v1/hooks/grafana``, which turns them into
``alert.raised`` / ``alert.resolved`` events.

Labels follow the gateway's contract (``services/gateway/events.py``): ``signal``, ``level``,
``scope_kind``, ``scope_code`` (the query's string column), ``threshold`` and ``window``; the measured
value is expression B.

Rules are built with grafana-foundation-sdk's alerting builders, whose JSON is the HTTP provisioning
API's shape; ``file_rule`` converts one to the file-provisioning shape (``folderUID``/``ruleGroup``
move to the group, ``orgID`` becomes ``orgId``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from grafana_foundation_sdk.builders import alerting, expr
from grafana_foundation_sdk.models import alerting as alerting_model

from schemas.vocab import AlertLevel, ScopeKind
from services.monitoring.warnings.thresholds import Thresholds, signal_floor, signal_indicator, window_label

from . import sql
from .clickhouse import DATASOURCE_UID, ClickHouseQueryBuilder
from .provisioning import FOLDER_TITLE, FOLDER_UID

RULE_GROUP = "leye-warnings"
RULE_GROUP_INTERVAL = "1m"
CONTACT_POINT_NAME = "乐业西青网关"
CONTACT_POINT_UID = "leye-gateway-webhook"
ENV_GATEWAY_URL = "LEYE_GATEWAY_URL"
ENV_WEBHOOK_TOKEN = "GATEWAY_GRAFANA_WEBHOOK_TOKEN"
"""The same variable the gateway reads, so both ends share one secret without committing it."""
WEBHOOK_PATH = "/v1/hooks/grafana"
EXPRESSION_DATASOURCE_UID = "__expr__"
DAY_S = 86_400


@dataclass(frozen=True)
class AlertRuleSpec:
    """One aggregate-based warning at one level: the SQL (one row per scope: ``scope_code`` + ``value``)
    and the threshold at which it fires (``gte``: at or above; ``lte``: at or below, for signals where
    lower is worse — the ``direction`` of the rule in ``thresholds.yaml``).

    ``signal`` matches the monitoring service's signal code so that a warning from Grafana and one
    from the stream processor about the same thing carry the same label.
    """

    uid: str
    title: str
    signal: str
    level: AlertLevel
    sql: str
    comparison: Literal["gte", "lte"]
    threshold: float
    summary: str
    window: str
    """The period the value covers, as the alert events' ``window`` (e.g. ``7d``)."""
    lookback_s: int = 600
    """How far ``$__fromTime`` lies before now: the start of the period for flow indicators. Stock
    indicators read only ``$__toTime``; Grafana still requires a range (``from`` > ``to``)."""
    pending: str = "5m"
    scope_kind: ScopeKind = ScopeKind.STREET


def build_rule(spec: AlertRuleSpec) -> alerting.Rule:
    """The SDK rule for one spec: A = ClickHouse query, B = its value (reduce, last),
    C = threshold on B (the condition). B is the measured value the gateway reads by default."""
    query = (
        alerting.Query("A")
        .datasource_uid(DATASOURCE_UID)
        .relative_time_range(alerting_model.RelativeTimeRange(from_val=spec.lookback_s, to=0))
        .model(ClickHouseQueryBuilder(spec.sql, ref_id="A"))
    )
    value = (
        alerting.Query("B")
        .datasource_uid(EXPRESSION_DATASOURCE_UID)
        .model(expr.TypeReduce().ref_id("B").expression("A").reducer("last"))
    )
    threshold = (
        alerting.Query("C")
        .datasource_uid(EXPRESSION_DATASOURCE_UID)
        .model(
            expr.TypeThreshold()
            .ref_id("C")
            .expression("B")
            .conditions([
                expr.ExprTypeThresholdConditions().evaluator(
                    expr.ExprTypeThresholdConditionsEvaluator().type(spec.comparison).params([spec.threshold])
                )
            ])
        )
    )
    return (
        alerting.Rule(spec.title)
        .uid(spec.uid)
        .folder_uid(FOLDER_UID)
        .rule_group(RULE_GROUP)
        .org_id(1)
        .condition("C")
        .queries([query, value, threshold])
        .for_val(spec.pending)
        .no_data_state("OK")
        .exec_err_state("Error")
        .labels({
            "service": "leye", "signal": spec.signal, "level": spec.level.value, "scope_kind": spec.scope_kind.value,
            "threshold": _number(spec.threshold), "window": spec.window,
        })
        .annotations({"summary": spec.summary})
    )


def _number(value: float) -> str:
    return f"{value:g}"


def file_rule(api_rule: dict[str, Any]) -> dict[str, Any]:
    """One rule in the file-provisioning shape, from its HTTP-API JSON."""
    moved = {"folderUID", "ruleGroup", "orgID", "id", "updated", "provenance"}
    return {key: value for key, value in api_rule.items() if key not in moved}


def contact_point(gateway_url: str, token: str) -> alerting.ContactPoint:
    """The webhook receiver aimed at the gateway; ``token`` is sent as ``Authorization: Bearer …``."""
    return (
        alerting.ContactPoint()
        .uid(CONTACT_POINT_UID)
        .name(CONTACT_POINT_NAME)
        .type("webhook")
        .disable_resolve_message(False)
        .settings({
            "url": gateway_url.rstrip("/") + WEBHOOK_PATH,
            "httpMethod": "POST",
            "authorization_scheme": "Bearer",
            "authorization_credentials": token,
        })
    )


def notification_policy() -> alerting.NotificationPolicy:
    """Root policy: every alert goes to the gateway, grouped per rule and scope."""
    return (
        alerting.NotificationPolicy()
        .receiver(CONTACT_POINT_NAME)
        .group_by(["alertname", "grafana_folder", "scope_code"])
        .group_wait("30s")
        .group_interval("5m")
        .repeat_interval("4h")
    )


def alerting_provisioning(rules: list[dict[str, Any]], contact: dict[str, Any],
                          policy: dict[str, Any]) -> dict[str, Any]:
    """The whole ``provisioning/alerting/leye.yaml`` document from API-shaped JSON."""
    return {
        "apiVersion": 1,
        "groups": [
            {
                "folder": FOLDER_TITLE,
                "interval": RULE_GROUP_INTERVAL,
                "name": RULE_GROUP,
                "orgId": 1,
                "rules": [file_rule(rule) for rule in rules],
            }
        ],
        "contactPoints": [
            {
                "name": contact["name"],
                "orgId": 1,
                "receivers": [
                    {
                        "disableResolveMessage": contact.get("disableResolveMessage", False),
                        "settings": contact["settings"],
                        "type": contact["type"],
                        "uid": contact["uid"],
                    }
                ],
            }
        ],
        "policies": [{"orgId": 1, **policy}],
    }


# --- the rules of the wall ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Watched:
    """A signal of ``thresholds.yaml`` that Grafana watches too, in one kind of scope."""

    signal: str
    scope_kind: ScopeKind
    title: str
    summary: str
    """Chinese; ``{t}`` is the level's threshold."""
    lookback_s: int = 600


_WATCHED = (
    _Watched("registration_surge", ScopeKind.STREET, "失业登记激增", "近7日失业登记达到前28日周均的{t}倍以上",
             lookback_s=6 * DAY_S),
    _Watched("job_loss_rate", ScopeKind.STREET, "岗位流失率", "监测企业岗位流失率达到{t}%以上"),
    _Watched("job_loss_rate", ScopeKind.INDUSTRY, "行业岗位流失率", "某行业监测企业岗位流失率达到{t}%以上"),
    _Watched("vacancy_ratio", ScopeKind.STREET, "求人倍率偏低", "求人倍率（在招岗位数/求职人数）降至{t}及以下"),
    _Watched("vacancy_ratio", ScopeKind.DISTRICT, "全区求人倍率偏低",
             "全区求人倍率（在招岗位数/求职人数）降至{t}及以下"),
    _Watched("long_term_unemployment", ScopeKind.STREET, "长期失业人员占比偏高",
             "失业6个月以上人员占登记失业人员的比例达到{t}%以上"),
    _Watched("survey_rate", ScopeKind.DISTRICT, "城镇调查失业率偏高", "城镇调查失业率达到{t}%以上（控制目标≤5.5%）"),
)


def wall_rules(thresholds: Thresholds) -> list[AlertRuleSpec]:
    """One rule per watched signal, scope kind and level, from ``thresholds.yaml``: the same
    indicator, levels, direction (``gte`` / ``lte``) and floor (only scopes whose base reaches the
    rule's ``min_…``) as the stream's own warnings, so both agree on when a level is reached.
    Grafana has no hysteresis here: a rule resolves as soon as its value is back across the threshold.

    Watched: 失业登记激增, 岗位流失率 and 长期失业人员占比 per 街镇 (岗位流失率 per industry too); 求人倍率 per
    街镇 and for the district;
    城镇调查失业率 for the district. Mass layoffs and 红娘 SLA are left to the stream, which warns on them
    within a second of the event.
    """
    specs: list[AlertRuleSpec] = []
    for watched in _WATCHED:
        signal, rule = watched.signal, thresholds.rule(watched.signal)
        code, floor = signal_indicator(signal), signal_floor(signal, thresholds)
        kind = watched.scope_kind
        if kind is ScopeKind.DISTRICT:
            query = sql.district_rule(code, floor=floor)
        elif kind is ScopeKind.INDUSTRY:
            assert floor is None, "a floor per industry is not modelled"
            query = sql.per_industry_rule(code)
        else:
            query = sql.per_street_rule(code, floor=floor)
        for level, threshold in sorted(rule.levels.items(), key=lambda item: item[0].severity):
            slug = signal.replace("_", "-") + ("" if kind is ScopeKind.STREET else f"-{kind.value}")
            specs.append(AlertRuleSpec(
                uid=f"leye-{slug}-{level.value}", title=f"{watched.title}（{level.label}）", signal=signal,
                level=level, comparison="gte" if rule.direction == "above" else "lte", threshold=threshold,
                window=window_label(signal, thresholds), sql=query, lookback_s=watched.lookback_s,
                summary=watched.summary.format(t=_number(threshold)), scope_kind=watched.scope_kind,
            ))
    return specs

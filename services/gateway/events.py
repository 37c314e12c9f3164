"""Events the gateway publishes, built from what it receives.

Grafana alerts become ``alert.raised`` / ``alert.resolved`` on ``leye.alert``. Grafana knows nothing of
our contract, so the alert rule carries it in its labels (the monitoring service provisions rules
this way; operators writing rules by hand follow the same convention):

==============  =============================================================  ===================
label           meaning                                                        default
==============  =============================================================  ===================
``level``       yellow / orange / red (or severity: warning, major, critical)  yellow
``scope_kind``  district / street / industry                                   district
``scope_code``  120111, a 街镇 code, or a GB/T 4754 section or division          120111
``signal``      the rule's machine name                                        from ``alertname``
``threshold``   the threshold the rule compares with                           0
``window``      the period the value covers, e.g. ``30d``                       1h
``value_ref``   which query/expression's value is the measured value             B, else the first
==============  =============================================================  ===================

``alert_id`` is ``grafana-<fingerprint>-<startsAt as Unix seconds>``: one firing episode of one
alert series, the same id for its raising and its resolution.
"""

from __future__ import annotations

import re
from typing import Any

import orjson
from pydantic import ConfigDict, Field, ValidationError

from schemas import CloudEvent, new_event
from schemas.events.alert import AlertAcknowledged, AlertRaised, AlertResolved
from schemas.events.statistics import SurveyRateReported
from schemas.reference import DISTRICT_CODE
from schemas.requests import IsoDatetime, RequestModel

SOURCE = "/services/gateway"
_SEVERITY = {"yellow": "yellow", "orange": "orange", "red": "red", "warning": "yellow", "minor": "yellow",
             "major": "orange", "high": "orange", "critical": "red"}


class GrafanaAlert(RequestModel):
    """One alert of a Grafana webhook notification (only the fields the gateway reads are checked)."""

    model_config = ConfigDict(extra="allow")

    status: str = Field(pattern="^(firing|resolved)$")
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    startsAt: IsoDatetime  # noqa: N815 - Grafana's field name
    endsAt: IsoDatetime | None = None  # noqa: N815
    fingerprint: str = Field(pattern=r"^[0-9a-f]{1,32}$")
    values: dict[str, float | None] | None = None


class GrafanaNotification(RequestModel):
    """Grafana's webhook payload (``version`` "1"): several alerts, each firing or resolved."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={"examples": [{
            "receiver": "leye-gateway", "status": "firing", "orgId": 1, "version": "1",
            "groupKey": "{}:{alertname=\"岗位流失率\"}", "truncatedAlerts": 0,
            "alerts": [{
                "status": "firing", "fingerprint": "c6eadffa33fcdf37",
                "labels": {"alertname": "岗位流失率", "signal": "job_loss_rate", "level": "orange",
                           "scope_kind": "street", "scope_code": "120111001", "threshold": "0.1",
                           "window": "30d"},
                "annotations": {"summary": "张家窝镇重点企业岗位流失率超过10%"},
                "startsAt": "2026-11-20T09:51:03+08:00", "endsAt": "0001-01-01T00:00:00Z",
                "values": {"B": 0.134, "C": 1},
            }],
        }]},
    )

    status: str = Field(pattern="^(firing|resolved)$")
    alerts: list[GrafanaAlert] = Field(max_length=1000)


def alert_id_for(alert: GrafanaAlert) -> str:
    return f"grafana-{alert.fingerprint}-{int(alert.startsAt.timestamp())}"


def alert_state(alert: GrafanaAlert, previous: dict[str, Any] | None) -> dict[str, Any]:
    """The contract fields of one Grafana alert (validated when the event is built).

    A resolved notification often has no values; the firing state's value is kept then.
    """
    labels = alert.labels
    scope_kind = labels.get("scope_kind", "district")
    value = _measured_value(alert)
    if value is None:
        value = previous["value"] if previous else 0.0
    return {
        "alert_id": alert_id_for(alert),
        "level": _SEVERITY.get(labels.get("level", labels.get("severity", "")).lower(), "yellow"),
        "scope_kind": scope_kind,
        "scope_code": labels.get("scope_code", DISTRICT_CODE if scope_kind == "district" else ""),
        "signal": labels.get("signal") or _machine_name(labels.get("alertname", "")),
        "value": value,
        "threshold": _number(labels.get("threshold", alert.annotations.get("threshold"))) or 0.0,
        "window": labels.get("window", "1h"),
        "source": "grafana",
        "fingerprint": alert.fingerprint,
    }


def transition_event(alert: GrafanaAlert, state: dict[str, Any]) -> CloudEvent[Any]:
    """``alert.raised`` or ``alert.resolved``; raises ``ValidationError`` when the labels break the contract."""
    model = AlertRaised if alert.status == "firing" else AlertResolved
    return new_event(model.model_validate_json(orjson.dumps(state)), source=SOURCE)


def acknowledged_event(state: dict[str, Any]) -> CloudEvent[Any]:
    return new_event(AlertAcknowledged.model_validate_json(orjson.dumps(state)), source=SOURCE)


def survey_rate_event(data: SurveyRateReported) -> CloudEvent[Any]:
    return new_event(data, source=SOURCE)


def invalid_fields(exc: ValidationError) -> str:
    """Which fields broke the contract, never their values."""
    return ", ".join(".".join(map(str, e["loc"])) or "(alert)" for e in exc.errors(include_input=False))


def _measured_value(alert: GrafanaAlert) -> float | None:
    values = {k: v for k, v in (alert.values or {}).items() if v is not None}
    if not values:
        return None
    ref = alert.labels.get("value_ref", "B")
    return values.get(ref, values[sorted(values)[0]])


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def _machine_name(alertname: str) -> str:
    name = re.sub(r"[^a-z0-9]+", "_", alertname.lower()).strip("_")
    return name if name and name[0].isalpha() else "grafana_rule"

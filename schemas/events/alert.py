"""Early-warning events (规模性失业风险预警) on ``leye.alert`` (subject and key: ``alert_id``).

Raised by the monitoring service's own rules or by Grafana rules (through the gateway's webhook).
Every event carries the full alert state, so a consumer that sees only the latest event still knows
scope, level, value, threshold and window.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Self

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from schemas.events.base import EventData
from schemas.ids import EntityId
from schemas.reference import DISTRICT_CODE, DIVISION_SECTION, INDUSTRY_SECTIONS, STREETS
from schemas.vocab import AlertLevel, AlertSource, ScopeKind


def _scope_code_valid(kind: ScopeKind, code: str) -> bool:
    if kind is ScopeKind.DISTRICT:
        return code == DISTRICT_CODE
    if kind is ScopeKind.STREET:
        return code in STREETS
    return code in INDUSTRY_SECTIONS or code in DIVISION_SECTION


class _AlertState(EventData):
    """The state of one alert.

    - ``scope_kind`` / ``scope_code``: ``district`` with "120111", ``street`` with a 街镇 code, or
      ``industry`` with a GB/T 4754 section letter or division code.
    - ``signal``: the rule's machine name: ``mass_layoff``, ``registration_surge``, ``job_loss_rate``,
      ``sla_breach``, ``vacancy_ratio``, ``long_term_unemployment``, ``survey_rate`` or
      ``enterprise_issue_overdue`` (the rules of the monitoring service's ``thresholds.yaml``),
      ``headcount_report_overdue`` (the vacancies service: a monitored enterprise's monthly reports
      overdue, in its 街镇), a 资金监管 rule of the
      programmes service (``funds_…``, source ``funds``), or the name of an operator's Grafana rule.
    - ``value`` / ``threshold``: the measured value and the threshold it crossed, in the signal's unit.
    - ``window``: the period the value covers, a Grafana/Prometheus duration such as ``30d`` or ``1h``.
    - ``fingerprint``: Grafana's alert fingerprint, when the alert came from Grafana.
    - ``summary``: what was found, in Chinese, for people (the 资金监管 flags name the rule broken here;
      ``signal`` is its stable code).
    - ``subject_ref``: the record the alert is about, when it is about one (a 资金监管 flag names the
      grant or payment; never a person).
    """

    topic: ClassVar[str] = "leye.alert"
    subject_field: ClassVar[str] = "alert_id"

    alert_id: EntityId
    level: AlertLevel
    scope_kind: ScopeKind
    scope_code: Annotated[str, Field(min_length=1, max_length=9)]
    signal: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
    value: float
    threshold: float
    window: Annotated[str, Field(pattern=r"^[1-9][0-9]*(s|m|h|d|w|y)$")]
    source: AlertSource
    fingerprint: Annotated[str, Field(pattern=r"^[0-9a-f]{1,64}$")] | None = None
    summary: Annotated[str, Field(min_length=1, max_length=300)] | None = None
    subject_ref: EntityId | None = None

    @model_validator(mode="after")
    def _check(self) -> Self:
        if not _scope_code_valid(self.scope_kind, self.scope_code):
            raise PydanticCustomError("scope_code", "预警范围代码与范围类型不符")
        return self


class AlertRaised(_AlertState):
    """A warning started."""

    event_type: ClassVar[str] = "cn.xiqing.leye.alert.raised.v1"


class AlertUpdated(_AlertState):
    """A firing warning changed level or value."""

    event_type: ClassVar[str] = "cn.xiqing.leye.alert.updated.v1"


class AlertAcknowledged(_AlertState):
    """An operator acknowledged a firing warning (it keeps firing until resolved)."""

    event_type: ClassVar[str] = "cn.xiqing.leye.alert.acknowledged.v1"


class AlertResolved(_AlertState):
    """The signal fell back below the threshold; ``value`` is the value at resolution."""

    event_type: ClassVar[str] = "cn.xiqing.leye.alert.resolved.v1"


EVENTS: tuple[type[EventData], ...] = (AlertRaised, AlertUpdated, AlertAcknowledged, AlertResolved)

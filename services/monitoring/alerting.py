"""Early warnings computed in the stream (规模性失业风险预警, DOMAIN.md §7).

A warning is about one *signal* in one *scope*: ``mass_layoff`` per 街镇 and per industry,
``registration_surge``, ``job_loss_rate`` and ``sla_breach`` per 街镇. Each signal's value is an
indicator of ``indicators.py`` over a window ending today (Asia/Shanghai), so the wall, the API and
the warnings agree. Levels and hysteresis: ``thresholds.yaml``.

Life cycle, per scope: raised once (``alert.raised``), updated when its level changes
(``alert.updated``), resolved when the value falls below the hysteresis band (``alert.resolved``).
Each change is published to ``leye.alert`` (waiting for the broker's ack) and then written to the
``alerts`` table; the open warnings are rebuilt from that table at start-up, so a restart neither
forgets nor re-raises them.

When: the worker marks the scopes a batch touched; :meth:`Warnings.evaluate_touched` runs every
second, and :meth:`Warnings.evaluate_all` at start-up and every minute, which also resolves warnings
whose window has passed and covers scopes touched just before a crash. Mass layoffs are evaluated
on every run (they warn within about a second of being ingested); the other signals, which move
slowly, share ClickHouse with ingestion: under heavy load their evaluation takes at most
``evaluation_share`` of the time, so warnings never starve the writes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import uuid_utils
import yaml
from pydantic import BaseModel, ConfigDict

from schemas import CloudEvent, new_event
from schemas.events import layoff, referral, registration
from schemas.events.alert import AlertRaised, AlertResolved, AlertUpdated
from schemas.fields import SHANGHAI
from schemas.reference import STREETS
from schemas.vocab import AlertLevel, AlertSource, ScopeKind

from .indicators import BY_CODE
from .rows import alert_row
from .store import Store

log = logging.getLogger(__name__)
SOURCE = "/services/monitoring"
Publish = Callable[[CloudEvent], Awaitable[None]]


# --- thresholds ------------------------------------------------------------------------------------


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    levels: dict[AlertLevel, float]
    window_days: int = 7


class _MassLayoffRule(_Rule):
    short_notice_level: AlertLevel = AlertLevel.ORANGE


class _SurgeRule(_Rule):
    min_registrations: int = 10


class _Rules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    mass_layoff: _MassLayoffRule
    registration_surge: _SurgeRule
    job_loss_rate: _Rule
    sla_breach: _Rule


class Thresholds(BaseModel):
    """The contents of ``thresholds.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    hysteresis: float
    rules: _Rules

    @classmethod
    def load(cls, path: Path) -> Thresholds:
        return cls.model_validate(yaml.safe_load(path.read_text("utf-8")))


# --- the level rule (pure) ----------------------------------------------------------------------------


def next_level(value: float | None, current: AlertLevel | None, levels: dict[AlertLevel, float],
               hysteresis: float) -> AlertLevel | None:
    """The level a warning should have now, given its value and its current level.

    Up at once: the highest level whose threshold the value reaches. Down only below the band: a
    firing level is kept while ``value >= hysteresis × its threshold``; below that, the highest lower
    level still inside its own band, or ``None`` (resolved).
    """
    if value is None:
        return None if current is None else _keep_within_band(0.0, current, levels, hysteresis)
    reached = [level for level in AlertLevel if level in levels and value >= levels[level]]
    raw = max(reached, key=lambda level: level.severity, default=None)
    if current is None or (raw is not None and raw.severity >= current.severity):
        return raw
    return _keep_within_band(value, current, levels, hysteresis)


def _keep_within_band(value: float, current: AlertLevel, levels: dict[AlertLevel, float],
                      hysteresis: float) -> AlertLevel | None:
    inside = [level for level in AlertLevel
              if level in levels and level.severity <= current.severity and value >= levels[level] * hysteresis]
    return max(inside, key=lambda level: level.severity, default=None)


# --- the engine ----------------------------------------------------------------------------------------

Scope = tuple[str, ScopeKind, str]  # (signal, scope kind, scope code)


@dataclass
class OpenAlert:
    alert_id: str
    level: AlertLevel


@dataclass(frozen=True)
class Reading:
    """A signal's value in one scope, the level it calls for, the threshold of that level, the window."""

    value: float | None
    level: AlertLevel | None
    threshold: float
    window: str


def touched_scopes(events: Iterable[CloudEvent]) -> set[Scope]:
    """The scopes whose warnings a batch of events may change (pure)."""
    scopes: set[Scope] = set()
    for event in events:
        data = event.data
        if isinstance(data, layoff.LayoffReported) and data.is_mass_layoff:
            scopes.add(("mass_layoff", ScopeKind.STREET, data.street_code))
            scopes.add(("mass_layoff", ScopeKind.INDUSTRY, str(data.industry.section)))
        elif isinstance(data, layoff.HeadcountReported):
            scopes.add(("job_loss_rate", ScopeKind.STREET, data.street_code))
        elif isinstance(data, registration.UnemploymentRegistered):
            scopes.add(("registration_surge", ScopeKind.STREET, data.street_code))
        elif isinstance(data, referral.CaseDispatched | referral.CaseSlaBreached):
            scopes.add(("sla_breach", ScopeKind.STREET, data.street_code))
    return scopes


class Warnings:
    """Evaluates scopes and publishes the changes. Not thread-safe: call from the worker's loop."""

    def __init__(self, store: Store, thresholds: Thresholds, publish: Publish, *, evaluation_share: float = 0.2,
                 today: Callable[[], date] = lambda: datetime.now(SHANGHAI).date()) -> None:
        self.store, self.thresholds, self.publish, self.today = store, thresholds, publish, today
        self.evaluation_share = evaluation_share
        self.open: dict[Scope, OpenAlert] = {}
        self.pending: set[Scope] = set()
        self._slow_signals_due = 0.0  # time.monotonic() before which slow signals wait

    async def restore(self) -> None:
        """Rebuild the open warnings from the ``alerts`` table (latest row per alert)."""
        rows = await self.store.call(self.store.rows_sync, """
            SELECT alert_id, argMax(status, (event_time, event_id)), argMax(level, (event_time, event_id)),
                   any(signal), any(scope_kind), any(scope_code)
            FROM alerts FINAL WHERE source = 'monitor' GROUP BY alert_id""")
        self.open = {(signal, ScopeKind(kind), code): OpenAlert(alert_id, AlertLevel(level))
                     for alert_id, status, level, signal, kind, code in rows if status == "open"}

    def touch(self, events: Sequence[CloudEvent]) -> None:
        self.pending |= touched_scopes(events)

    async def evaluate_touched(self) -> None:
        urgent = {scope for scope in self.pending if scope[0] == "mass_layoff"}
        if time.monotonic() < self._slow_signals_due:
            self.pending -= urgent
            await self._evaluate(urgent)
            return
        scopes, self.pending = self.pending, set()
        started = time.monotonic()
        await self._evaluate(scopes)
        took = time.monotonic() - started
        self._slow_signals_due = time.monotonic() + took * (1 / self.evaluation_share - 1)

    async def evaluate_all(self) -> None:
        scopes: set[Scope] = set(self.open)
        for street in STREETS:
            for signal in ("mass_layoff", "registration_surge", "job_loss_rate", "sla_breach"):
                scopes.add((signal, ScopeKind.STREET, street))
        industries = await self.store.call(self.store.rows_sync, """
            SELECT DISTINCT industry_section FROM layoff_facts FINAL
            WHERE is_mass_layoff = 1 AND day >= {since:Date}""",
            {"since": self.today() - timedelta(days=self.thresholds.rules.mass_layoff.window_days)})
        scopes |= {("mass_layoff", ScopeKind.INDUSTRY, section) for (section,) in industries}
        await self._evaluate(scopes)

    async def _evaluate(self, scopes: Iterable[Scope]) -> None:
        for scope in sorted(scopes):
            current = self.open.get(scope)
            reading = await self.read(scope, current.level if current else None)
            await self._apply(scope, current, reading)

    async def read(self, scope: Scope, current: AlertLevel | None) -> Reading:
        """Measure one scope's signal and decide its level."""
        signal, kind, code = scope
        rules, today = self.thresholds.rules, self.today()
        filters = {"street": code} if kind is ScopeKind.STREET else {"industry": code}
        value = await self._indicator(signal_indicator(signal), today, filters, signal)
        if signal == "mass_layoff":
            rule = rules.mass_layoff
            by_size = next_level(value or None, current, rule.levels, self.thresholds.hysteresis)
            level = by_size
            if by_size is not None and rule.short_notice_level.severity > by_size.severity:
                short = await self._indicator("short_notice_layoffs", today, filters, signal)
                if short:
                    level = rule.short_notice_level
            reading = self._reading(value, by_size, rule.levels, f"{rule.window_days}d")
            return Reading(reading.value, level, reading.threshold, reading.window)
        if signal == "registration_surge":
            recent = await self._indicator("unemployment_registrations", today, filters, "surge_count")
            if (recent or 0) < rules.registration_surge.min_registrations:
                value = None if current is None else 0.0
            rule = rules.registration_surge
            return self._reading(value, next_level(value, current, rule.levels, self.thresholds.hysteresis),
                                 rule.levels, "7d")
        rule = rules.job_loss_rate if signal == "job_loss_rate" else rules.sla_breach
        window = "30d" if signal == "job_loss_rate" else f"{rule.window_days}d"
        return self._reading(value, next_level(value, current, rule.levels, self.thresholds.hysteresis),
                             rule.levels, window)

    def _window_start(self, signal: str, today: date) -> date:
        rules = self.thresholds.rules
        days = {"mass_layoff": rules.mass_layoff.window_days, "sla_breach": rules.sla_breach.window_days,
                "surge_count": 7}.get(signal, 1)
        return today - timedelta(days=days - 1)

    async def _indicator(self, code: str, today: date, filters: dict[str, str], signal: str) -> float | None:
        value, _ = await self.store.call(self.store.indicator_sync, BY_CODE[code],
                                         self._window_start(signal, today), today, **filters)
        return value

    @staticmethod
    def _reading(  # the threshold shown is that of the level the value itself reached
value: float | None, level: AlertLevel | None, levels: dict[AlertLevel, float],
                 window: str) -> Reading:
        shown = level or AlertLevel.YELLOW
        return Reading(value, level, levels.get(shown, 0.0), window)

    async def _apply(self, scope: Scope, current: OpenAlert | None, reading: Reading) -> None:
        if current is None and reading.level is None:
            return
        if current is not None and reading.level == current.level:
            return
        alert_id = current.alert_id if current else str(uuid_utils.uuid7())
        if current is None:
            model: type[AlertRaised | AlertUpdated | AlertResolved] = AlertRaised
        elif reading.level is None:
            model = AlertResolved
        else:
            model = AlertUpdated
        signal, kind, code = scope
        event = new_event(model(
            alert_id=alert_id, level=reading.level or current.level,  # type: ignore[union-attr]
            scope_kind=kind, scope_code=code, signal=signal, value=round(reading.value or 0.0, 4),
            threshold=reading.threshold, window=reading.window, source=AlertSource.MONITOR,
        ), source=SOURCE)
        await self.publish(event)
        await self.store.call(self.store.insert_sync, "alerts", [alert_row(event)])
        log.warning("warning changed", extra={"alert_id": alert_id, "type": event.type, "signal": signal,
                                              "scope": f"{kind}:{code}", "level": str(event.data.level)})
        if reading.level is None:
            self.open.pop(scope, None)
        else:
            self.open[scope] = OpenAlert(alert_id, reading.level)


def signal_indicator(signal: str) -> str:
    """The indicator code whose value is the signal's value."""
    return {"mass_layoff": "mass_layoff_cuts", "registration_surge": "registration_surge_ratio",
            "job_loss_rate": "job_loss_rate", "sla_breach": "sla_breach_rate"}[signal]

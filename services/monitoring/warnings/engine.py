"""Early warnings computed in the stream (规模性失业风险预警, DOMAIN.md §7).

A warning is about one *signal* in one *scope*; its value is an indicator of ``indicators/`` over a
window ending today (Asia/Shanghai), so the wall, the API and the warnings agree:

==============================  ================  ===============================  ======================
signal                          scopes            value (indicator)                warns when the value
==============================  ================  ===============================  ======================
``mass_layoff``                 街镇, industry    ``mass_layoff_cuts``             rises
``registration_surge``          街镇              ``registration_surge_ratio``     rises
``job_loss_rate``               街镇, industry    ``job_loss_rate``                rises
``sla_breach``                  街镇              ``sla_breach_rate``              rises
``vacancy_ratio``               街镇, district    ``vacancy_ratio`` (求人倍率)     falls
``long_term_unemployment``      街镇              ``long_term_unemployed_share``   rises
``survey_rate``                 district          ``survey_unemployment_rate``     rises towards 5.5 %
``enterprise_issue_overdue``    街镇              ``enterprise_issues_overdue``    rises
==============================  ================  ===============================  ======================

Levels, direction, hysteresis and the small-number floors: ``thresholds.yaml`` (model: ``thresholds.py``).

Life cycle, per scope: raised once (``alert.raised``), updated when its level changes
(``alert.updated``), resolved when the value leaves the hysteresis band (``alert.resolved``).
Each change is first *recorded* (the worker's ``record`` is ``WarningLedger.record``: the warning's
SQL row and its outbox event in one transaction; the outbox relay publishes it to ``leye.alert``,
with back-off while the broker is away), so a broker error never reaches the engine and no change
is lost; each is sent once (once more only if the relay crashes between the broker's ack and
marking the row sent, as with every outbox). Then its row goes straight into ClickHouse's ``alerts`` table, so the wall
and ``/warnings`` show it at once, broker or not; ingesting it again from ``leye.alert`` is
harmless (deduplicated on the event id), and repairs a direct insert that failed. The open
warnings are restored at start-up from the SQL rows (``load_open``), so a restart neither forgets
nor re-raises them.

When: the worker marks the scopes a batch touched; :meth:`Warnings.evaluate_touched` runs every
second, and :meth:`Warnings.evaluate_all` at start-up and every minute. The full run also resolves
warnings whose window has passed, catches what time alone changes (people crossing the 6-month
line) and scopes an event cannot name (a closed posting carries no 街镇), and covers scopes touched
just before a crash. Mass layoffs are evaluated on every run (they warn within about a second of
being ingested); the other signals, which move slowly, share ClickHouse with ingestion: their
evaluation, the full run's included, takes at most ``evaluation_share`` of the time, in slices of
at most ``SLICE_S`` seconds (oldest scope first), so warnings never starve the writes: a batch waits
for one query at most, not for a whole evaluation. A slow signal whose indicator has a grouped form
(all but the SLA breach share) is read for all 12 街镇 in one query (``Store.indicator_by_street_sync``)
and that reading serves the other 街镇 for ``BY_STREET_FRESH_S`` seconds: a slow signal may be a few
seconds late, never wrong. The indicators read the aggregated state (docs/MONITORING.md), so an
evaluation costs what its windows cost (a month of daily rows and a row per month for the stocks),
not the whole history; the SLA breach share reads the cases of its 7-day window.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import uuid_utils

from schemas import CloudEvent
from schemas.fields import SHANGHAI
from schemas.reference import DISTRICT_CODE, STREETS
from schemas.vocab import AlertLevel, ScopeKind
from services.runtime.metrics import WARNING_EVALUATIONS

from ..events import alert_change
from ..indicators.catalogue import BY_CODE
from ..ingest.rows import alert_row
from ..store import Store
from .levels import Reading, next_level
from .thresholds import (
    DISTRICT_SIGNALS,
    STREET_SIGNALS,
    Scope,
    Thresholds,
    signal_floor,
    signal_indicator,
    window_days,
    window_label,
)

log = logging.getLogger(__name__)
Record = Callable[[CloudEvent], Awaitable[None]]
"""Records one change durably for publication (``WarningLedger.record``); raises
:class:`NotRecordedError` when it could not."""
LoadOpen = Callable[[], Awaitable[dict[tuple[str, ScopeKind, str], "OpenAlert"]]]


class NotRecordedError(Exception):
    """A change could not be recorded (the database is away): it was not, and will not be, published."""


class WarningConflictError(NotRecordedError):
    """The stored warning is not in the state the engine believed (another worker changed it)."""


# --- the engine ----------------------------------------------------------------------------------------

ALERTS_IN_CLICKHOUSE = """
    SELECT alert_id, argMax(status, k), argMax(level, k), any(signal), any(scope_kind), any(scope_code),
           argMax(value, k), argMax(threshold, k), argMax(window, k), min(event_time), max(event_time),
           argMax(event_id, k)
    FROM (SELECT *, (event_time, event_id) AS k FROM alerts FINAL WHERE source = 'monitor')
    GROUP BY alert_id"""
"""The monitoring rules' warnings as ClickHouse's ``alerts`` table has them, the latest state of each."""
SLICE_S = 0.25  # longest run of slow-signal queries before ingestion gets the ClickHouse thread back
BY_STREET_FRESH_S = 5.0  # how long one all-街镇 reading of a stock indicator serves the other 街镇


@dataclass
class OpenAlert:
    alert_id: str
    level: AlertLevel


def _filters(kind: ScopeKind, code: str) -> dict[str, str]:
    if kind is ScopeKind.STREET:
        return {"street": code}
    if kind is ScopeKind.INDUSTRY:
        return {"industry": code}
    return {}


class Warnings:
    """Evaluates scopes and records the changes. Not thread-safe: call from the worker's loop.

    ``load_open`` gives the open warnings at start-up (the worker: ``WarningLedger.open_warnings``);
    without it they are read back from ClickHouse's ``alerts`` table, which is all a stand-in store
    offers.
    """

    def __init__(self, store: Store, thresholds: Thresholds, record: Record, *, evaluation_share: float = 0.2,
                 by_street_fresh_s: float = BY_STREET_FRESH_S, load_open: LoadOpen | None = None,
                 today: Callable[[], date] = lambda: datetime.now(SHANGHAI).date()) -> None:
        self.store, self.thresholds, self.record, self.today = store, thresholds, record, today
        self.load_open = load_open
        self.evaluation_share = evaluation_share
        self.open: dict[Scope, OpenAlert] = {}
        self.pending: dict[Scope, None] = {}  # scopes to re-evaluate, oldest first (an ordered set)
        self.by_street_fresh_s = by_street_fresh_s
        self._by_street: dict[tuple[str, date, date], tuple[float, dict[str, tuple[float | None, int | None]]]] = {}
        self._slow_signals_due = 0.0  # time.monotonic() before which slow signals wait
        # Scopes whose change could not be recorded: pending again from the next run on (not at once,
        # which would spin while the database is away).
        self._retry: dict[Scope, None] = {}

    async def restore(self) -> None:
        """Rebuild the open warnings: from ``load_open``, else from the ``alerts`` table."""
        if self.load_open is not None:
            self.open = await self.load_open()
            return
        rows = await self.store.call(self.store.rows_sync, ALERTS_IN_CLICKHOUSE)
        self.open = {(signal, ScopeKind(kind), code): OpenAlert(alert_id, AlertLevel(level))
                     for alert_id, status, level, signal, kind, code, *_ in rows if status == "open"}

    def touch(self, scopes: Iterable[tuple[str, str, str]]) -> None:
        """Mark scopes for evaluation (what :func:`touched_scopes` found in a batch; the kind may
        come as its value)."""
        self.pending.update(dict.fromkeys((signal, ScopeKind(kind), code) for signal, kind, code in scopes))

    async def evaluate_touched(self) -> None:
        self.pending.update(self._retry)
        self._retry.clear()
        urgent = [scope for scope in self.pending if scope[0] == "mass_layoff"]
        for scope in urgent:
            del self.pending[scope]
        await self._evaluate(urgent)
        if time.monotonic() < self._slow_signals_due:
            return
        started = time.monotonic()
        while self.pending and (self.evaluation_share >= 1 or time.monotonic() - started < SLICE_S):
            scope = next(iter(self.pending))  # the longest pending: re-touched scopes keep their place
            del self.pending[scope]
            await self._evaluate([scope])
        took = time.monotonic() - started
        self._slow_signals_due = time.monotonic() + took * (1 / self.evaluation_share - 1)

    async def evaluate_all(self) -> None:
        """Every scope: the open warnings', each 街镇's and the district's, the industries with recent
        mass layoffs and those with monitored enterprises (岗位流失率 per 行业). Mass layoffs are
        evaluated at once; the slow signals join the pending scopes and go through
        :meth:`evaluate_touched`'s throttle, so a full evaluation too stays within ``evaluation_share`` of
        ClickHouse's time."""
        scopes: set[Scope] = set(self.open)
        scopes |= {(signal, ScopeKind.STREET, street) for street in STREETS for signal in STREET_SIGNALS}
        scopes |= {(signal, ScopeKind.DISTRICT, DISTRICT_CODE) for signal in DISTRICT_SIGNALS}
        industries = await self.store.call(self.store.rows_sync, """
            SELECT DISTINCT industry_section FROM layoff_facts FINAL
            WHERE is_mass_layoff = 1 AND day >= {since:Date}""",
            {"since": self.today() - timedelta(days=self.thresholds.rules.mass_layoff.window_days - 1)})
        scopes |= {("mass_layoff", ScopeKind.INDUSTRY, section) for (section,) in industries}
        # a few hundred enterprises' monthly reports: small at any history
        monitored = await self.store.call(self.store.rows_sync,
                                          "SELECT DISTINCT industry_section FROM headcount_facts")
        scopes |= {("job_loss_rate", ScopeKind.INDUSTRY, section) for (section,) in monitored}
        self.pending.update(dict.fromkeys(sorted(scopes)))
        await self.evaluate_touched()
        WARNING_EVALUATIONS.inc()

    async def _evaluate(self, scopes: Iterable[Scope]) -> None:
        for scope in sorted(scopes):
            current = self.open.get(scope)
            reading = await self.read(scope, current.level if current else None)
            await self._apply(scope, current, reading)

    async def read(self, scope: Scope, current: AlertLevel | None) -> Reading:
        """Measure one scope's signal and decide its level."""
        signal, kind, code = scope
        rule, hysteresis = self.thresholds.rule(signal), self.thresholds.hysteresis_of(signal)
        end = self.today()
        start = end - timedelta(days=window_days(signal, self.thresholds) - 1)
        filters = _filters(kind, code)
        # a mass layoff warns within a second of its ingestion: never from an all-街镇 reading kept a moment
        value, people = await self._measure(signal_indicator(signal), start, end, filters,
                                            urgent=signal == "mass_layoff")
        window = window_label(signal, self.thresholds)
        if signal == "mass_layoff":
            short_notice_level = self.thresholds.rules.mass_layoff.short_notice_level
            by_size = next_level(value or None, current, rule.levels, hysteresis)
            level = by_size
            if by_size is not None and short_notice_level.severity > by_size.severity:
                short, _ = await self._measure("short_notice_layoffs", start, end, filters, urgent=True)
                if short:
                    level = short_notice_level
            reading = self._reading(value, by_size, rule.levels, window)
            return Reading(reading.value, level, reading.threshold, window)
        level = next_level(value, current, rule.levels, hysteresis, rule.direction)
        floor = signal_floor(signal, self.thresholds)
        if floor is not None and level is not None:
            base = people if floor.column == "people" else (await self._measure(floor.indicator, start, end,
                                                                                 filters))[0]
            if (base or 0) < floor.minimum * (1.0 if current is None else hysteresis):
                level = None
        return self._reading(value, level, rule.levels, window)

    async def _measure(self, code: str, start: date, end: date, filters: dict[str, str],
                       urgent: bool = False) -> tuple[float | None, int | None]:
        indicator = BY_CODE[code]
        if indicator.groups_by_street and list(filters) == ["street"] and not urgent:
            # One scan gives all 12 街镇; the other 11 are likely next in line, so keep it a moment.
            key = (code, start, end)
            taken, values = self._by_street.get(key, (0.0, {}))
            if time.monotonic() - taken >= self.by_street_fresh_s:
                values = await self.store.call(self.store.indicator_by_street_sync, indicator, start, end,
                                               background=True)
                self._by_street[key] = (time.monotonic(), values)
            return values[filters["street"]]
        return await self.store.call(self.store.indicator_sync, indicator, start, end, **filters, background=True)

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
        signal, kind, code = scope
        event = alert_change(scope, alert_id, current.level if current else None, reading)
        try:
            await self.record(event)
        except WarningConflictError:
            # Another worker on the same database changed this warning first: take its view, and
            # judge the scope again from there.
            log.warning("预警状态已被其他实例修改，重新读取", extra={"alert_id": alert_id, "signal": signal})
            await self.restore()
            self._retry[scope] = None
            return
        except NotRecordedError as exc:
            # The database is away: nothing was recorded, so nothing will be published; try again
            # at the next evaluation instead of stopping the worker.
            log.warning("预警状态写入失败，稍后重试", extra={"alert_id": alert_id, "error": str(exc)})
            self._retry[scope] = None
            return
        if reading.level is None:
            self.open.pop(scope, None)
        else:
            self.open[scope] = OpenAlert(alert_id, reading.level)
        log.warning("warning changed", extra={"alert_id": alert_id, "type": event.type, "signal": signal,
                                              "scope": f"{kind}:{code}", "level": str(event.data.level)})
        try:
            await self.store.call(self.store.insert_sync, "alerts", [alert_row(event)])
        except Exception as exc:  # noqa: BLE001 - best effort: the event's ingestion writes the same row
            log.warning("预警写入 ClickHouse 失败，将由 leye.alert 消费补写",
                        extra={"alert_id": alert_id, "error": type(exc).__name__})

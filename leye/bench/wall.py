"""大屏与统计查询耗时随历史增长：各面板、/stats 与全量预警评估在 10 万至 1000 万条事件上的用时。

For each size, in a subprocess of its own (one chDB engine per process, a fresh store each): mixed
platform events (``leye.bench.data.event_set``, copied with fresh ids and aggregates over 3 years:
2024–2026, January to October) are written through the monitoring store's real write path
(``Store.write_sync`` in batches of the worker's size, which also refreshes the aggregated state),
then, with the state refreshed:

- every query of the wall (``services/monitoring/wall/panels.py``: one per panel, but one for all the
  KPIs, which share it as Grafana's Dashboard data source does) with the Grafana macros filled in
  as the ClickHouse plugin does, for the whole district and for one 街镇, over this year up to the
  last day of the data (``2026-10-31``; the 30-day panel over its last 30 days): p50 and p95 of
  ``repeats`` runs each;
- ``/stats/indicators`` and ``/stats/streets`` over the same period, through the route functions of
  ``services/monitoring/api/stats.py`` on the store (no HTTP);
- a full warning evaluation (``Warnings.evaluate_all`` on that day, without the throttle that
  spreads it over time in the service).

Per size: ``events``, ``panel_p95_ms_max`` and ``slowest_panel``, ``wall_refresh_ms`` (the sum of
every query's p50 for the district view: one refresh of the wall), ``stats_indicators_p95_ms``,
``stats_streets_p95_ms``, ``warnings_full_ms`` (median of 3), ``ingest_events_per_s`` (events over the
seconds spent in ``write_sync``), ``chdb_mib`` and the load average when the size ended.
Targets (issue #16, at 10 M): every panel p95 ≤ 100 ms, a refresh ≤ 500 ms, ``/stats/*`` ≤ 200 ms,
a full warning evaluation ≤ 500 ms.

``--quick``: 100,000 and 1,000,000 events; full: 1,000,000 and 10,000,000 (about an hour and
20 GiB of disk on the 2-core machine, most of it writing).
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from leye.bench.data.event_set import varied_events

ROOT = Path(__file__).parents[2]
YEARS = (2026, 2025, 2024)
START, END = date(2026, 1, 1), date(2026, 10, 31)
REPEATS = 21
"""Timed runs per figure (after one warm-up): its p95 is the 20th slowest, not the slowest alone."""
_SUFFIXED = {"event_id", "subject", "person_ref", "vacancy_id", "case_id", "session_id", "report_id",
             "employer_ref", "supersedes_report_id", "household_ref", "item_id"}
"""Ids made fresh per copy: each copy is a population of its own. Not the 红娘 stations: a district has
a fixed set of them (one per 社区 or village), whose cases grow with the history, not their number."""
_DATES = {"day", "unemployed_since", "valid_until", "planned_on", "identified_on", "cleared_on", "opened_on", "due_on",
          "closed_on"}


def _templates() -> list[tuple[int, dict[str, list[tuple]], tuple]]:
    """Rows of one varied event set (about 10,700 events), per event, in time order, with the day of
    the year its time falls on and its warning scopes."""
    from services.monitoring.ingest.rows import rows_for, shanghai_day
    from services.monitoring.ingest.scopes import touched_scopes

    events = varied_events(seed=23, people=2000, employers=60, vacancies=800, sessions=120, cases=900)
    return [(shanghai_day(event.time).timetuple().tm_yday, rows_for(event),
             tuple((s, k.value, c) for s, k, c in touched_scopes([event])))
            for event in sorted(events, key=lambda e: (e.time, e.id)) if event.topic != "leye.statistics"]


Rows = dict[str, list[tuple]]


def row_copier(columns: dict[str, tuple[str, ...]]) -> Callable[[Rows, int, int], Rows]:
    plans = {table: [(i, "id" if name in _SUFFIXED else "date" if name in _DATES else
                      "time" if name in ("event_time", "at") else "month" if name == "month" else None)
                     for i, name in enumerate(names)] for table, names in columns.items()}

    def copy(rows: dict[str, list[tuple]], n: int, year: int) -> dict[str, list[tuple]]:
        out = {}
        for table, table_rows in rows.items():
            plan = plans[table]
            copied = []
            for row in table_rows:
                values = list(row)
                for i, how in plan:
                    value = values[i]
                    if how is None or value is None or value == "":
                        continue
                    if how == "id":
                        values[i] = f"{value}~{n}"
                    elif how in ("date", "time"):
                        values[i] = value.replace(year=value.year - (2026 - year))
                    else:
                        values[i] = f"{int(value[:4]) - (2026 - year)}{value[4:]}"
                copied.append(tuple(values))
            out[table] = copied
        return out

    return copy


def _grafana(sql: str, street: str, start: datetime, end: datetime) -> str:
    """The SQL Grafana's ClickHouse plugin sends for this dashboard state."""
    start_s, end_s = int(start.timestamp()), int(end.timestamp())
    sql = re.sub(r"\$__timeFilter\((\w+)\)",
                 lambda m: f"{m[1]} >= toDateTime({start_s}) AND {m[1]} <= toDateTime({end_s})", sql)
    return (sql.replace("$__fromTime", f"toDateTime({start_s})").replace("$__toTime", f"toDateTime({end_s})")
            .replace("${street}", street))


def _timed(fn: Callable[[], object], repeats: int) -> list[float]:
    fn()  # warm: the first run of a query reads its parts from disk
    out = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return sorted(out)


def _p(sorted_ms: list[float], q: float) -> float:
    return round(sorted_ms[min(len(sorted_ms) - 1, max(0, round(q * len(sorted_ms) + 0.5) - 1))], 1)


def fill(store: Any, events: int) -> tuple[int, float]:
    """Write ``events`` mixed raw events through the store's write path, in time order as a live stream
    brings them; the number written and the seconds the writes took."""
    from services.monitoring.ingest.rows import COLUMNS, EncodedEvent, json_lines
    from services.monitoring.settings import Settings

    templates, copy = _templates(), row_copier(COLUMNS)
    batch_size = Settings.model_fields["batch_size"].default
    copies = -(-events // len(templates))  # each a population of its own, in one of the years
    writing, written, pending = 0.0, 0, []

    def write(batch: list[EncodedEvent]) -> None:
        nonlocal writing, written
        started = time.perf_counter()
        store.write_sync(batch)
        writing += time.perf_counter() - started
        written += len(batch)

    # In time order, as a live stream brings them: each week of each year, every copy's events of it.
    weeks: dict[int, list[tuple[int, dict[str, list[tuple]], tuple]]] = {}
    for number, (day, rows, scopes) in enumerate(templates):
        weeks.setdefault((day - 1) // 7, []).append((number, rows, scopes))
    for year in sorted(YEARS):
        in_year = [n for n in range(copies) if YEARS[n % len(YEARS)] == year]
        for week in sorted(weeks):
            for n in in_year:
                for number, rows, scopes in weeks[week]:
                    if n * len(templates) + number < events:
                        copied = copy(rows, n, year)
                        pending.append(EncodedEvent(f"{n}-{number}", {t: json_lines(r) for t, r in copied.items()},
                                                    scopes))
                        if len(pending) == batch_size:
                            write(pending)
                            pending = []
    if pending:
        write(pending)
    started = time.perf_counter()
    store.refresh_sync()
    writing += time.perf_counter() - started

    return written, writing


def measure(events: int, directory: Path) -> dict[str, Any]:
    """One size, in this process: fill a fresh store, then time every figure."""
    from schemas.fields import SHANGHAI
    from services.monitoring.api import stats
    from services.monitoring.indicators.targets import default as default_targets
    from services.monitoring.settings import DEFAULT_THRESHOLDS
    from services.monitoring.store import Store
    from services.monitoring.wall.panels import wall_panels
    from services.monitoring.warnings.engine import Warnings
    from services.monitoring.warnings.thresholds import Thresholds

    store = Store(f"chdb:///{directory}")
    store.open_sync()
    written, writing = fill(store, events)

    # What the process holds now (modules, the fill's leftovers) would be rescanned by the cyclic
    # collector during the timed queries, adding pauses of 100 ms and more that a long-running service
    # does not see at every request: freeze it out of its sight.
    gc.collect()
    gc.freeze()
    end = datetime(END.year, END.month, END.day, 23, 59, 59, tzinfo=SHANGHAI)
    begin = datetime(START.year, START.month, START.day, tzinfo=SHANGHAI)
    street = "120111101"  # 杨柳青镇
    panels: dict[str, dict[str, float]] = {}
    sharing: dict[str, list[str]] = {}  # a query -> the panels showing its result (the KPIs share one)
    for spec in wall_panels():
        sharing.setdefault(spec.sql, []).append(spec.title)
    for spec in wall_panels():
        titles = sharing.pop(spec.sql, None)
        if titles is None:  # sent already, for the first panel sharing it
            continue
        name = spec.title if len(titles) == 1 else f"{titles[0]}等{len(titles)}个面板（共用一条查询）"
        since = end - timedelta(days=int(spec.time_from.removesuffix("d"))) if spec.time_from else begin
        for scope, value in (("全区", ""), ("杨柳青镇", street)):
            sql = _grafana(spec.sql, value, since, end)

            def panel(sql: str = sql) -> object:
                return store.client.query(sql)

            runs = _timed(panel, REPEATS)
            panels[f"{name}（{scope}）"] = {"p50_ms": _p(runs, 0.5), "p95_ms": _p(runs, 0.95)}
    slowest = max(panels, key=lambda name: panels[name]["p95_ms"])

    loop = asyncio.new_event_loop()
    indicators = _timed(lambda: loop.run_until_complete(
        stats.list_indicators(store, default_targets(), START, END, None, None, None)), REPEATS)
    streets = _timed(lambda: loop.run_until_complete(
        stats.streets_side_by_side(store, default_targets(), START, END)), REPEATS)

    async def record(_event: object) -> None:
        return None

    engine = Warnings(store, Thresholds.load(DEFAULT_THRESHOLDS), record, evaluation_share=1.0,
                      today=lambda: END)
    warnings = _timed(lambda: loop.run_until_complete(engine.evaluate_all()), 3)
    loop.close()
    store.close()
    size = sum(f.stat().st_size for f in directory.rglob("*") if f.is_file())
    return {
        "events": written,
        "panel_p95_ms_max": panels[slowest]["p95_ms"],
        "slowest_panel": slowest,
        "wall_refresh_ms": round(sum(v["p50_ms"] for k, v in panels.items() if k.endswith("（全区）")), 1),
        "stats_indicators_p95_ms": _p(indicators, 0.95),
        "stats_streets_p95_ms": _p(streets, 0.95),
        "warnings_full_ms": _p(warnings, 0.5),
        "ingest_events_per_s": round(written / writing),
        "chdb_mib": round(size / 2**20),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "panels": panels,
    }


def run(quick: bool = False) -> dict[str, Any]:
    sizes = (100_000, 1_000_000) if quick else (1_000_000, 10_000_000)
    out: dict[str, Any] = {}
    for size in sizes:
        directory = Path(tempfile.mkdtemp(prefix="leye-bench-wall-"))
        try:
            result = subprocess.run([sys.executable, "-m", "leye.bench.wall", str(size), str(directory)], cwd=ROOT,
                                    check=True, capture_output=True, text=True)
            figures = json.loads(result.stdout.strip().splitlines()[-1])
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        panels = figures.pop("panels")
        print(f"{size:>10,} 条事件：" + "，".join(f"{k}={v}" for k, v in figures.items()), flush=True)
        for name, timing in sorted(panels.items(), key=lambda item: -item[1]["p95_ms"])[:5]:
            print(f"           {name}: p50 {timing['p50_ms']} ms, p95 {timing['p95_ms']} ms", flush=True)
        out[str(size)] = figures
    out["at"] = datetime.now(UTC).isoformat(timespec="seconds")
    return out


if __name__ == "__main__":
    print(json.dumps(measure(int(sys.argv[1]), Path(sys.argv[2])), ensure_ascii=False))

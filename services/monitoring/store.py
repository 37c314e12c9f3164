"""The monitoring service's ClickHouse access: one client, one thread.

chDB calls block and one process may open one engine, so every ClickHouse call — batch writes from
the worker and queries from the API — runs on a single dedicated thread (:meth:`Store.call`). That
also serialises them, which is what the embedded engine wants.

Exactness (see ``migrations/0001_event_log_and_facts.py``): every table is a ReplacingMergeTree
whose sorting key ends in ``event_id`` and every read uses ``FINAL``, so an event written twice —
redelivery after a crash between insert and offset commit, a replay of the topics — is counted
once. We chose that over filtering each batch against the ids already in the raw log: the filter
cannot be exact on its own (a crash between the fact tables and the raw log defeats it), so FINAL
is needed anyway, and the filter's ``IN (…5000 ids…)`` query cost a quarter of the write time. The
runtime's in-process ``RecentIds`` still drops cheap redeliveries before they reach ClickHouse.

Pre-aggregated state (``migrations/0004_aggregated_state.py``, ``indicators/state.py``): the
indicators read state tables that a *refresh* derives from what the writes touched. A write marks
its work (materialized views into the ``dirty_*`` tables); a refresh does it, step by step. When the
last refresh is ``REFRESH_EVERY_S`` old, a write starts one and each following write runs its next
step, so a stream of batches pays for one refresh every few seconds rather than one per batch (a
refresh costs what the slices it touches cost, and a day's slice is the same work for one event or
for thousands), and no batch waits for more than one step of it (the ingest freshness). A
background read (the warnings) refreshes when the last refresh is that old, and any other indicator
read refreshes whole (:meth:`Store.refresh_sync`) while work is pending, so the API never reads
state older than the facts. The slow
warning signals may be that many seconds late, never wrong; Grafana, which reads ClickHouse
directly, sees the state of the last refresh (the app's periodic job refreshes when nothing else
did).

Rows arrive already serialised (``rows.json_lines``, made in the worker's decoding child) and go in
as ``JSONCompactEachRow``: ClickHouse parses them in its own threads, where clickhouse-connect's
Native encoding would have run in Python, on the interpreter lock the consumer needs.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any, TypeVar

import clickhouse_connect
from clickhouse_connect.driver.client import Client

from schemas.reference import STREETS

from .indicators import certificates, community
from .indicators.catalogue import Indicator, figures_query
from .indicators.state import refresh_steps as state_refresh_steps
from .ingest.rows import COLUMNS, EncodedEvent, Row, json_lines
from .migrations import migrate

T = TypeVar("T")


def refresh_steps() -> list[tuple[str, list[str]]]:
    """The stocks', flows' and sets' steps, then the communities' (充分就业社区), which read none of them."""
    return [*state_refresh_steps(), *community.refresh_steps()]


_FACT_TABLES = [table for table in COLUMNS if table != "events"]
INSERT_FORMAT = "JSONCompactEachRow"
REFRESH_EVERY_S = 5.0
_NO_STREET = "000000000"  # no 街镇 has this code (see _over_nothing)
_INSERT_SETTINGS = {
    "date_time_input_format": "best_effort",  # ISO 8601 with an offset, as orjson writes aware times
    "input_format_json_read_objects_as_strings": 1,  # the raw log's payload: a JSON object, kept as text
}


class Store:
    """ClickHouse behind a single-thread executor. Blocking methods end in ``_sync``."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="clickhouse")
        self._client: Client | None = None
        self.migrated = False
        self.dirty = True  # the state may lag the facts (a crash may have left work): refresh before reading
        self.refreshed_at = 0.0
        self._steps: list[tuple[str, list[str]]] = []  # the refresh under way, a step per written batch
        self._empty: dict[tuple[str, str, str], tuple[float | None, int | None]] = {}  # see _over_nothing

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a blocking ``*_sync`` method on the ClickHouse thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, lambda: fn(*args, **kwargs))

    @property
    def client(self) -> Client:
        if self._client is None:
            self._client = clickhouse_connect.get_client(dsn=self.dsn)
        return self._client

    def open(self) -> list[str]:
        """Connect and migrate on the ClickHouse thread, blocking (called before the event loop runs)."""
        return self._executor.submit(self.open_sync).result()

    def open_sync(self) -> list[str]:
        """Connect and apply pending migrations; return their names."""
        applied = migrate(self.client)
        self.migrated = True
        return applied

    def write_sync(self, events: Sequence[EncodedEvent]) -> None:
        """Write the rows of a batch of events, facts first and the raw log last. Durable on return."""
        lines: dict[str, list[bytes]] = defaultdict(list)
        for event in events:
            for table, block in event.lines.items():
                lines[table].append(block)
        for table in [*_FACT_TABLES, "events"]:
            if lines.get(table):
                self._insert(table, b"".join(lines[table]))
        self.dirty = True
        if not self._steps and time.monotonic() - self.refreshed_at >= REFRESH_EVERY_S:
            self._steps = refresh_steps()
        if self._steps:  # one step per batch: a batch waits for one step at most, not a whole refresh
            self._run_step(*self._steps.pop(0))
            if not self._steps:
                self.refreshed_at = time.monotonic()  # the state is up to the facts of a moment ago

    def refresh_sync(self) -> None:
        """Bring the aggregated state up to the facts: run each refresh step whose dirty table has
        rows, then empty that table (a step cut short by a crash is repeated by the next refresh)."""
        for table, statements in refresh_steps():
            self._run_step(table, statements)
        self._steps = []
        self.dirty = False
        self.refreshed_at = time.monotonic()

    def refresh_due(self) -> bool:
        """Whether writes left work that no refresh has picked up for ``REFRESH_EVERY_S``: when batches
        keep coming, they run the refresh step by step themselves."""
        return self.dirty and not self._steps and time.monotonic() - self.refreshed_at >= REFRESH_EVERY_S

    def _run_step(self, table: str, statements: list[str]) -> None:
        # a step's table is filled by the writes and by the steps before it (through the views)
        if self.client.query(f"SELECT count() FROM {table}").result_rows[0][0]:
            for statement in statements:
                self.client.command(statement)
            self.client.command(f"TRUNCATE TABLE {table}")

    def _fresh(self, stale_ok: bool = False) -> None:
        if self.dirty and (not stale_ok or self.refresh_due()):
            self.refresh_sync()

    def insert_sync(self, table: str, rows: list[Row]) -> None:
        self._insert(table, json_lines(rows))

    def _insert(self, table: str, lines: bytes) -> None:
        self.client.raw_insert(table, COLUMNS[table], lines, settings=_INSERT_SETTINGS, fmt=INSERT_FORMAT)

    def indicator_sync(self, indicator: Indicator, start: date, end: date, *, street: str = "", group: str = "",
                       industry: str = "", background: bool = False) -> tuple[float | None, int | None]:
        """``(value, people)`` of one indicator (see ``indicators`` for their meaning).

        ``background`` queries (warning evaluation) run on one ClickHouse thread: with the embedded
        engine they share the worker's cores, and a query fanned out over both starves ingestion.
        They may also read the aggregated state up to ``REFRESH_EVERY_S`` behind the facts (the mass
        layoffs, which warn within a second, read their facts).
        """
        sql, parameters = indicator.query(start, end, street=street, group=group, industry=industry)
        [row] = self._indicator_rows(sql, parameters, background)
        return _reading(*row)

    def indicator_by_street_sync(self, indicator: Indicator, start: date, end: date, *, group: str = "",
                                 industry: str = "", background: bool = False,
                                 ) -> dict[str, tuple[float | None, int | None]]:
        """``(value, people)`` of one indicator for each of the 12 街镇: one query when the indicator
        :attr:`~Indicator.groups_by_street`, else one per 街镇."""
        if not indicator.groups_by_street:
            return {street: self.indicator_sync(indicator, start, end, street=street, group=group, industry=industry,
                                                background=background) for street in STREETS}
        sql, parameters = indicator.query_by_street(start, end, group=group, industry=industry)
        found = {street: _reading(value, people)
                 for street, value, people in self._indicator_rows(sql, parameters, background)}
        missing = [street for street in STREETS if street not in found]
        if missing:  # a 街镇 without rows: the per-街镇 query's value over nothing, the same for each
            found |= dict.fromkeys(missing, self._over_nothing(indicator, group=group, industry=industry))
        return {street: found[street] for street in STREETS}

    def indicators_sync(self, indicators: Sequence[Indicator], start: date, end: date, *, street: str = "",
                        group: str = "", industry: str = "") -> dict[str, tuple[float | None, int | None]]:
        """``(value, people)`` of several indicators with the same filters, by code, from one query
        (``catalogue.figures_query``: one scan per family for its parts, the others' own queries).
        An indicator of a family that had no rows is worth its value over nothing."""
        if not indicators:  # filters no indicator has (a group and an industry): nothing to ask
            return {}
        parameters = {"start": start, "end": end, "street": street, "group": group, "industry": industry}
        found = {code: _reading(value, people) for code, value, people
                 in self._indicator_rows(figures_query(list(indicators)), parameters, background=False)}
        for indicator in indicators:
            if indicator.code not in found:
                found[indicator.code] = self._over_nothing(indicator, group=group, industry=industry)
        return {indicator.code: found[indicator.code] for indicator in indicators}

    def indicators_by_street_sync(self, indicators: Sequence[Indicator], start: date, end: date,
                                  ) -> dict[str, dict[str, tuple[float | None, int | None]]]:
        """``(value, people)`` of several indicators for each of the 12 街镇, by code then 街镇: those
        that :attr:`~Indicator.groups_by_street` from one query (``catalogue.figures_query``), the
        others by :meth:`indicator_by_street_sync`. A 街镇 without rows gets the indicator's value
        over nothing."""
        grouped = [indicator for indicator in indicators if indicator.groups_by_street]
        found: dict[str, dict[str, tuple[float | None, int | None]]] = defaultdict(dict)
        parameters = {"start": start, "end": end, "street": "", "group": "", "industry": ""}
        rows = self._indicator_rows(figures_query(grouped, by_street=True), parameters, background=False) \
            if grouped else []
        for code, street, value, people in rows:
            found[code][street] = _reading(value, people)
        out = {}
        for indicator in indicators:
            if not indicator.groups_by_street:
                out[indicator.code] = self.indicator_by_street_sync(indicator, start, end)
                continue
            values = found[indicator.code]
            out[indicator.code] = {street: values.get(street) or self._over_nothing(indicator) for street in STREETS}
        return out

    def communities_sync(self, end: date) -> list[tuple[str, str, int, int]]:
        """``(community code, 街镇, able and willing, employed)`` at the end of ``end`` for every
        community with anybody in it (充分就业社区, ``indicators/community.py``)."""
        self._fresh()
        rows = self.client.query(community.communities_query(), parameters={"end": end}).result_rows
        return [(str(code), str(street), int(able), int(employed)) for code, street, able, employed in rows]

    def community_households_sync(self, start: date, end: date) -> list[tuple[str, str, int, int, int, list[int]]]:
        """``(community code, 街镇, 零就业家庭 at the end, identified, cleared, days each clearing took)``
        over ``[start, end]`` for every community with a household event by then
        (``indicators/community.py``)."""
        rows = self.client.query(community.households_query(), parameters={"start": start, "end": end}).result_rows
        return [(str(code), str(street), int(families), int(identified), int(cleared), [int(d) for d in days])
                for code, street, families, identified, cleared, days in rows]

    def certificates_sync(self, start: date, end: date, street: str = "",
                          ) -> tuple[list[tuple[str, int, int, int]], tuple[int, int]]:
        """职业技能 certificates issued in the period: ``(occupation, level, certificates, holders)`` rows
        and the totals ``(certificates, holders)`` (``indicators/certificates.py``)."""
        parameters = {"start": start, "end": end, "street": street}
        rows = self.client.query(certificates.certificates_query(), parameters=parameters).result_rows
        [(total, holders)] = self.client.query(certificates.holders_query(), parameters=parameters).result_rows
        return ([(str(code), int(level), int(n), int(people)) for code, level, n, people in rows],
                (int(total), int(holders)))

    def certifications_sync(self, year: int) -> list[tuple[str, str, str, int]]:
        """``(community code, 街镇, level, year)`` of every 充分就业社区 certification for ``year`` or before."""
        rows = self.client.query(community.certifications_query(), parameters={"year": year}).result_rows
        return [(str(code), str(street), str(level), int(y)) for code, street, level, y in rows]

    def _over_nothing(self, indicator: Indicator, *, group: str = "", industry: str = "",
                      ) -> tuple[float | None, int | None]:
        """An indicator's ``(value, people)`` over a scope without rows: its query for a 街镇 code no
        row can carry. It depends on the query alone, not on the data, so it is asked once, and
        need not wait for a refresh."""
        key = (indicator.code, group, industry)
        if key not in self._empty:
            self._empty[key] = self.indicator_sync(indicator, date(2000, 1, 1), date(2000, 1, 1), street=_NO_STREET,
                                                   group=group, industry=industry, background=True)
        return self._empty[key]

    def _indicator_rows(self, sql: str, parameters: dict[str, Any], background: bool) -> list[Sequence[Any]]:
        self._fresh(stale_ok=background)
        settings = {"max_threads": 1} if background else None  # see indicator_sync
        return list(self.client.query(sql, parameters=parameters, settings=settings).result_rows)

    def rows_sync(self, sql: str, parameters: dict[str, Any] | None = None) -> list[Sequence[Any]]:
        """Rows of any query, on the tables as they are (the facts; the aggregated state only as of
        its last refresh: indicators go through :meth:`indicator_sync`)."""
        return list(self.client.query(sql, parameters=parameters or {}).result_rows)

    def result_sync(self, sql: str) -> tuple[list[str], list[Sequence[Any]]]:
        """The column names and rows of any query (as :meth:`rows_sync`): for a result that several
        wall panels share, each taking its own columns."""
        result = self.client.query(sql)
        return list(result.column_names), list(result.result_rows)

    def close(self) -> None:
        """Idempotent: the service's stop closes it, and so may a test that owns the store."""
        if self._client is not None:
            self._client.close()
            self._client = None
        self._executor.shutdown(wait=True)


def _reading(value: Any, people: Any) -> tuple[float | None, int | None]:
    return (None if value is None else float(value)), (None if people is None else int(people))

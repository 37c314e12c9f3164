"""The warnings' SQL record and outbox: the migration, one transaction per change, conflicts, the
take-over from ClickHouse, and a warning raised while the broker is down (real SQLite, the real
outbox relay, the real broker stopped and started again; indicator readings from a stand-in store)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, date, datetime
from pathlib import Path

import orjson
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from prometheus_client import REGISTRY
from sqlalchemy import select

from schemas import new_event
from schemas.events.alert import AlertRaised, AlertResolved, AlertUpdated
from schemas.vocab import AlertLevel, AlertSource, ScopeKind
from services.monitoring.app import SQL_MIGRATIONS
from services.monitoring.settings import DEFAULT_THRESHOLDS
from services.monitoring.warnings import ledger as warning_state
from services.monitoring.warnings.engine import OpenAlert, WarningConflictError, Warnings
from services.monitoring.warnings.ledger import WarningLedger, WarningRow
from services.monitoring.warnings.thresholds import Thresholds
from services.runtime.broker import EmbeddedBroker
from services.runtime.db import make_engine, make_session_factory, migrate
from services.runtime.outbox import OutboxMessage, OutboxRelay
from tests.conftest import read_topic
from tests.metadata import with_runtime_tables
from tests.services.monitoring.test_warnings import FakeStore

STREET = "120111001"
TODAY = date(2026, 11, 20)


def test_migrations_create_exactly_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine, SQL_MIGRATIONS)
    migrate(engine, SQL_MIGRATIONS)  # a second start finds nothing to do
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), with_runtime_tables(warning_state.Base.metadata))
    engine.dispose()
    assert diffs == []


@pytest.fixture
def ledger(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'monitoring.sqlite3'}")
    migrate(engine, SQL_MIGRATIONS)
    ledger = WarningLedger()
    ledger.bind(make_session_factory(engine))
    yield ledger
    ledger.close()
    engine.dispose()


def _event(model: type, alert_id: str = "alert-1", level: AlertLevel = AlertLevel.YELLOW, code: str = STREET):
    return new_event(model(alert_id=alert_id, level=level, scope_kind=ScopeKind.STREET, scope_code=code,
                           signal="sla_breach", value=12.0, threshold=10.0, window="7d",
                           source=AlertSource.MONITOR), source="/services/monitoring")


def _outbox(ledger: WarningLedger) -> list[str]:
    with ledger.sessions() as session:
        return list(session.scalars(select(OutboxMessage.event_id).order_by(OutboxMessage.id)))


def test_each_change_updates_the_row_and_stages_its_event_together(ledger: WarningLedger) -> None:
    raised, updated = _event(AlertRaised), _event(AlertUpdated, level=AlertLevel.ORANGE)
    ledger.record_sync(raised)
    ledger.record_sync(updated)
    scope = ("sla_breach", ScopeKind.STREET, STREET)
    assert ledger.open_warnings_sync() == {scope: OpenAlert("alert-1", AlertLevel.ORANGE)}
    resolved = _event(AlertResolved, level=AlertLevel.ORANGE)
    ledger.record_sync(resolved)
    assert ledger.open_warnings_sync() == {}
    with ledger.sessions() as session:
        row = session.get(WarningRow, "alert-1")
        assert (row.status, row.level, row.last_event_id, row.raised_at, row.updated_at) == (
            "resolved", "orange", resolved.id, raised.time.astimezone(UTC), resolved.time.astimezone(UTC))
    assert _outbox(ledger) == [raised.id, updated.id, resolved.id]


@pytest.mark.parametrize("second", [
    pytest.param(lambda: _event(AlertRaised, alert_id="alert-2"), id="a second open warning in one scope"),
    pytest.param(lambda: _event(AlertUpdated, alert_id="alert-9"), id="an update of an unknown warning"),
])
def test_a_change_the_record_contradicts_is_refused_and_not_staged(ledger: WarningLedger, second) -> None:
    first = _event(AlertRaised)
    ledger.record_sync(first)
    with pytest.raises(WarningConflictError):
        ledger.record_sync(second())
    assert _outbox(ledger) == [first.id]
    ledger.record_sync(_event(AlertResolved))
    with pytest.raises(WarningConflictError):  # resolved once only
        ledger.record_sync(_event(AlertResolved))


def test_open_warnings_left_in_clickhouse_are_taken_over_once_without_publishing(ledger: WarningLedger) -> None:
    at = datetime(2026, 5, 1, 1, 2, 3)  # ClickHouse hands back naive UTC
    rows = [("alert-open", "open", "red", "mass_layoff", "industry", "C", 340.0, 300.0, "30d", at, at, "ev-1"),
            ("alert-gone", "resolved", "yellow", "sla_breach", "street", STREET, 1.0, 10.0, "7d", at, at, "ev-2")]
    assert ledger.is_empty_sync()
    assert ledger.adopt_sync(rows) == 1
    assert ledger.open_warnings_sync() == {("mass_layoff", ScopeKind.INDUSTRY, "C"): OpenAlert("alert-open",
                                                                                             AlertLevel.RED)}
    assert ledger.adopt_sync(rows) == 0  # the table is the record from now on
    assert _outbox(ledger) == []


def _publish_errors() -> float:
    return REGISTRY.get_sample_value("leye_outbox_publish_errors_total") or 0.0


def _wait(condition, what: str, timeout_s: float = 60.0) -> None:
    """Wait for ``condition`` (a wait, not a timed assertion)."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def test_a_warning_raised_while_the_broker_is_down_is_published_once_it_is_back(fresh_broker: EmbeddedBroker,
                                                                                tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'monitoring.sqlite3'}")
    migrate(engine, SQL_MIGRATIONS)
    sessions = make_session_factory(engine)
    relay = OutboxRelay(sessions, fresh_broker.bootstrap, max_backoff_s=0.5)
    ledger = WarningLedger()
    ledger.bind(sessions, relay.wake)
    store = FakeStore()
    warnings = Warnings(store, Thresholds.load(DEFAULT_THRESHOLDS), ledger.record,  # type: ignore[arg-type]
                        load_open=ledger.open_warnings, today=lambda: TODAY, evaluation_share=1.0)
    relay.start()
    try:
        fresh_broker.stop()
        errors_before = _publish_errors()
        store.values[("mass_layoff_cuts", STREET)] = (150.0, 150)
        asyncio.run(warnings.evaluate_all())  # raises the warning: recorded, not published
        asyncio.run(warnings.evaluate_all())  # evaluated again meanwhile: nothing new
        [event_id] = _outbox(ledger)
        assert relay.pending() == 1
        _wait(lambda: _publish_errors() > errors_before, "the relay never tried the stopped broker")
        assert relay.pending() == 1

        restarted = Warnings(store, Thresholds.load(DEFAULT_THRESHOLDS), ledger.record,  # type: ignore[arg-type]
                             load_open=ledger.open_warnings, today=lambda: TODAY, evaluation_share=1.0)
        asyncio.run(restarted.restore())
        asyncio.run(restarted.evaluate_all())  # a restart finds it open: not raised again
        assert _outbox(ledger) == [event_id]

        fresh_broker.start()  # same port, empty: the relay re-creates the topics
        _wait(lambda: relay.pending() == 0, "the warning was not published after the broker came back")
        records = read_topic(fresh_broker.bootstrap, "leye.alert", to_end=True)  # all acknowledged
        published = [orjson.loads(record.value) for record in records]
        assert [(a["id"], a["type"], a["data"]["scope_code"], a["data"]["level"]) for a in published] == [
            (event_id, "cn.xiqing.leye.alert.raised.v1", STREET, "orange")]
    finally:
        relay.stop()
        ledger.close()
        engine.dispose()


def test_a_change_the_database_refused_is_tried_again_at_the_next_evaluation(ledger: WarningLedger,
                                                                             tmp_path: Path) -> None:
    good = ledger.sessions
    unreachable = make_engine(f"sqlite:///{tmp_path / 'no-such-dir' / 'monitoring.sqlite3'}")
    ledger.bind(make_session_factory(unreachable))
    store = FakeStore()
    warnings = Warnings(store, Thresholds.load(DEFAULT_THRESHOLDS), ledger.record,  # type: ignore[arg-type]
                        load_open=ledger.open_warnings, today=lambda: TODAY, evaluation_share=1.0)
    store.values[("mass_layoff_cuts", STREET)] = (150.0, 150)
    asyncio.run(warnings.evaluate_all())  # the write fails: nothing open, nothing staged, no error
    assert (warnings.open, store.inserted) == ({}, [])
    ledger.bind(good)
    asyncio.run(warnings.evaluate_touched())
    assert warnings.open == {("mass_layoff", ScopeKind.STREET, STREET): OpenAlert(
        warnings.open[("mass_layoff", ScopeKind.STREET, STREET)].alert_id, AlertLevel.ORANGE)}
    assert len(_outbox(ledger)) == 1 and [table for table, _ in store.inserted] == ["alerts"]
    unreachable.dispose()

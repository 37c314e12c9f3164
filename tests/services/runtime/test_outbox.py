"""The outbox against the real broker: what arrives, and that a broker restart loses and
duplicates nothing."""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path

import orjson
import pytest
from jsonschema import Draft202012Validator

from schemas import CloudEvent, new_event
from schemas.events.statistics import SurveyRateReported
from services.runtime.broker import EmbeddedBroker, free_port
from services.runtime.db import make_engine, make_session_factory
from services.runtime.outbox import OutboxRelay, add_event
from services.runtime.tables import create_runtime_tables
from tests.conftest import read_topic

SCHEMA_DIR = Path(__file__).parents[3] / "schemas" / "jsonschema"


@pytest.fixture
def sessions(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'service.sqlite3'}")
    with engine.begin() as conn:
        create_runtime_tables(conn)
    yield make_session_factory(engine)
    engine.dispose()


def survey_event(period: str, rate: str = "5.1") -> CloudEvent:
    return new_event(
        SurveyRateReported(
            period=period, rate_percent=float(rate), published_on=date(2026, 11, 15), source="国家统计局天津调查总队"
        ),
        source="/services/gateway",
    )


def write(sessions, events: list[CloudEvent]) -> None:
    with sessions.begin() as session:
        for event in events:
            add_event(session, event)


def test_published_event_has_cloudevents_attributes_key_and_valid_schema(broker: EmbeddedBroker, sessions) -> None:
    event = survey_event("2031-01")
    write(sessions, [event])
    relay = OutboxRelay(sessions, broker.bootstrap)
    assert relay.publish_batch() == 1
    assert relay.pending() == 0

    records = [r for r in read_topic(broker.bootstrap, "leye.statistics", timeout_s=5)
               if orjson.loads(r.value)["id"] == event.id]
    assert len(records) == 1
    record = records[0]
    payload = orjson.loads(record.value)
    assert record.key == b"2031-01"
    assert payload["specversion"] == "1.0"
    assert payload["type"] == "cn.xiqing.leye.survey_rate.reported.v1"
    assert payload["source"] == "/services/gateway"
    assert payload["subject"] == "2031-01"
    assert payload["time"].endswith("+08:00")
    schema = json.loads((SCHEMA_DIR / f"{payload['type']}.json").read_text())
    errors = list(Draft202012Validator(schema).iter_errors(payload))
    assert errors == []


def test_broker_restart_loses_and_duplicates_nothing(sessions, tmp_path: Path) -> None:
    port = free_port()
    broker = EmbeddedBroker(port)
    broker.start()
    relay = OutboxRelay(sessions, broker.bootstrap, poll_interval_s=0.1, max_backoff_s=0.5)
    relay.start()
    try:
        write(sessions, [survey_event("2030-01")])
        _wait(lambda: relay.pending() == 0)

        broker.stop()
        during_outage = [survey_event(f"2030-{m:02d}") for m in range(2, 13)]
        write(sessions, during_outage)
        time.sleep(1.5)  # the relay fails and backs off; the rows must stay unsent
        assert relay.pending() == len(during_outage)

        broker = EmbeddedBroker(port)  # Tansu restarts empty: the relay has to re-create topics
        broker.start()
        _wait(lambda: relay.pending() == 0, timeout_s=30)
        records = read_topic(broker.bootstrap, "leye.statistics", until=len(during_outage), timeout_s=10)
        ids = [orjson.loads(r.value)["id"] for r in records]
        assert sorted(ids) == sorted(e.id for e in during_outage)
        assert len(ids) == len(set(ids))
    finally:
        relay.stop()
        broker.stop()


def _wait(condition, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)

"""The outbox against the real broker: what arrives, that a broker restart loses nothing (events the
broker had acknowledged are replayed from the outbox) and that nothing is replayed without a loss."""

from __future__ import annotations

import json
import signal
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import orjson
import pytest
from jsonschema import Draft202012Validator
from prometheus_client import REGISTRY
from sqlalchemy import select, update

from schemas import CloudEvent, new_event
from schemas.events.statistics import SurveyRateReported
from services.runtime.broker import EmbeddedBroker, ensure_topics, free_port
from services.runtime.db import make_engine, make_session_factory, utcnow
from services.runtime.outbox import OutboxMessage, OutboxRelay, add_event, make_producer
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

    # The session broker's topics are shared: other tests' events, and a poison message, may be on it.
    records = [r for r in read_topic(broker.bootstrap, "leye.statistics", to_end=True)
               if r.key == b"2031-01" and event.id.encode() in r.value]
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


def test_broker_restart_replays_the_window_before_any_unsent_row(sessions) -> None:
    port = free_port()
    broker = EmbeddedBroker(port)
    broker.start()
    relay = OutboxRelay(sessions, broker.bootstrap, poll_interval_s=0.1, max_backoff_s=0.5, replay_window_s=3600)
    relay.start()
    try:
        acked = [survey_event(f"2030-{m:02d}") for m in range(1, 13)]
        write(sessions, acked)
        _wait(lambda: relay.pending() == 0)
        old = survey_event("2029-12")  # sent before the replay window: stays lost
        write(sessions, [old])
        _wait(lambda: relay.pending() == 0)
        with sessions.begin() as session:
            session.execute(update(OutboxMessage).where(OutboxMessage.event_id == old.id)
                            .values(sent_at=utcnow() - timedelta(hours=2)))

        broker.stop()
        during_outage = [survey_event(f"2031-{m:02d}") for m in range(1, 13)]
        write(sessions, during_outage)
        assert relay.pending() == len(during_outage)

        broker = EmbeddedBroker(port)  # Tansu restarts empty: the relay re-creates topics and replays
        broker.start()
        _wait(lambda: relay.pending() == 0, timeout_s=30)
        records = read_topic(broker.bootstrap, "leye.statistics", until=24, timeout_s=10)
        ids = [orjson.loads(r.value)["id"] for r in records]
        assert sorted(ids) == sorted(e.id for e in acked + during_outage)  # each once, the old one not
        assert partitions_in_outbox_order(sessions, records)
        assert {p for p in partition_of(sessions, acked).values()} == {0, 1, 2}  # several partitions
    finally:
        relay.stop()
        broker.stop()


def test_idle_relay_replays_after_a_broker_restart_and_records_the_new_offsets(sessions) -> None:
    port = free_port()
    broker = EmbeddedBroker(port)
    broker.start()
    relay = OutboxRelay(sessions, broker.bootstrap, poll_interval_s=0.1, max_backoff_s=0.5)
    replayed_before = replayed_total()
    relay.start()
    try:
        events = [survey_event(f"2032-{m:02d}") for m in range(1, 13)]
        write(sessions, events)
        _wait(lambda: relay.pending() == 0)
        broker.stop()
        broker = EmbeddedBroker(port)
        broker.start()
        records = read_topic(broker.bootstrap, "leye.statistics", until=len(events), timeout_s=30)
        assert sorted(orjson.loads(r.value)["id"] for r in records) == sorted(e.id for e in events)
        # What the rows record is where the events are now.
        on_broker = {orjson.loads(r.value)["id"]: (r.partition, r.offset) for r in records}
        _wait(lambda: replayed_total() - replayed_before == len(events))
        with sessions() as session:
            recorded = {row.event_id: (row.sent_partition, row.sent_offset)
                        for row in session.scalars(select(OutboxMessage))}
        assert recorded == on_broker
    finally:
        relay.stop()
        broker.stop()


def test_an_acknowledgement_below_a_known_offset_triggers_the_replay(sessions) -> None:
    port = free_port()
    broker = EmbeddedBroker(port)
    broker.start()
    # End offsets are checked only after a producer reset: the acknowledgement has to notice the loss.
    # Without idempotence: the idempotent producer fails on the new broker (UnknownProducerId), is
    # reset and the end offsets are checked; a plain producer is acknowledged at the lost offsets.
    relay = OutboxRelay(sessions, broker.bootstrap, check_interval_s=3600,
                        producer_factory=lambda bootstrap: make_producer(bootstrap, enable_idempotence=False))
    try:
        before = [survey_event("2033-01") for _ in range(5)]  # one key: one partition
        write(sessions, before)
        assert relay.publish_batch() == 5
        broker.stop()
        broker = EmbeddedBroker(port)
        broker.start()
        ensure_topics(broker.bootstrap)
        after = survey_event("2033-01")
        write(sessions, [after])
        assert relay.publish_batch() == 1  # acknowledged at offset 0, where the first event was
        assert relay.publish_batch() == 6  # the window replayed, the newest event again last
        assert relay.publish_batch() == 0
        records = read_topic(broker.bootstrap, "leye.statistics", until=7, timeout_s=10)
        ids = [orjson.loads(r.value)["id"] for r in records]
        assert ids == [after.id] + [e.id for e in before] + [after.id]
    finally:
        relay.stop()
        broker.stop()


def test_a_paused_broker_is_no_loss_and_causes_no_replay(sessions, fresh_broker) -> None:
    """A pause longer than the request timeout makes the idempotent producer retry a batch the broker
    appended meanwhile; the broker may acknowledge the duplicate without an offset (-1), which is no
    sign of a lost log."""
    relay = OutboxRelay(sessions, fresh_broker.bootstrap, check_interval_s=0.05,
                        producer_factory=lambda bootstrap: make_producer(bootstrap, request_timeout_ms=1_500))
    replayed_before = replayed_total()
    try:
        before, during = [survey_event("2034-01") for _ in range(5)], [survey_event("2034-01") for _ in range(5)]
        write(sessions, before)
        assert relay.publish_batch() == 5
        write(sessions, during)
        fresh_broker.process.send_signal(signal.SIGSTOP)
        resume = threading.Timer(3.0, fresh_broker.process.send_signal, (signal.SIGCONT,))
        resume.start()
        assert relay.publish_batch() == 5  # acknowledged after the pause, by the producer's own retry
        resume.join()
        # where the broker answered with the offset it had appended at, and -1 (kept as unknown) otherwise
        partition = partition_of(sessions, before)[before[0].id]
        assert partition_and_offset(sessions, during) <= {(partition, offset) for offset in (None, 5, 6, 7, 8, 9)}
        assert relay.publish_batch() == 0
        assert replayed_total() == replayed_before
        records = read_topic(fresh_broker.bootstrap, "leye.statistics", until=10, timeout_s=10)
        assert [orjson.loads(r.value)["id"] for r in records] == [e.id for e in before + during]
    finally:
        relay.stop()


def partition_and_offset(sessions, events: list[CloudEvent]) -> set[tuple[int | None, int | None]]:
    with sessions() as session:
        return set(session.execute(select(OutboxMessage.sent_partition, OutboxMessage.sent_offset)
                                   .where(OutboxMessage.event_id.in_([e.id for e in events]))).tuples())


def test_no_replay_without_a_loss_across_partitions_and_a_relay_restart(sessions, fresh_broker) -> None:
    replayed_before = replayed_total()
    sent: list[CloudEvent] = []
    for round_ in range(2):  # the second relay starts from the offsets the first one recorded
        relay = OutboxRelay(sessions, fresh_broker.bootstrap, poll_interval_s=0.05, check_interval_s=0.05)
        relay.start()
        try:
            for batch in range(3):
                events = [survey_event(f"{2040 + round_ * 3 + batch}-{m:02d}") for m in range(1, 13)]
                write(sessions, events)
                relay.wake()
                sent += events
                _wait(lambda relay=relay: relay.pending() == 0)
                # at least one end-offset check sees these events
                checked = relay._last_check  # noqa: SLF001 - the relay's own clock of checks
                _wait(lambda relay=relay, checked=checked: relay._last_check > checked)  # noqa: SLF001
        finally:
            relay.stop()
    records = read_topic(fresh_broker.bootstrap, "leye.statistics", until=len(sent), timeout_s=10)
    assert sorted(orjson.loads(r.value)["id"] for r in records) == sorted(e.id for e in sent)
    assert replayed_total() == replayed_before
    assert {p for p in partition_of(sessions, sent).values()} == {0, 1, 2}


def replayed_total() -> float:
    return REGISTRY.get_sample_value("leye_outbox_replayed_total") or 0.0


def partition_of(sessions, events: list[CloudEvent]) -> dict[str, int]:
    with sessions() as session:
        rows = session.execute(select(OutboxMessage.event_id, OutboxMessage.sent_partition)
                               .where(OutboxMessage.event_id.in_([e.id for e in events]))).all()
    return dict(rows)


def partitions_in_outbox_order(sessions, records) -> bool:
    """True when, on every partition, the events are in the order of their outbox rows."""
    with sessions() as session:
        order = dict(session.execute(select(OutboxMessage.event_id, OutboxMessage.id)).all())
    by_partition: dict[int, list[int]] = {}
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        by_partition.setdefault(record.partition, []).append(order[orjson.loads(record.value)["id"]])
    return all(ids == sorted(ids) for ids in by_partition.values())


def _wait(condition, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)

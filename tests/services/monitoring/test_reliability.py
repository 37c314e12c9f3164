"""The worker under failure: SIGKILL mid-ingest and poison messages. (Warnings on ``leye.alert`` through a
broker outage and a restart: ``test_warning_outbox.py``.)"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import orjson
import pytest
import uuid_utils

from leye.bench.data.event_set import varied_events
from leye.reference import Reference
from services.monitoring.indicators.catalogue import INDICATORS
from services.runtime.broker import EmbeddedBroker
from tests.conftest import read_topic
from tests.services.monitoring.harness import MonitoringProcess, publish


@pytest.fixture
def broker(fresh_broker: EmbeddedBroker) -> EmbeddedBroker:
    """A broker of this test's own: empty topics, so the worker sees exactly what the test sent."""
    return fresh_broker


def test_sigkill_mid_ingest_neither_loses_nor_double_counts(broker, tmp_path: Path) -> None:
    # Enough events for many batches after the kill: small batches (500) make more of them, each a
    # write and a refresh step the kill may interrupt, without the cost of a larger event set.
    events = varied_events(seed=11, people=1500, employers=30, vacancies=600, sessions=100, cases=700)
    assert len(events) >= 8000
    publish(broker.bootstrap, events)
    worker = MonitoringProcess(broker.bootstrap, tmp_path / "var", MONITORING_BATCH_SIZE="500").start()
    try:
        seen = worker.wait_ingested(2000)
        assert seen <= len(events) - 2000, "no longer mid-ingest: the kill would prove nothing"
        worker.kill()
        worker.start()
        worker.wait_ingested(len(events))
        checks = ((date(2026, 1, 1), date(2026, 12, 31), ""), (date(2026, 4, 1), date(2026, 8, 31), "120111001"))
        for start, end, street in checks:
            params = {"from": start.isoformat(), "to": end.isoformat(), "street_code": street or None}
            rows = worker.get("/stats/indicators", **params).json()["indicators"]
            served = {row["code"]: row["value"] for row in rows}
            reference = Reference(events, start, end, street=street)
            for indicator in INDICATORS:
                expected = getattr(reference, indicator.code)()[0]
                if not indicator.applies(street=street):
                    expected = None  # e.g. the survey rate exists for the district only
                assert served[indicator.code] == pytest.approx(expected), indicator.code
        assert worker.ingested() == len(events)
    finally:
        worker.stop()


def test_poison_messages_are_dead_lettered_counted_and_consumption_goes_on(broker, tmp_path: Path) -> None:
    valid = varied_events(seed=3, people=2, employers=1, vacancies=0, sessions=0, cases=0)
    good = valid[0].to_dict()
    poison = [
        ("not_json", b"{this is not json"),
        ("bad_data", orjson.dumps(good | {"id": str(uuid_utils.uuid7()), "data": {"street_code": "nowhere"}})),
        ("unknown_type", orjson.dumps(good | {"id": str(uuid_utils.uuid7()), "type": "cn.xiqing.leye.ufo.landed.v1"})),
        ("oversized", b'{"pad": "' + b"x" * (1024 * 1024 + 10) + b'"}'),
    ]
    worker = MonitoringProcess(broker.bootstrap, tmp_path / "var").start()
    try:
        from kafka import KafkaProducer

        producer = KafkaProducer(bootstrap_servers=broker.bootstrap, max_request_size=4 * 1024 * 1024)
        for _, value in poison:
            producer.send("leye.registration", key=b"poison", value=value)
        producer.flush()
        producer.close()
        publish(broker.bootstrap, valid)  # after the poison: must still be consumed
        worker.wait_ingested(len(valid))

        dead = [orjson.loads(r.value)["data"] for r in read_topic(broker.bootstrap, "leye.deadletter",
                                                                  until=len(poison), timeout_s=20)]
        reasons = sorted(d["reason_code"] for d in dead if d["consumer"] == "monitoring")
        assert reasons == sorted(code for code, _ in poison)
        for code, _ in poison:
            assert worker.metric("leye_events_deadlettered_total", consumer="monitoring", reason=code) == 1.0
    finally:
        worker.stop()

"""consume_batches in a real faust worker against the real broker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import orjson
import uuid_utils
from kafka import KafkaProducer
from kafka.admin import KafkaAdminClient

from schemas import new_event
from schemas.events.statistics import SurveyRateReported
from services.runtime.broker import ensure_topics
from services.runtime.lostlog import LOST_LOG_EXIT_CODE
from tests.conftest import read_topic

ROOT = Path(__file__).parents[3]


def rate_event(period: str, rate: float):
    data = SurveyRateReported(period=period, rate_percent=rate, published_on=date(2026, 1, 1), source="测试")
    return new_event(data, source="/services/gateway")


def test_poison_goes_to_deadletter_duplicates_are_dropped_and_failures_retried(broker, tmp_path: Path) -> None:
    out = tmp_path / "handled.txt"
    out.touch()
    good_a, good_b, retried, poison = (rate_event("2040-01", 5.0), rate_event("2040-02", 5.1),
                                       rate_event("2040-03", 42.0), rate_event("2040-04", 99.9))
    unknown_type = good_a.to_dict() | {"type": "cn.xiqing.leye.nothing.happened.v1", "id": "x-unknown"}
    bad_data = good_a.to_dict() | {"id": str(uuid_utils.uuid7()), "data": {"period": "2040-13"}}
    messages = [
        good_a.to_json(), b"not json at all", orjson.dumps(unknown_type), orjson.dumps(bad_data),
        b"{" + b" " * (1024 * 1024 + 10) + b"}", poison.to_json(), good_a.to_json(), good_b.to_json(),
        retried.to_json(),
    ]
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap, max_request_size=4 * 1024 * 1024)
    for value in messages:
        producer.send("leye.statistics", key=b"test", value=value)
    producer.flush()

    env = os.environ | {"KAFKA_BOOTSTRAP": broker.bootstrap, "OUT": str(out), "LEYE_LOG_LEVEL": "WARNING",
                        "STREAM_FETCH_MAX_WAIT_MS": "123"}
    worker = subprocess.Popen([sys.executable, "-m", "tests.services.runtime.stream_app"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wanted = {good_a.id, good_b.id, retried.id}
        deadline = time.monotonic() + 60
        while not wanted <= set(out.read_text().split()):
            assert worker.poll() is None, worker.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, "worker did not handle the valid events in time"
            time.sleep(0.2)
        time.sleep(1.0)  # let anything that would be handled twice show up
        handled = out.read_text().split()
        assert handled.count(good_a.id) == 1
        assert poison.id not in handled

        dead = [orjson.loads(r.value)["data"] for r in read_topic(broker.bootstrap, "leye.deadletter", timeout_s=3)]
        ours = {d["reason_code"] for d in dead if d["consumer"] == "teststream"}
        assert {"not_json", "unknown_type", "bad_data", "oversized", "rate_refused"} <= ours
        # faust's own value is 1,500 ms; the runtime replaces it with the setting
        assert Path(f"{out}.fetch_wait").read_text() == "123"
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)


def _worker(broker, out: Path, **env: str) -> subprocess.Popen:
    env = os.environ | {"KAFKA_BOOTSTRAP": broker.bootstrap, "OUT": str(out), "LEYE_LOG_LEVEL": "WARNING", **env}
    return subprocess.Popen([sys.executable, "-m", "tests.services.runtime.stream_app"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_a_batch_never_handled_is_never_committed_even_on_a_clean_stop(broker, tmp_path: Path) -> None:
    out = tmp_path / "handled.txt"
    out.touch()
    refused, after = rate_event("2041-07", 77.7), rate_event("2041-08", 5.3)
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap)
    for event in (refused, after):
        producer.send("leye.statistics", key=b"test", value=event.to_json())
    producer.flush()

    worker = _worker(broker, out, REFUSE_77="1")
    try:
        deadline = time.monotonic() + 60
        while not Path(f"{out}.refused").exists():  # the sink refused the batch: it is being retried
            assert worker.poll() is None and time.monotonic() < deadline
            time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGTERM)  # faust commits what was acknowledged as it stops
        worker.wait(30)
    assert refused.id not in out.read_text().split()

    worker = _worker(broker, out)
    try:
        deadline = time.monotonic() + 60
        while not {refused.id, after.id} <= set(out.read_text().split()):
            assert worker.poll() is None, "worker stopped"
            assert time.monotonic() < deadline, "the refused batch was not redelivered after the restart"
            time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)


def _committed(bootstrap: str, group: str) -> dict:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        offsets = admin.list_group_offsets(group).get(group, {})
        return {tp: meta.offset for tp, meta in offsets.items() if meta.offset >= 0}
    finally:
        admin.close()


def test_a_worker_whose_broker_lost_its_log_stops_uncommitted_and_its_successor_reads_the_replay(
        fresh_broker, tmp_path: Path) -> None:
    """The embedded broker restarts empty and the outboxes replay more events than the worker had
    read: without the guard, faust would skip the replay up to its old read offset."""
    out, log = tmp_path / "handled.txt", tmp_path / "worker.log"
    out.touch()
    before = [rate_event("2042-01", 5.0) for _ in range(12)]
    producer = KafkaProducer(bootstrap_servers=fresh_broker.bootstrap)
    for event in before:
        producer.send("leye.statistics", key=b"test", value=event.to_json())
    producer.flush()
    producer.close()
    env = os.environ | {"KAFKA_BOOTSTRAP": fresh_broker.bootstrap, "OUT": str(out), "LEYE_LOG_LEVEL": "WARNING"}
    with log.open("wb") as stderr:
        worker = subprocess.Popen([sys.executable, "-m", "tests.services.runtime.stream_app"], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=stderr)
    successor = None
    try:
        deadline = time.monotonic() + 60
        while sum(_committed(fresh_broker.bootstrap, "leye-teststream").values()) < len(before):
            assert worker.poll() is None, log.read_text()[-2000:]
            assert time.monotonic() < deadline, "the worker did not commit what it handled"
            time.sleep(0.2)
        assert set(out.read_text().split()) == {e.id for e in before}

        fresh_broker.process.kill()  # the broker loses everything, offsets included
        fresh_broker.process.wait()
        fresh_broker.start()
        ensure_topics(fresh_broker.bootstrap)
        replay = [rate_event("2042-02", 5.0) for _ in range(30)]  # more than the worker had read
        producer = KafkaProducer(bootstrap_servers=fresh_broker.bootstrap)
        for event in replay:
            producer.send("leye.statistics", key=b"test", value=event.to_json())
        producer.flush()
        producer.close()

        assert worker.wait(60) == LOST_LOG_EXIT_CODE
        assert "Kafka 代理丢失了已消费的日志" in log.read_text()
        assert _committed(fresh_broker.bootstrap, "leye-teststream") == {}  # no stale offset reached the new broker

        successor = _worker(fresh_broker, out)  # what a supervisor does
        wanted = {e.id for e in replay}
        deadline = time.monotonic() + 60
        while not wanted <= set(out.read_text().split()):
            assert successor.poll() is None, "successor stopped"
            assert time.monotonic() < deadline, "the successor did not read the replayed events"
            time.sleep(0.2)
    finally:
        for process in (worker, successor):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(30)

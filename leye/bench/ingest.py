"""监测入库吞吐：事件经内嵌代理写入 ClickHouse 的事件/秒、新鲜度与内存，对比 faust 空转与裸 aiokafka。

What is measured, in one run on one embedded (Tansu) broker:

1. ``events_per_s``: N mixed platform events (``leye.bench.data.event_set``, which the monitoring
   tests use too; copied with fresh ids) are published to their topics *before* the clock starts; one monitoring worker
   (``python -m services.monitoring``, fresh chDB) then consumes them all. Rate = N / (time of the
   last acknowledged batch − time the first batch was acknowledged … measured from the worker's
   ``leye_events_consumed_total`` counter, which moves only after ClickHouse has the rows).
2. Floors on the same topics and messages: ``faust_noop_events_per_s`` — a faust agent that takes
   batches of the worker's size and acknowledges them, doing nothing else (``take_events``; the
   worker takes them with ``noack_take`` and acknowledges each event itself, the same work; a
   subprocess, this module's ``noop`` entry point); ``raw_events_per_s`` — a bare aiokafka
   consumer that only parses JSON.
   The faust floor runs twice, just before and just after the worker (each after a file-system
   flush and a pause, see ``_settle``), and the ratio is taken to the mean of the two: the machine's
   speed drifts over a run by more than the margins we care about, and a floor on one side only
   would credit or charge that drift to the worker (``faust_noop_before_events_per_s`` /
   ``…_after…`` show how much it moved).
3. ``freshness_p50_s`` / ``p95`` / ``p99``: afterwards the same worker gets fresh events at a steady
   1,000 events/s, each stamped with its send time; freshness is the time from that event time to its
   raw-log row being queryable (``ingested_at``), read from ``/stats/ingest?since=…``.
4. ``peak_rss_mib``: the worker's peak resident memory (``VmHWM``) at the end, its decoding child's
   added.

``--quick`` (about a minute on the 2-core machine): 100,000 events and 10 s of steady
traffic; full: 500,000 events and 30 s.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import httpx
import orjson
import uuid_utils
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from leye.bench.data.event_set import varied_events
from schemas.fields import SHANGHAI
from services.runtime.broker import EmbeddedBroker, ensure_topics, free_port, stop_process

ROOT = Path(__file__).parents[2]
SOURCE_TOPICS = ["leye.registration", "leye.vacancy", "leye.layoff", "leye.referral", "leye.statistics"]


def _templates() -> list[tuple[str, bytes, dict]]:
    """(topic, key, event dict) of a varied event set, without the ids that copies replace."""
    return [(e.topic, e.key, e.to_dict()) for e in varied_events(seed=17, people=2000, employers=60, vacancies=800,
                                                                     sessions=120, cases=900)
            if e.topic != "leye.statistics"]  # a compacted topic: copies would be compacted away


def _copies(templates: list[tuple[str, bytes, dict]], n: int, *, now: bool = False) -> list[tuple[str, bytes, bytes]]:
    out = []
    for i in range(n):
        topic, key, event = templates[i % len(templates)]
        event = event | {"id": str(uuid_utils.uuid7())}
        if now:
            event["time"] = datetime.now(SHANGHAI).isoformat(timespec="milliseconds")
        out.append((topic, key, orjson.dumps(event)))
    return out


async def _publish(bootstrap: str, messages: list[tuple[str, bytes, bytes]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=20, max_batch_size=512 * 1024, acks=1)
    await producer.start()
    try:
        for start in range(0, len(messages), 5000):
            futures = [await producer.send(t, v, key=k) for t, k, v in messages[start:start + 5000]]
            await asyncio.gather(*futures)
    finally:
        await producer.stop()


async def _steady(bootstrap: str, templates: list[tuple[str, bytes, dict]], rate: int, seconds: float) -> int:
    """Send ``rate`` events a second for ``seconds``, in 10 ms ticks, each stamped when built;
    return how many were sent."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=0, acks=1)
    await producer.start()
    try:
        started, sent = time.perf_counter(), 0
        while (elapsed := time.perf_counter() - started) < seconds:
            due = int(elapsed * rate) - sent
            for topic, key, value in _copies(templates, due, now=True):
                await producer.send(topic, value, key=key)
            sent += due
            await asyncio.sleep(0.01)
        await producer.flush()
        return sent
    finally:
        await producer.stop()


async def _raw_rate(bootstrap: str, n: int) -> float:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                                auto_offset_reset="earliest", max_partition_fetch_bytes=8 * 1024 * 1024)
    await consumer.start()
    try:
        partitions = [TopicPartition(t, p) for t in SOURCE_TOPICS for p in consumer.partitions_for_topic(t) or ()]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        seen, started = 0, None
        while seen < n:
            batch = await consumer.getmany(timeout_ms=500, max_records=10_000)
            started = started or time.perf_counter()
            for records in batch.values():
                for record in records:
                    orjson.loads(record.value)
                    seen += 1
        assert started is not None  # the loop ran: n > 0
        return n / (time.perf_counter() - started)
    finally:
        await consumer.stop()


def _env(bootstrap: str, **extra: str) -> dict[str, str]:
    return os.environ | {"KAFKA_BOOTSTRAP": bootstrap, "LEYE_LOG_LEVEL": "WARNING", **extra}


def _metric(text: str, name: str) -> float:
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(name + "{"))


def _wait_consumed(url: str, n: int, process: subprocess.Popen[bytes], timeout_s: float) -> float:
    """Poll the consumed counter until it reaches ``n``; return the events/s from its first movement
    (the first acknowledged batch) to the last (startup and the first batch are not counted)."""
    first: tuple[float, float] | None = None
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and process.poll() is None:
        try:
            done = _metric(httpx.get(f"{url}/metrics", timeout=5).text, "leye_events_consumed_total")
        except httpx.HTTPError:
            done = 0
        now = time.perf_counter()
        if done and first is None:
            first = (now, done)
        if done >= n:
            return (done - first[1]) / (now - first[0]) if first and now > first[0] else float("nan")
        # Each scrape holds the worker's GIL for a few ms (the process collector reads /proc): polling
        # every 0.1 s took about 3 % of the worker's throughput; 0.5 s costs under 1 %, and the
        # lag it adds at both ends of the measurement (0–0.5 s each) mostly cancels out.
        time.sleep(0.5)
    raise RuntimeError(f"worker consumed fewer than {n} events in {timeout_s}s")


def _peak_rss_mib(pid: int) -> float:
    """Peak resident memory (``VmHWM``) of the worker plus that of its children (the decoding child):
    the sum of peaks, an upper bound of what the two held at once."""
    return sum(_status(p, "VmHWM") / 1024 for p in [pid, *_children(pid)])


def _children(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            if _status(int(status.parent.name), "PPid") == pid:
                found.append(int(status.parent.name))
        except (OSError, ValueError):  # gone meanwhile
            continue
    return found


def _status(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _settle(seconds: float = 5.0) -> None:
    """Flush the file system and wait before a floor is measured, so that neither floor runs while
    the machine is still busy with the step before it (the publisher's burst, the worker's files).

    Without the pause the floor after the worker was lower than the one before in six runs out of
    six (by 8–19 %); with it, in one run of three, while four floors in a row without a worker
    between them showed no such fall. Read the ratio with both floors beside it."""
    os.sync()
    time.sleep(seconds)


def _faust_noop_rate(bootstrap: str, n: int) -> float:
    out = subprocess.run([sys.executable, "-m", "leye.bench.ingest", "noop", str(n)], cwd=ROOT, timeout=600,
                         env=_env(bootstrap), capture_output=True, text=True)
    found = [line[line.index("{"):] for line in (out.stdout + out.stderr).splitlines() if '{"events_per_s"' in line]
    if not found:  # faust redirects stdout into its log (stderr), prefixed
        raise RuntimeError(f"faust no-op floor failed: {out.stderr[-2000:]}")
    return float(orjson.loads(found[-1])["events_per_s"])


def run(quick: bool = False) -> dict[str, float | int]:
    """Publish N events, then measure the worker, the faust no-op floor and a bare aiokafka consumer."""
    n, steady_s = (100_000, 10.0) if quick else (500_000, 30.0)
    templates = _templates()
    workdir = Path(tempfile.mkdtemp(prefix="leye-bench-ingest-"))
    broker = EmbeddedBroker(free_port(), log_path=workdir / "broker.log")
    broker.start()
    worker = None
    try:
        ensure_topics(broker.bootstrap)
        asyncio.run(_publish(broker.bootstrap, _copies(templates, n)))
        raw = asyncio.run(_raw_rate(broker.bootstrap, n))
        _settle()
        noop_before = _faust_noop_rate(broker.bootstrap, n)

        port = free_port()
        with (workdir / "worker.log").open("ab") as log:
            worker = subprocess.Popen(
                [sys.executable, "-m", "services.monitoring"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log,
                env=_env(broker.bootstrap, LEYE_VAR_DIR=str(workdir / "var"), MONITORING_PORT=str(port)))
        url = f"http://127.0.0.1:{port}"
        rate = _wait_consumed(url, n, worker, timeout_s=900)

        since = datetime.now(SHANGHAI)
        expected = asyncio.run(_steady(broker.bootstrap, templates, 1000, steady_s))
        deadline = time.monotonic() + 60
        while True:
            lag = httpx.get(f"{url}/stats/ingest", params={"since": since.isoformat()}, timeout=30).json()["lag"]
            if lag["events"] >= expected or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        peak = _peak_rss_mib(worker.pid)
        stop_process(worker)
        worker = None
        _settle()
        noop_after = _faust_noop_rate(broker.bootstrap, n)
    finally:
        if worker is not None:
            stop_process(worker)
        broker.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    noop = (noop_before + noop_after) / 2
    return {
        "events": n,
        "events_per_s": round(rate, 1),
        "faust_noop_events_per_s": round(noop, 1),
        "faust_noop_before_events_per_s": round(noop_before, 1),
        "faust_noop_after_events_per_s": round(noop_after, 1),
        "raw_events_per_s": round(raw, 1),
        "ratio_to_faust_noop": round(rate / noop, 3),
        "freshness_p50_s": lag["p50_s"],
        "freshness_p95_s": lag["p95_s"],
        "freshness_p99_s": lag["p99_s"],
        "freshness_events": lag["events"],
        "peak_rss_mib": round(peak, 1),
    }


def _noop_main(n: int) -> None:
    """The faust floor: the platform's stream app, batching and worker runtime (``run_worker``), over
    the same topics, doing nothing."""
    from services.runtime.settings import StreamSettings
    from services.runtime.streaming import create_stream_app, run_worker

    settings = StreamSettings()
    app = create_stream_app(f"bench-noop-{uuid_utils.uuid7()}", settings)
    topic = app.topic(*SOURCE_TOPICS, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw")
    state = {"seen": 0, "first": 0.0, "first_batch": 0}

    @app.agent(topic)
    async def noop(stream):  # faust hands the agent a Stream; take_events is not on StreamT
        async for batch in stream.take_events(10_000, 0.5):  # the worker's batch size
            state["seen"] += len(batch)
            if not state["first"]:  # timed from the end of the first batch, as the worker is
                state["first"], state["first_batch"] = time.perf_counter(), len(batch)
            if state["seen"] >= n:
                elapsed = time.perf_counter() - state["first"]
                rate = (state["seen"] - state["first_batch"]) / elapsed
                sys.stdout.write(orjson.dumps({"events_per_s": rate}).decode() + "\n")
                sys.stdout.flush()
                os.kill(os.getpid(), signal.SIGTERM)

    run_worker(app, None, port=0, settings=settings, service="bench-noop")


if __name__ == "__main__" and len(sys.argv) == 3 and sys.argv[1] == "noop":
    _noop_main(int(sys.argv[2]))

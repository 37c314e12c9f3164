"""故障注入：每种故障后各项指标与业务库独立计数的差（丢失、重复）及恢复用时。

Starts the whole platform with ``leye up`` on ports of its own (so ``leye up`` supervises, as in
production on one machine), sends simulator traffic through the gateway, and injects one fault at a
time while traffic flows: SIGKILL of monitoring mid-ingest, of matching, of registration with rows
still in its outbox; SIGKILL of the broker (restarted by ``leye up``, empty) while the monitoring
worker lags 8 s behind (SIGSTOP); the broker paused 20 s; and one poison message of each of four
kinds. The broker restart comes last: whatever it loses stays lost, and the faults after it would
start from counts already off. After each it waits until every indicator equals the independent count computed from the
services' SQL databases (:mod:`leye.reconcile`), or gives up after ``converge_s``.

Per fault: ``lost`` / ``doubled`` — how far the count indicators ended below / above the count from
the records, beyond what earlier faults left; ``recovered_s`` — seconds from the end of the fault
until everything matched (null: never within the limit); ``mismatched`` — the indicators still
off; ``warnings_doubled`` — open warnings sharing a signal and scope; ``matching_unprocessed`` —
recorded events matching never processed; ``cases_doubled`` — 红娘 cases opened twice; for a
poison message, ``deadlettered`` of ``deadletters_expected`` (one per consumer that reads it). Faults run
one after another on one stack, so each starts from the state the previous one left.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import orjson
from kafka import KafkaConsumer, KafkaProducer

from leye.demo import ensure_demo_client
from leye.reconcile import Comparison, compare, recorded_events
from leye.simulator.run import GatewayClient, simulate
from leye.simulator.traffic import Traffic
from services.runtime.broker import port_is_free

MATCHING_TOPICS = {"leye.registration", "leye.vacancy", "leye.layoff"}
POISON_TOPICS = ("leye.registration", "leye.vacancy")  # read by matching, monitoring and programmes
POISON_READERS = 3  # the consumers of POISON_TOPICS: each dead-letters each poison message once
POISON_KINDS = ("not_json", "unknown_type", "bad_data", "oversized")


def poison_message(kind: str, real_event: bytes) -> bytes:
    """One message no consumer can process; the last two start from a real event of the platform."""
    if kind == "not_json":
        return b"not json at all"
    if kind == "oversized":  # over the 1 MiB a consumer accepts
        return b"{" + b" " * (1024 * 1024 + 10) + b"}"
    event = orjson.loads(real_event) | {"id": f"poison-{kind}-{time.time_ns()}"}
    if kind == "unknown_type":
        event["type"] = "cn.xiqing.leye.nothing.happened.v1"
    else:
        event["data"] = {"street_code": "not a street"}
    return orjson.dumps(event)


def free_port_base(size: int = 10) -> int:
    """The first of ``size`` consecutive free ports below the kernel's ephemeral range."""
    for _ in range(200):
        base = random.randrange(20000, 32000 - size)
        if all(port_is_free("127.0.0.1", base + i) for i in range(size)):
            return base
    raise RuntimeError("no free block of ports")


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, stack = set(), [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.add(child)
            stack.append(child)
    return found


class Platform:
    """``leye up`` in a subprocess on free ports, with the calls a fault run needs."""

    def __init__(self, var_dir: Path) -> None:
        self.var_dir = var_dir
        self.base = free_port_base()
        self.broker_port = self.base + 9
        self.bootstrap = f"127.0.0.1:{self.broker_port}"
        env = os.environ | {"PYTHONUNBUFFERED": "1"}
        env.pop("KAFKA_BOOTSTRAP", None)
        self.output: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "leye.cli", "up", "--port-base", str(self.base), "--broker-port",
             str(self.broker_port), "--var-dir", str(var_dir)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        ready = threading.Event()

        def read() -> None:
            assert self.process.stdout is not None  # stdout=PIPE
            for line in self.process.stdout:
                self.output.append(line)
                if line.startswith("READY "):
                    ready.set()
            ready.set()

        threading.Thread(target=read, daemon=True).start()
        ready.wait(300)
        if self.process.poll() is not None or not any(line.startswith("READY ") for line in self.output):
            self.stop()
            raise RuntimeError("leye up did not start:\n" + "".join(self.output[-30:]))
        self.gateway = f"http://127.0.0.1:{self.base}"
        self.monitoring = f"http://127.0.0.1:{self.base + 4}"
        self.client_id, self.secret = ensure_demo_client(var_dir)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(90)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def child(self, needle: str) -> int:
        """The pid of the live process under ``leye up`` whose command line contains ``needle``."""
        deadline = time.monotonic() + 60
        while True:
            for pid in sorted(descendants(self.process.pid)):
                try:
                    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
                except OSError:
                    continue
                if needle in cmdline and "multiprocessing" not in cmdline:
                    return pid
            if time.monotonic() > deadline:
                raise RuntimeError(f"no process {needle} under leye up")
            time.sleep(0.2)

    def traffic(self, seed: int, count: int, rate: float) -> threading.Thread:
        async def send() -> None:
            client = GatewayClient(self.gateway, self.client_id, self.secret)
            try:
                await simulate(Traffic(seed), client, rate=rate, duration_s=None, count=count,
                               log_path=self.var_dir / "simulator" / f"faults-{seed}.jsonl")
            finally:
                await client.close()

        thread = threading.Thread(target=lambda: asyncio.run(send()), daemon=True)
        thread.start()
        return thread

    def compare(self) -> tuple[Comparison, dict[str, int]] | None:
        """Indicators against the records, plus warnings and matching's state (see the module
        docstring); None while monitoring does not answer."""
        try:
            with httpx.Client(timeout=30) as client:
                listed = client.get(f"{self.monitoring}/stats/indicators").raise_for_status().json()
                warnings = client.get(f"{self.monitoring}/warnings", params={"status": "open"}).raise_for_status()
        except (httpx.HTTPError, ValueError):
            return None
        keys = Counter((w["signal"], w["scope_kind"], w["scope_code"]) for w in warnings.json()["warnings"])
        comparison = compare(listed["indicators"], recorded_events(self.var_dir),
                             date.fromisoformat(listed["start"]), date.fromisoformat(listed["end"]))
        return comparison, {"warnings_doubled": sum(n - 1 for n in keys.values()), **self.matching_state()}

    def converge(self, since: float, limit_s: float, before: Comparison | None = None,
                 ) -> tuple[float | None, Comparison, dict[str, int]]:
        """Poll until everything matches — or, when an earlier fault left counts off (``before``),
        until they are back where that fault left them — and matching processed every recorded
        event; the seconds since ``since`` it took (None: not within the limit)."""
        deadline = time.monotonic() + limit_s
        last: tuple[Comparison, dict[str, int]] = (Comparison(), {})
        while True:
            found = self.compare()
            if found is not None:
                last = found
                settled = found[0].equal or (before is not None and not before.equal
                                             and (found[0].lost, found[0].doubled) == (before.lost, before.doubled))
                if settled and found[1]["matching_unprocessed"] == 0:
                    return round(time.monotonic() - since, 1), *found
            if time.monotonic() > deadline:
                return None, *last
            time.sleep(1.0)

    def matching_state(self) -> dict[str, int]:
        """Events on matching's topics it never processed (it records each id in ``processed_events``
        in the transaction of its effects), and 红娘 cases opened twice: more than one system case
        not closed for the same person or vacancy (matching opens one at a time)."""
        ids = {e.id for e in recorded_events(self.var_dir) if e.topic in MATCHING_TOPICS}
        with closing(sqlite3.connect(f"file:{self.var_dir / 'matching'}.sqlite3?mode=ro", uri=True,
                                     timeout=30)) as conn:
            processed = {row[0] for row in conn.execute("SELECT event_id FROM processed_events")}
            doubled = sum(n - 1 for (n,) in conn.execute(
                "SELECT count(*) FROM cases WHERE origin = 'system' AND status != 'closed' "
                "GROUP BY coalesce(person_ref, ''), coalesce(vacancy_id, '') HAVING count(*) > 1"))
        return {"matching_unprocessed": len(ids - processed), "cases_doubled": doubled}

    def unsent(self, service: str) -> int:
        with closing(sqlite3.connect(f"file:{self.var_dir / service}.sqlite3?mode=ro", uri=True, timeout=30)) as conn:
            return int(conn.execute("SELECT count(*) FROM outbox WHERE sent_at IS NULL").fetchone()[0])

    def produce(self, topic: str, value: bytes) -> tuple[str, int, int]:
        """Send one message; where it landed (topic, partition, offset)."""
        producer = KafkaProducer(bootstrap_servers=self.bootstrap, max_request_size=4 * 1024 * 1024)
        try:
            sent = producer.send(topic, key=b"bench-poison", value=value).get(timeout=30)
        finally:
            producer.close()
        return topic, sent.partition, sent.offset

    def deadlettered(self, messages: set[tuple[str, int, int]]) -> int:
        """How many dead letters on ``leye.deadletter`` name one of ``messages`` (one per consumer)."""
        consumer = KafkaConsumer("leye.deadletter", bootstrap_servers=self.bootstrap, group_id=None,
                                 auto_offset_reset="earliest", consumer_timeout_ms=3000)
        try:
            records = [orjson.loads(record.value)["data"] for record in consumer]
        finally:
            consumer.close()
        return sum(1 for d in records if (d["original_topic"], d["partition"], d["offset"]) in messages)


def _kill(platform: Platform, service: str) -> Callable[[], dict[str, Any]]:
    def inject() -> dict[str, Any]:
        os.kill(platform.child(f"services.{service}"), signal.SIGKILL)
        return {}
    return inject


def _kill_with_pending_outbox(platform: Platform, service: str) -> Callable[[], dict[str, Any]]:
    """The broker paused for 2 s first, so the service's outbox holds rows it could not send yet."""
    def inject() -> dict[str, Any]:
        broker = platform.child("tansu")
        os.kill(broker, signal.SIGSTOP)
        try:
            time.sleep(2.0)
            unsent = platform.unsent(service)
            os.kill(platform.child(f"services.{service}"), signal.SIGKILL)
        finally:
            os.kill(broker, signal.SIGCONT)
        return {"unsent_at_kill": unsent}
    return inject


def _broker_restart(platform: Platform, lag_s: float) -> Callable[[], dict[str, Any]]:
    def inject() -> dict[str, Any]:
        monitoring = platform.child("services.monitoring")
        os.kill(monitoring, signal.SIGSTOP)
        try:
            time.sleep(lag_s)
            broker = platform.child("tansu")
            os.kill(broker, signal.SIGKILL)
            deadline = time.monotonic() + 60
            while platform.child("tansu") == broker and time.monotonic() < deadline:
                time.sleep(0.2)  # leye up restarts it
        finally:
            os.kill(monitoring, signal.SIGCONT)
        return {}
    return inject


def _broker_pause(platform: Platform, pause_s: float) -> Callable[[], dict[str, Any]]:
    def inject() -> dict[str, Any]:
        broker = platform.child("tansu")
        os.kill(broker, signal.SIGSTOP)
        try:
            time.sleep(pause_s)
        finally:
            os.kill(broker, signal.SIGCONT)
        return {}
    return inject


def _poison(platform: Platform, kind: str) -> Callable[[], dict[str, Any]]:
    def inject() -> dict[str, Any]:
        real = next(e for e in recorded_events(platform.var_dir) if e.topic == "leye.registration")
        value = poison_message(kind, real.to_json())
        return {"poison": {platform.produce(topic, value) for topic in POISON_TOPICS}}
    return inject


def run(quick: bool = False) -> dict[str, Any]:
    count, rate, converge_s = (120, 20.0, 120.0) if quick else (600, 30.0, 300.0)
    with tempfile.TemporaryDirectory(prefix="leye-faults-") as tmp:
        platform = Platform(Path(tmp))
        try:
            faults: dict[str, Callable[[], dict[str, Any]]] = {
                "monitoring_sigkill": _kill(platform, "monitoring"),
                "matching_sigkill": _kill(platform, "matching"),
                "registration_sigkill_pending_outbox": _kill_with_pending_outbox(platform, "registration"),
                "broker_paused_20s": _broker_pause(platform, 20.0),
                **{f"poison_{kind}": _poison(platform, kind) for kind in POISON_KINDS},
                "broker_restart_monitoring_lagging": _broker_restart(platform, 8.0),
            }
            results: dict[str, Any] = {}
            platform.traffic(seed=1, count=count, rate=rate).join()  # a history before the first fault
            baseline_s, previous, _ = platform.converge(time.monotonic(), converge_s)
            baseline = {"lost": previous.lost, "doubled": previous.doubled, "recovered_s": baseline_s,
                        "mismatched": {code: list(pair) for code, pair in previous.mismatched.items()}}
            for seed, (name, inject) in enumerate(faults.items(), start=2):
                traffic = platform.traffic(seed=seed, count=count, rate=rate)
                time.sleep(min(3.0, count / rate / 3))  # mid-traffic
                extra = inject()
                ended = time.monotonic()
                traffic.join()
                recovered_s, comparison, state = platform.converge(ended, converge_s, previous)
                if poison := extra.pop("poison", None):
                    extra["deadletters_expected"] = POISON_READERS * len(poison)
                    deadline = time.monotonic() + 60
                    while ((found := platform.deadlettered(poison)) < extra["deadletters_expected"]
                           and time.monotonic() < deadline):
                        time.sleep(1.0)
                    extra["deadlettered"] = found
                results[name] = {
                    "lost": max(0.0, comparison.lost - previous.lost),
                    "doubled": max(0.0, comparison.doubled - previous.doubled),
                    "recovered_s": recovered_s,
                    "mismatched": {code: list(pair) for code, pair in comparison.mismatched.items()},
                    **state,
                    **extra,
                }
                previous = comparison
            restarts = [line.strip() for line in platform.output if "意外退出" in line]
        finally:
            platform.stop()
    return {"faults": results, "baseline": baseline, "restarts": restarts, "calls_per_fault": count, "rate": rate}

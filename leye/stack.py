"""Starting the platform on one machine: the embedded broker, the topics and each service as its
own process, with readiness waits and a clean stop (what ``leye up`` does)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from services.runtime.broker import EmbeddedBroker, die_with_parent, ensure_topics, port_is_free, stop_process


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    offset: int  # port = port_base + offset

    @property
    def module(self) -> str:
        return f"services.{self.name}"


SERVICES = (
    ServiceSpec("gateway", 0),
    ServiceSpec("registration", 1),
    ServiceSpec("vacancies", 2),
    ServiceSpec("matching", 3),
    ServiceSpec("monitoring", 4),
    ServiceSpec("programmes", 5),
)
DEFAULT_PORT_BASE = 8000
DEFAULT_BROKER_PORT = 9092


class PortInUse(Exception):  # noqa: N818
    def __init__(self, port: int, owner: str) -> None:
        super().__init__(f"端口 {port} 已被占用（{owner}）：请释放该端口，或用 --port-base / --broker-port 换一组端口")
        self.port, self.owner = port, owner


@dataclass
class Stack:
    """The running platform. ``start()`` then ``stop()``; safe to call ``stop()`` twice."""

    port_base: int = DEFAULT_PORT_BASE
    broker_port: int = DEFAULT_BROKER_PORT
    var_dir: Path = Path("var")
    kafka_bootstrap: str | None = None  # an external broker; None starts the embedded one
    extra_env: dict[str, str] = field(default_factory=dict)
    only: tuple[str, ...] = ()  # start only these services (tests); empty = every service
    broker: EmbeddedBroker | None = None
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def services(self) -> list[ServiceSpec]:
        return [s for s in SERVICES if not self.only or s.name in self.only]

    def url(self, name: str) -> str:
        spec = next(s for s in SERVICES if s.name == name)
        return f"http://127.0.0.1:{self.port_base + spec.offset}"

    @property
    def bootstrap(self) -> str:
        return self.kafka_bootstrap or f"127.0.0.1:{self.broker_port}"

    def check_ports(self) -> None:
        if self.kafka_bootstrap is None and not port_is_free("127.0.0.1", self.broker_port):
            raise PortInUse(self.broker_port, "Kafka 代理")
        for spec in self.services:
            if not port_is_free("127.0.0.1", self.port_base + spec.offset):
                raise PortInUse(self.port_base + spec.offset, spec.name)

    def start_broker(self) -> None:
        (self.var_dir / "logs").mkdir(parents=True, exist_ok=True)
        if self.kafka_bootstrap is None:
            self.broker = EmbeddedBroker(self.broker_port, log_path=self.var_dir / "logs" / "broker.log")
            self.broker.start()
        ensure_topics(self.bootstrap)

    def broker_exit_code(self) -> int | None:
        """The embedded broker's exit code if it exited (reaping it), else None."""
        if self.broker is None:
            return None
        if self.broker.process is None:  # a restart that failed: try again
            return -1
        return self.broker.process.poll()

    def restart_broker(self) -> None:
        """Start the embedded broker again on its port and re-create the topics. It comes back empty
        (memory storage): the outboxes re-publish what they sent within their replay window, and
        stream workers notice the lost log and restart (services/runtime/lostlog.py)."""
        assert self.broker is not None
        self.broker.stop()
        self.broker.start()
        ensure_topics(self.bootstrap)

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update({
            "KAFKA_BOOTSTRAP": self.bootstrap,
            "LEYE_VAR_DIR": str(self.var_dir.resolve()),
            "PYTHONUNBUFFERED": "1",
        })
        for spec in SERVICES:
            env[f"{spec.name.upper()}_PORT"] = str(self.port_base + spec.offset)
            env[f"{spec.name.upper()}_URL"] = self.url(spec.name)
        env.update(self.extra_env)
        return env

    def start_service(self, name: str) -> None:
        spec = next(s for s in SERVICES if s.name == name)
        log = open(self.var_dir / "logs" / f"{name}.log", "ab")  # noqa: SIM115 - owned by the child
        self.processes[name] = subprocess.Popen(
            [sys.executable, "-m", spec.module], env=self.environment(), stdout=log, stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent, start_new_session=True,
        )
        log.close()

    def start(self, timeout_s: float = 60.0) -> None:
        self.var_dir.mkdir(parents=True, exist_ok=True)
        self.check_ports()
        self.start_broker()
        for spec in self.services:
            self.start_service(spec.name)
        self.wait_ready([s.name for s in self.services], timeout_s)

    def wait_ready(self, names: list[str], timeout_s: float = 60.0) -> None:
        deadline = time.monotonic() + timeout_s
        pending = list(names)
        with httpx.Client(timeout=1.0) as client:
            while pending:
                for name in list(pending):
                    process = self.processes[name]
                    if process.poll() is not None:
                        raise RuntimeError(
                            f"{name} 启动失败（退出码 {process.returncode}），日志：{self.var_dir / 'logs' / name}.log"
                        )
                    try:
                        if client.get(f"{self.url(name)}/readyz").status_code == 200:
                            pending.remove(name)
                    except httpx.HTTPError:
                        pass
                if pending and time.monotonic() > deadline:
                    raise RuntimeError(f"{timeout_s:.0f} 秒内未就绪：{', '.join(pending)}")
                if pending:
                    time.sleep(0.2)

    def stop_service(self, name: str, sig: int = signal.SIGTERM, timeout_s: float = 15.0) -> None:
        stop_process(self.processes.pop(name, None), timeout_s, sig)

    def stop(self) -> None:
        for name in list(self.processes):
            process = self.processes[name]
            if process.poll() is None:
                process.terminate()
        for name in list(self.processes):
            self.stop_service(name)
        if self.broker is not None:
            self.broker.stop()
            self.broker = None

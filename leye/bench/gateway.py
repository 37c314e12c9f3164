"""接口网关：每请求的 CPU 时间，相对直连后端增加的延迟（p50/p99，200 请求/秒，含令牌校验与审计）与容量。

Starts a stand-in backend (a tiny Starlette app answering like the registration service's
``GET /persons/{person_ref}``) and the real gateway (``python -m services.gateway``) as separate
processes on free loopback ports, registers a client, gets a token, then drives two open-loop
phases at the same fixed rate: the backend directly, then the same path through the gateway with a
bearer token. The gateway path is a personal-data route, so every request validates the JWT, checks
the client's active flag, takes a rate-limit token and writes an audit row.

``run(quick)`` returns ``{"gateway_cpu_ms_per_request", "backend_cpu_ms_per_request",
"gateway_cpu_per_backend_cpu", "cpu_requests", "cpu_concurrency", "rps", "requests", "direct_p50_ms",
"direct_p99_ms", "gateway_p50_ms", "gateway_p99_ms", "added_p50_ms", "added_p99_ms", "errors",
"capacity_rps", "steps"}``; added =
gateway percentile minus direct percentile; errors = non-200 answers, failed requests, or requests
not answered within 5 s, in either phase (at most 200 connections are open at once). ``quick`` runs
10 s per phase instead of 30 s.

``capacity_rps``: the highest open-loop rate of :data:`STEPS` (from 200 req/s up) at which the
gateway's added p99 stays within :data:`CAPACITY_P99_MS` with no errors, each rate measured like
the first (backend directly, then through the gateway) for 5 s (quick: 2 s); the stepping stops at
the first rate that misses. 0 means not even 200 req/s. ``steps`` lists each rate's added p99 and
errors. The load generator shares the machine: on 2 cores its own CPU use caps what can be shown.

``gateway_cpu_ms_per_request`` / ``backend_cpu_ms_per_request``: CPU time (user + system, every
thread) the gateway process / the stand-in backend spent per request through the gateway, read from
``/proc/<pid>/stat`` before and after :data:`CPU_REQUESTS` requests (quick: :data:`CPU_REQUESTS_QUICK`)
sent by :data:`CPU_CONCURRENCY` closed-loop connections, after a warm-up. Unlike latency, CPU per
request hardly moves when other work shares the machine, so it is the figure to compare between runs
on a busy machine; the gateway's share of a core at a rate R is about R × this figure.
``gateway_cpu_per_backend_cpu`` divides it by the backend's figure: the backend does the same small
work in every run, so the ratio also cancels how fast the shared machine happens to be (it stayed
within ±4 % across runs whose absolute figures moved by 30 %). ``run(cpu=True)``
(``leye bench gateway --cpu``) measures only this and skips the latency phases.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

RATE = 200
STEPS = (200, 300, 400, 500, 600, 800, 1000, 1200, 1500, 2000)
CAPACITY_P99_MS = 10.0
MAX_CONNECTIONS = 200
TIMEOUT_S = 5.0  # a request not answered within this counts as an error
PERSON_REF = "c" * 64
CPU_REQUESTS, CPU_REQUESTS_QUICK, CPU_WARMUP = 5000, 2000, 300
CPU_CONCURRENCY = 4  # a few requests in flight, as at a moderate rate: audit rows share some commits


def backend_app() -> Starlette:
    """The stand-in backend (``uvicorn --factory leye.bench.gateway:backend_app``)."""

    async def person(request: Request) -> JSONResponse:
        return JSONResponse({"person_ref": request.path_params["ref"], "street_code": "120111001",
                             "status": "unemployed"})

    return Starlette(routes=[Route("/persons/{ref}", person)])


Figures = dict[str, float | int | list[dict[str, float | int]]]


def run(quick: bool = False, cpu: bool = False) -> Figures:
    seconds, step_seconds = (10, 2) if quick else (30, 5)
    with running() as (direct_url, gateway_url, headers, gateway_pid, backend_pid):
        figures: Figures = asyncio.run(_cpu_per_request(gateway_url, headers, gateway_pid, backend_pid,
                                               CPU_REQUESTS_QUICK if quick else CPU_REQUESTS))
        if cpu:
            return figures
        direct, direct_errors = asyncio.run(_drive(direct_url, {}, seconds, RATE))
        via, via_errors = asyncio.run(_drive(gateway_url, headers, seconds, RATE))
        steps: list[dict[str, float | int]] = []
        capacity = 0
        for rate in STEPS:
            near, near_errors = asyncio.run(_drive(direct_url, {}, step_seconds, rate))
            far, far_errors = asyncio.run(_drive(gateway_url, headers, step_seconds, rate))
            added = round(_pct(far, 99) - _pct(near, 99), 2)
            steps.append({"rps": rate, "added_p99_ms": added, "errors": near_errors + far_errors})
            if added > CAPACITY_P99_MS or near_errors + far_errors:
                break
            capacity = rate
    d50, d99, g50, g99 = _pct(direct, 50), _pct(direct, 99), _pct(via, 50), _pct(via, 99)
    return figures | {
        "rps": RATE, "requests": len(via), "direct_p50_ms": d50, "direct_p99_ms": d99,
        "gateway_p50_ms": g50, "gateway_p99_ms": g99, "added_p50_ms": round(g50 - d50, 2),
        "added_p99_ms": round(g99 - d99, 2), "errors": direct_errors + via_errors,
        "capacity_rps": capacity, "steps": steps,
    }


@contextmanager
def running() -> Iterator[tuple[str, str, dict[str, str], int, int]]:
    """The stand-in backend and the gateway as processes, with a registered client: yields the
    direct URL, the gateway URL, the Authorization header, the gateway's pid and the backend's (for
    a profiler, and for their CPU time)."""
    from services.runtime.broker import free_port

    with tempfile.TemporaryDirectory(prefix="leye-bench-gateway-") as tmp:
        backend_port, gateway_port = free_port(), free_port()
        env = os.environ | {
            "LEYE_VAR_DIR": tmp, "GATEWAY_DATABASE_URL": f"sqlite:///{Path(tmp) / 'gateway.sqlite3'}",
            "GATEWAY_PORT": str(gateway_port), "REGISTRATION_URL": f"http://127.0.0.1:{backend_port}",
            "GATEWAY_RATE_PER_S": "10000", "GATEWAY_RATE_BURST": "10000",
            "KAFKA_BOOTSTRAP": "127.0.0.1:1",
        }
        secret = _register_client(env)
        processes = [
            subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "leye.bench.gateway:backend_app",
                              "--port", str(backend_port), "--log-level", "warning", "--no-access-log"], env=env),
            # Logs at the default level (the access log is part of the cost), read by nobody.
            subprocess.Popen([sys.executable, "-m", "services.gateway"], env=env, stderr=subprocess.DEVNULL),
        ]
        try:
            direct_url = f"http://127.0.0.1:{backend_port}/persons/{PERSON_REF}"
            gateway_url = f"http://127.0.0.1:{gateway_port}/v1/persons/{PERSON_REF}"
            _wait_for(f"http://127.0.0.1:{backend_port}/persons/x")
            _wait_for(f"http://127.0.0.1:{gateway_port}/readyz")
            token = httpx.post(f"http://127.0.0.1:{gateway_port}/oauth/token",
                               data={"grant_type": "client_credentials"}, auth=("bench", secret)).json()
            yield (direct_url, gateway_url, {"Authorization": f"Bearer {token['access_token']}"},
                   processes[1].pid, processes[0].pid)
        finally:
            for process in processes:
                process.terminate()
                process.wait(20)


def _register_client(env: dict[str, str]) -> str:
    """Register the benchmark's client with the operators' CLI; return its secret."""
    done = subprocess.run([sys.executable, "-m", "leye.cli", "gateway", "clients", "add", "bench",
                           "--department", "基准测试", "--scope", "persons:read"],
                          env=env, capture_output=True, text=True, check=True, timeout=60)
    return next(line.split("：", 1)[1].strip() for line in done.stdout.splitlines() if line.startswith("客户端密钥"))


def _wait_for(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far, every thread included (``/proc/<pid>/stat``)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    # Fields after the command name, which is in parentheses and may itself hold spaces.
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _cpu_per_request(url: str, headers: dict[str, str], gateway_pid: int, backend_pid: int,
                           requests: int) -> Figures:
    """CPU milliseconds per request of the gateway and of the backend (module docstring)."""
    await _closed_loop(url, headers, CPU_WARMUP, CPU_CONCURRENCY)
    gateway_before, backend_before = cpu_seconds(gateway_pid), cpu_seconds(backend_pid)
    await _closed_loop(url, headers, requests, CPU_CONCURRENCY)
    gateway_used, backend_used = cpu_seconds(gateway_pid) - gateway_before, cpu_seconds(backend_pid) - backend_before
    return {"gateway_cpu_ms_per_request": round(gateway_used * 1000 / requests, 3),
            "backend_cpu_ms_per_request": round(backend_used * 1000 / requests, 3),
            "gateway_cpu_per_backend_cpu": round(gateway_used / backend_used, 2) if backend_used else 0.0,
            "cpu_requests": requests, "cpu_concurrency": CPU_CONCURRENCY}


async def _closed_loop(url: str, headers: dict[str, str], requests: int, concurrency: int) -> None:
    """``requests`` requests over ``concurrency`` keep-alive connections, each sending its next request
    when the previous one is answered; any answer but 200 stops the benchmark (a refused or failed
    request costs less than a served one, so it would flatter the figure)."""
    target = httpx.URL(url)
    request = _request_bytes(target, headers)
    left = requests

    async def connection() -> None:
        nonlocal left
        reader, writer = await asyncio.open_connection(target.host, target.port)
        try:
            while left > 0:
                left -= 1
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                await reader.readexactly(_content_length(head))
                if head[9:12] != b"200":
                    raise RuntimeError(f"{url} answered {head[9:12].decode()} during the CPU measurement")
        finally:
            writer.close()

    await asyncio.gather(*(connection() for _ in range(concurrency)))


def _request_bytes(target: httpx.URL, headers: dict[str, str]) -> bytes:
    lines = [f"GET {target.raw_path.decode()} HTTP/1.1", f"Host: {target.host}:{target.port}",
             *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _content_length(head: bytes) -> int:
    return next(int(line.split(b":")[1]) for line in head.lower().split(b"\r\n") if line.startswith(b"content-length:"))


async def _drive(url: str, headers: dict[str, str], seconds: int, rate: int) -> tuple[list[float], int]:
    """Open loop: one request every 1/rate s whatever the answers do; 1 s of warm-up is discarded.

    The client speaks HTTP/1.1 over a pool of keep-alive connections with asyncio streams: a full
    HTTP client library costs more CPU per request than the gateway itself, and on a small machine
    that cost would be measured as gateway latency.
    """
    target = httpx.URL(url)
    request = _request_bytes(target, headers)
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    latencies: list[float] = []
    errors = 0
    connections = asyncio.Semaphore(MAX_CONNECTIONS)  # an overloaded server must not exhaust file descriptors

    async def exchange() -> bool:
        """One request; a kept-alive connection the server has closed meanwhile is retried once on a
        fresh connection, as HTTP clients do for idempotent requests."""
        for reuse in (bool(idle), False):
            reader, writer = idle.pop() if reuse else await asyncio.open_connection(target.host, target.port)
            try:
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
            except (OSError, asyncio.IncompleteReadError):
                writer.close()
                if reuse:
                    continue
                raise
            await reader.readexactly(_content_length(head))
            idle.append((reader, writer))
            return head[9:12] == b"200"
        return False

    async def one(record: bool) -> None:
        nonlocal errors
        started = time.perf_counter()
        try:
            async with connections:
                ok = await asyncio.wait_for(exchange(), TIMEOUT_S)
        except (OSError, asyncio.IncompleteReadError, StopIteration, ValueError, TimeoutError):
            ok = False
        if record:
            latencies.append((time.perf_counter() - started) * 1000)
            errors += 0 if ok else 1

    loop = asyncio.get_running_loop()
    start = loop.time()
    tasks = []
    for i in range((seconds + 1) * rate):
        await asyncio.sleep(max(0.0, start + i / rate - loop.time()))
        tasks.append(asyncio.create_task(one(record=i >= rate)))
    await asyncio.gather(*tasks)
    for _, writer in idle:
        writer.close()
    return latencies, errors


def _pct(values: list[float], pct: int) -> float:
    return round(statistics.quantiles(values, n=100, method="inclusive")[pct - 1], 2) if pct < 100 else max(values)

"""写接口压测：求职登记与岗位发布 200 次/秒、16 个并发客户端下的延迟、错误与事件送达。

Starts the registration service (and the vacancies service when it exists) as real processes on
SQLite with the embedded broker, through ``leye.stack.Stack`` on free ports in a temporary
directory. Then, open-loop at ``RATE`` requests per second shared by ``CLIENTS`` concurrent
clients (each its own HTTP connection):

1. baseline: ``GET /healthz`` of the registration service (same server stack, no database);
2. writes: ``POST /persons`` with distinct fictitious people, alternating with ``POST /vacancies``
   (on one employer registered beforehand) when the vacancies service is there.

Latency is measured per request from send to full response; a request scheduled while all clients
are busy starts late, and that wait is not counted (the achieved ``rps`` shows it). Afterwards every
accepted write's event is looked for on Kafka (``leye.registration`` by person_ref, ``leye.vacancy``
by vacancy id), waiting up to ``DRAIN_TIMEOUT_S`` for the outbox relays.

``run(quick)`` returns ``rps`` (achieved write rate), ``p50_ms``, ``p99_ms`` (writes), ``errors``
(non-2xx answers and transport failures), ``baseline_p99_ms``, ``events_missing``, plus
``requests``, ``baseline_p50_ms``, ``services`` and the write p99 of each service. Full: 30 s of writes; quick: 8 s.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import httpx
import orjson
from aiokafka import AIOKafkaConsumer

from leye.stack import Stack
from schemas.ids import credit_code_check_char, id_check_char
from services.runtime.broker import free_port, port_is_free

RATE = 200
CLIENTS = 16
DRAIN_TIMEOUT_S = 60.0
_EMPLOYER = "91120111MA05K3XQ0" + credit_code_check_char("91120111MA05K3XQ0")


@dataclass
class Results:
    """Latencies in milliseconds, errors, and what each accepted write should have published."""

    latencies_ms: list[float] = field(default_factory=list)
    by_topic_ms: dict[str, list[float]] = field(default_factory=lambda: {"leye.registration": [], "leye.vacancy": []})
    errors: int = 0
    accepted: dict[str, set[str]] = field(default_factory=lambda: {"leye.registration": set(), "leye.vacancy": set()})


Request = tuple[str, str, dict[str, object] | None, str | None]  # method, url, json body, topic


def _id_number(i: int) -> str:
    """A distinct valid GB 11643 number per ``i`` (men born from 1975 on: always of working age)."""
    born = date(1975, 1, 1) + timedelta(days=i // 400)
    first17 = f"120111{born:%Y%m%d}{(i % 400) * 2 + 1:03d}"
    return first17 + id_check_char(first17)


def _person(i: int) -> dict[str, object]:
    return {"name": f"压测{i}", "id_number": _id_number(i), "phone": f"139{i:08d}", "street_code": "120111001",
            "education": "20", "skills": [{"name": "数控车床", "level": 2}], "desired_industry": "C",
            "desired_salary_min": 4000, "desired_salary_max": 6500, "key_groups": ["resident"]}


def _vacancy(i: int) -> dict[str, object]:
    today = date.today()
    return {"employer_ref": _EMPLOYER, "title": f"数控车工{i}", "description": "操作数控车床，加工机械零件",
            "industry": {"section": "C", "division": "34"}, "headcount": 2, "salary_min": 5000,
            "salary_max": 7000, "valid_from": today.isoformat(),
            "valid_until": (today + timedelta(days=30)).isoformat()}


async def _drive(requests: list[Request], results: Results, rate: float) -> float:
    """Send ``requests`` open-loop at ``rate`` per second with ``CLIENTS`` workers; return seconds taken."""
    index = itertools.count()
    start = time.perf_counter() + 0.2

    async def worker() -> None:
        async with httpx.AsyncClient(timeout=10.0) as client:
            while (i := next(index)) < len(requests):
                await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
                method, url, body, topic = requests[i]
                sent = time.perf_counter()
                try:
                    response = await client.request(method, url, json=body)
                except httpx.HTTPError:
                    results.errors += 1
                    continue
                results.latencies_ms.append((time.perf_counter() - sent) * 1000)
                if topic is not None:
                    results.by_topic_ms[topic].append(results.latencies_ms[-1])
                if not response.is_success:
                    results.errors += 1
                elif topic is not None:
                    reply = response.json()
                    results.accepted[topic].add(reply.get("person_ref") or reply["vacancy_id"])

    await asyncio.gather(*(worker() for _ in range(CLIENTS)))
    return time.perf_counter() - start


async def _missing_events(bootstrap: str, accepted: dict[str, set[str]]) -> int:
    """How many accepted writes have no event on their topic (subject = aggregate id) after draining."""
    expected = {topic: set(ids) for topic, ids in accepted.items() if ids}
    if not expected:
        return 0
    consumer = AIOKafkaConsumer(*expected, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                group_id=None, enable_auto_commit=False)
    await consumer.start()
    deadline = time.monotonic() + DRAIN_TIMEOUT_S
    try:
        while any(expected.values()) and time.monotonic() < deadline:
            for partition, records in (await consumer.getmany(timeout_ms=500)).items():
                for record in records:
                    expected[partition.topic].discard(orjson.loads(record.value).get("subject"))
    finally:
        await consumer.stop()
    return sum(len(ids) for ids in expected.values())


def _free_port_base() -> int:
    """A port base in 20000–30000 whose registration (+1) and vacancies (+2) ports are free."""
    while True:
        base = random.randint(20000, 29990)
        if all(port_is_free("127.0.0.1", base + offset) for offset in range(5)):
            return base


def _percentile(values: list[float], q: int) -> float:
    return round(statistics.quantiles(values, n=100, method="inclusive")[q - 1], 2) if values else 0.0


def run(quick: bool = False) -> dict[str, object]:
    """Start the services, measure baseline and writes, check the events; return the figures."""
    seconds = 8 if quick else 30
    with tempfile.TemporaryDirectory(prefix="leye-bench-api-") as tmp:
        stack = Stack(port_base=_free_port_base(), broker_port=free_port(), var_dir=Path(tmp),
                      only=("registration", "vacancies"))
        stack.start()
        try:
            return _measure(stack, seconds)
        finally:
            stack.stop()


def _measure(stack: Stack, seconds: int) -> dict[str, object]:
    names = [s.name for s in stack.services]
    registration = stack.url("registration")
    has_vacancies = "vacancies" in names
    if has_vacancies:
        employer = {"employer_ref": _EMPLOYER, "name": "天津西青精密机械有限公司",
                    "industry": {"section": "C", "division": "34"}, "street_code": "120111001", "staff_count": 300}
        httpx.post(f"{stack.url('vacancies')}/employers", json=employer, timeout=10).raise_for_status()

    writes: list[Request] = []
    for i in range(RATE * seconds):
        if has_vacancies and i % 2:
            writes.append(("POST", f"{stack.url('vacancies')}/vacancies", _vacancy(i), "leye.vacancy"))
        else:
            writes.append(("POST", f"{registration}/persons", _person(i), "leye.registration"))
    warmup: list[Request] = [("GET", f"{registration}/healthz", None, None)] * (RATE * 2)
    baseline_requests: list[Request] = [("GET", f"{registration}/healthz", None, None)] * (RATE * min(seconds, 10))

    asyncio.run(_drive(warmup, Results(), RATE))
    baseline = Results()
    asyncio.run(_drive(baseline_requests, baseline, RATE))
    results = Results()
    elapsed = asyncio.run(_drive(writes, results, RATE))
    missing = asyncio.run(_missing_events(stack.bootstrap, results.accepted))
    return {
        "rps": round(len(writes) / elapsed, 1),
        "p50_ms": _percentile(results.latencies_ms, 50),
        "p99_ms": _percentile(results.latencies_ms, 99),
        "errors": results.errors + baseline.errors,
        "baseline_p99_ms": _percentile(baseline.latencies_ms, 99),
        "events_missing": missing,
        "requests": len(writes),
        "baseline_p50_ms": _percentile(baseline.latencies_ms, 50),
        "services": names,
        "p99_ms_registration": _percentile(results.by_topic_ms["leye.registration"], 99),
        "p99_ms_vacancies": _percentile(results.by_topic_ms["leye.vacancy"], 99),
    }


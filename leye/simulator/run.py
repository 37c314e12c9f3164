"""Sending simulated traffic through the gateway's public API, at a steady rate, with a log.

Every call carries an ``Idempotency-Key`` (run id + sequence number), so a retry after a timeout,
429 or 503 can never write twice. The log (JSON lines) records each call's kind, 街镇, status and
latency — never the synthetic personal data — and ends with the totals of accepted calls, which
is what the platform's indicators are compared with.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson

from .traffic import Action, Traffic

MAX_ATTEMPTS = 8
# 422 types the programmes service answers while its read model has not yet seen a person or an
# employer registered a moment ago (they follow the topics): worth asking again shortly.
NOT_YET_SYNCED = frozenset({"unknown_person", "unknown_employer"})


@dataclass
class Totals:
    """Accepted and refused calls, by kind and by (kind, 街镇)."""

    accepted: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    by_street: Counter[tuple[str, str]] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    failed: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "accepted": dict(sorted(self.accepted.items())),
            "refused": dict(sorted(self.refused.items())),
            "accepted_by_street": {f"{kind}@{street}": n for (kind, street), n in sorted(self.by_street.items())},
            "skipped": dict(sorted(self.skipped.items())),
            "failed": self.failed,
        }


class GatewayClient:
    """OAuth2 client credentials against the gateway, renewing the token before it expires."""

    def __init__(self, base_url: str, client_id: str, client_secret: str) -> None:
        self.http = httpx.AsyncClient(base_url=base_url, timeout=10.0)
        self.client_id, self.client_secret = client_id, client_secret
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()

    async def token(self) -> str:
        async with self._lock:
            if self._token is None or time.monotonic() > self._expires_at - 30:
                response = await self.http.post("/oauth/token", data={
                    "grant_type": "client_credentials", "client_id": self.client_id,
                    "client_secret": self.client_secret,
                })
                response.raise_for_status()
                body = response.json()
                self._token = body["access_token"]
                self._expires_at = time.monotonic() + float(body.get("expires_in", 300))
            return self._token

    async def call(self, action: Action, idempotency_key: str) -> httpx.Response:
        """The call, retried on 429/503/504/connection errors (honouring Retry-After) and while the programmes
        service has not yet seen the person or employer it names, at most MAX_ATTEMPTS times."""
        path, body = action.resolved_path(), action.resolved_body()
        for attempt in range(1, MAX_ATTEMPTS + 1):
            headers = {"Authorization": f"Bearer {await self.token()}", "Idempotency-Key": idempotency_key}
            try:
                response = await self.http.request(action.method, path, json=body, headers=headers)
            except httpx.TransportError:
                if attempt == MAX_ATTEMPTS:
                    raise
                await asyncio.sleep(min(5.0, 0.2 * 2**attempt))
                continue
            if response.status_code == 401 and attempt < MAX_ATTEMPTS:
                self._token = None
                continue
            # 504: the backend may have done it, or not; the same Idempotency-Key makes asking again safe
            if response.status_code in (429, 503, 504) and attempt < MAX_ATTEMPTS:
                await asyncio.sleep(min(10.0, float(response.headers.get("retry-after", "1"))))
                continue
            if response.status_code == 422 and attempt < MAX_ATTEMPTS and _not_yet_synced(response):
                await asyncio.sleep(min(5.0, 0.25 * 2**attempt))
                continue
            return response
        raise RuntimeError("unreachable")

    async def close(self) -> None:
        await self.http.aclose()


async def simulate(
    traffic: Traffic,
    client: GatewayClient,
    *,
    rate: float,
    duration_s: float | None,
    count: int | None,
    log_path: Path,
    concurrency: int = 8,
) -> Totals:
    """Send ``traffic`` at ``rate`` calls/s until ``duration_s`` or ``count`` is reached."""
    run_id = uuid.uuid4().hex[:12]
    totals = Totals()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    slots = asyncio.Semaphore(concurrency)
    pending: set[asyncio.Task[None]] = set()
    started = time.monotonic()

    with log_path.open("ab") as log:

        async def send(n: int, action: Action) -> None:
            try:
                await _send(n, action)
            finally:
                action.finished.set()

        async def _send(n: int, action: Action) -> None:
            if prerequisites := action.prerequisites():
                for prerequisite in prerequisites:  # before taking a slot: waiting must not block others
                    await prerequisite.finished.wait()
                if not all(prerequisite.succeeded for prerequisite in prerequisites):
                    totals.skipped[action.kind] += 1
                    log.write(orjson.dumps({"n": n, "kind": action.kind, "skipped": "prerequisite refused"}) + b"\n")
                    return
            async with slots:
                t0 = time.perf_counter()
                try:
                    response = await client.call(action, f"sim-{run_id}-{n}")
                except (httpx.HTTPError, RuntimeError) as exc:
                    totals.failed += 1
                    log.write(orjson.dumps({"n": n, "kind": action.kind, "error": type(exc).__name__}) + b"\n")
                    return
                ok = response.status_code < 400
                record = {"n": n, "kind": action.kind, "street_code": action.street_code,
                          "status": response.status_code, "ms": round((time.perf_counter() - t0) * 1000, 1)}
                if ok:
                    action.succeeded, action.response = True, response.json()
                    totals.accepted[action.kind] += 1
                    if action.street_code:
                        totals.by_street[(action.kind, action.street_code)] += 1
                    if action.on_success is not None:
                        action.on_success(action.response)
                else:
                    totals.refused[action.kind] += 1
                    record["code"] = _problem_code(response)
                log.write(orjson.dumps(record) + b"\n")

        n = 0
        while (count is None or n < count) and (duration_s is None or time.monotonic() - started < duration_s):
            due = started + n / rate
            if (wait := due - time.monotonic()) > 0:
                await asyncio.sleep(wait)
            task = asyncio.create_task(send(n, traffic.next_action()))
            pending.add(task)
            task.add_done_callback(pending.discard)
            n += 1
        if pending:
            await asyncio.gather(*pending)
        log.write(orjson.dumps({"totals": totals.as_dict(), "run_id": run_id, "seed": traffic.seed,
                                "scenario": traffic.scenario}) + b"\n")
    return totals


def _not_yet_synced(response: httpx.Response) -> bool:
    try:
        errors = response.json().get("errors") or []
    except ValueError:
        return False
    return any(isinstance(e, dict) and e.get("type") in NOT_YET_SYNCED for e in errors)


def _problem_code(response: httpx.Response) -> str:
    try:
        return str(response.json().get("code", response.status_code))
    except ValueError:
        return str(response.status_code)

"""Periodic work of a service (retention purges, SLA scans, expiry, warning evaluation): one mechanism.

A :class:`Job` runs at start and then every ``every_s`` seconds; when it raises, the error is logged
and counted and the job is retried with the runtime's retry policy (:mod:`.retry`: exponential
back-off capped at ``every_s``) until it succeeds again, so a database that is briefly locked or
down delays the work without stopping it. The runtime starts and stops a service's jobs with the
service (``Service.jobs``).

Where a job runs follows from its function: a plain function (blocking work: database scans and
writes) runs in its own daemon thread; a coroutine function (work that shares the event loop's
state, such as monitoring's warning evaluation) runs as a task on the service's event loop and must
not block it.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from tenacity import RetryError

from .metrics import PERIODIC_JOB_ERRORS
from .retry import async_retrying, retrying

log = logging.getLogger(__name__)


@dataclass
class Job:
    """``fn`` called every ``every_s`` seconds; ``runs`` counts its successful runs and
    ``last_started`` is the ``time.monotonic()`` at which the latest successful run began."""

    name: str
    every_s: float
    fn: Callable[[], object]
    runs: int = field(default=0, init=False)
    last_started: float = field(default=float("-inf"), init=False)

    @property
    def on_loop(self) -> bool:
        """True for a coroutine function: the job runs on the event loop, not in a thread."""
        return inspect.iscoroutinefunction(self.fn)


class Periodic:
    """Runs ``jobs`` until :meth:`stop`: each blocking job in a daemon thread, each coroutine job as
    a task on the running event loop (so :meth:`start` with coroutine jobs needs one)."""

    def __init__(self, jobs: Sequence[Job], *, initial_backoff_s: float = 0.5) -> None:
        self.jobs = list(jobs)
        self._initial_backoff_s = initial_backoff_s
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        for job in self.jobs:
            if job.on_loop:
                self._tasks.append(asyncio.get_running_loop().create_task(self._run_on_loop(job),
                                                                          name=f"periodic-{job.name}"))
                continue
            thread = threading.Thread(target=self._run, args=(job,), name=f"periodic-{job.name}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        for task in self._tasks:
            task.cancel()
        self._tasks.clear()
        deadline = time.monotonic() + timeout_s
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        self._threads.clear()

    @property
    def stopping(self) -> bool:
        """True once :meth:`stop` was called: long jobs may check it between steps."""
        return self._stop.is_set()

    def _run(self, job: Job) -> None:
        retry = retrying("定时任务执行失败，稍后重试", logger=log, extra={"job": job.name},
                         initial_s=min(self._initial_backoff_s, job.every_s), max_s=job.every_s,
                         on_failure=PERIODIC_JOB_ERRORS.labels(job.name).inc,
                         stopping=self._stop.is_set, sleep=self._stop.wait)
        while not self._stop.is_set():
            try:
                for attempt in retry:
                    with attempt:
                        started = time.monotonic()
                        job.fn()
            except RetryError:
                return  # stopped while the job was failing
            job.runs += 1
            job.last_started = started
            self._stop.wait(job.every_s)

    async def _run_on_loop(self, job: Job) -> None:
        while True:
            async for attempt in async_retrying(
                    "定时任务执行失败，稍后重试", logger=log, extra={"job": job.name},
                    initial_s=min(self._initial_backoff_s, job.every_s), max_s=job.every_s,
                    on_failure=PERIODIC_JOB_ERRORS.labels(job.name).inc):
                with attempt:
                    started = time.monotonic()
                    made = job.fn()
                    if inspect.isawaitable(made):  # always: only coroutine functions run on the loop
                        await made
            job.runs += 1
            job.last_started = started
            await asyncio.sleep(job.every_s)

"""Periodic background work of a service (retention purges, SLA scans, expiry): one daemon thread per job.

A job runs at start and then every ``every_s`` seconds; when it raises, the error is logged and
counted and the job is retried with the runtime's retry policy (:mod:`.retry`: exponential back-off
capped at ``every_s``) until it succeeds again, so a database that is briefly locked or down delays
the work without stopping it. ``create_service_app`` starts and stops the jobs of a service
(``ServiceParts.periodic``) together with the app.

The rule for periodic work: blocking work (database scans and writes) is a :class:`Job` here, in
its own thread; work that must run on a faust worker's event loop (monitoring's warning evaluation,
the lost-log guard in :mod:`.lostlog`) stays a faust timer, since it shares that loop's state and
must not block it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from tenacity import RetryError

from .metrics import PERIODIC_JOB_ERRORS
from .retry import retrying

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


class Periodic:
    """Runs ``jobs`` in daemon threads until :meth:`stop`."""

    def __init__(self, jobs: Sequence[Job], *, initial_backoff_s: float = 0.5) -> None:
        self.jobs = list(jobs)
        self._initial_backoff_s = initial_backoff_s
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for job in self.jobs:
            thread = threading.Thread(target=self._run, args=(job,), name=f"periodic-{job.name}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
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

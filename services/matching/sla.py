"""The SLA timer: a background thread that periodically reports missed deadlines.

Due times live in the ``cases`` table, so the timer holds no state of its own: after a restart the
first scan reports whatever passed meanwhile, and the breach flags (written with the events) keep
each deadline reported once. The clock is injected so tests can move time.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import sessionmaker

from .cases import scan_sla

log = logging.getLogger(__name__)


class SlaTimer:
    def __init__(self, sessions: sessionmaker, clock: Callable[[], datetime], interval_s: float,  # type: ignore[type-arg]
                 after_commit: Callable[[], None] = lambda: None) -> None:
        self.sessions, self.clock, self.interval_s, self.after_commit = sessions, clock, interval_s, after_commit
        self._stop = threading.Event()
        self._scanning = threading.Lock()  # scans never overlap within a process
        self._thread: threading.Thread | None = None

    def scan_once(self) -> int:
        """One scan in its own transaction; returns the number of breaches reported."""
        with self._scanning, self.sessions.begin() as session:
            reported = scan_sla(session, self.clock())
        if reported:
            log.info("sla breaches reported", extra={"count": reported})
            self.after_commit()
        return reported

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="sla-timer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(10)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.scan_once()
            except Exception:  # a failed scan is retried at the next tick
                log.exception("sla scan failed")
            self._stop.wait(self.interval_s)

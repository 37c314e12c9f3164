"""Writing audit rows with group commit.

Every personal-data request needs its audit row durable before it is answered (an unaudited look at
personal data is worse than no answer). One commit per request would cost a thread hop and a
transaction each; instead one writer thread takes whatever rows are waiting, inserts them in one
transaction and then wakes every request in that batch. Under load, many requests share a commit.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from typing import Any

from sqlalchemy import Connection, Engine, insert

from .store import AuditEntry

log = logging.getLogger(__name__)
_Item = tuple[dict[str, Any], asyncio.Future[None], asyncio.AbstractEventLoop]


class AuditWriter:
    """``await record(row)`` returns once ``row`` is committed, or raises what the commit raised."""

    MAX_BATCH = 500
    REUSE_S = 1.0  # a connection idle longer than this goes back to the pool (see _run)

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._queue: queue.SimpleQueue[_Item | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="audit-writer", daemon=True)
        self.taken = 0
        """Rows taken into a batch so far, committed or being committed (with :meth:`waiting`: where rows are)."""

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Commit what is queued, then end the thread."""
        self._queue.put(None)
        self._thread.join(10)

    def waiting(self) -> int:
        """Rows queued and not yet taken into a batch (approximate, as ``qsize`` is)."""
        return self._queue.qsize()

    async def record(self, row: dict[str, Any]) -> None:
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        self._queue.put((row, done, loop))
        await done

    def _run(self) -> None:
        statement = insert(AuditEntry)
        connection: Connection | None = None
        last_used = 0.0
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                break
            batch = [first]
            while len(batch) < self.MAX_BATCH:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stopping = True
                    break
                batch.append(item)
            self.taken += len(batch)
            error: Exception | None = None
            # One connection for back-to-back batches (a pool checkout and its reset per batch cost as
            # much as the insert); one idle longer than REUSE_S is returned and a fresh one checked out,
            # so the pool's liveness check (PostgreSQL: pre-ping) still runs before a write after a pause.
            if connection is not None and time.monotonic() - last_used > self.REUSE_S:
                connection.close()
                connection = None
            try:
                if connection is None:
                    connection = self._engine.connect()
                with connection.begin():
                    connection.execute(statement, [row for row, _, _ in batch])
            except Exception as exc:  # handed to every waiting request
                log.exception("audit write failed")
                error = exc
                if connection is not None:
                    connection.close()  # a broken connection is not used again
                    connection = None
            last_used = time.monotonic()
            # One wake-up per event loop for the whole batch, not one per request.
            waiting: dict[asyncio.AbstractEventLoop, list[asyncio.Future[None]]] = {}
            for _, done, loop in batch:
                waiting.setdefault(loop, []).append(done)
            for loop, futures in waiting.items():
                loop.call_soon_threadsafe(_settle, futures, error)
        if connection is not None:
            connection.close()


def _settle(futures: list[asyncio.Future[None]], error: Exception | None) -> None:
    for done in futures:
        if done.done():  # the request was cancelled (client went away)
            continue
        if error is None:
            done.set_result(None)
        else:
            done.set_exception(error)

"""Shared fixtures: one real Kafka-protocol broker (Tansu) per test session, on a free port."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from services.runtime.broker import EmbeddedBroker, ensure_topics, free_port

WHOLE_STACK_TESTS = ("tests/e2e/",)
"""Files whose tests start a whole `leye up`: under pytest-xdist they share one worker."""


FILE_SECONDS: dict[str, float] = json.loads((Path(__file__).with_name("file_seconds.json")).read_text("utf-8"))
"""The files that took 3 s or more in one full run, with their seconds: the scheduler's order without a cache."""

DURATIONS_CACHE_KEY = "leye/test-seconds"
"""pytest's cache (``.pytest_cache``) of each test's last duration (setup + call + teardown), by node id."""


def _scope(nodeid: str) -> str:
    path = nodeid.split("::", 1)[0]
    return "whole-stack" if path.startswith(WHOLE_STACK_TESTS) else path


@pytest.hookimpl(optionalhook=True)  # no such hook without xdist (-p no:xdist)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """`make test` runs the suite on two pytest-xdist workers (``-n 2``). Each file's tests go to one
    worker, so module fixtures are built once, and the files that start a whole stack share one
    worker, so two stacks never compete for the machine's two cores. (A scheduler of our own:
    xdist's ``loadgroup`` cannot mark groups under pytest 9, whose node ids are read-only.)

    The longest scopes start first, so that neither worker is left alone with a long file at the
    end: xdist hands out scopes in queue order, which it sorts by number of tests (a file of one
    21-second test came last). The whole stack goes first, then the other files by their tests'
    durations in the last runs (pytest's cache); a test never timed counts as a long one, so a new
    file starts early. Without a cache (a clean checkout, CI) the files go by ``FILE_SECONDS``, a
    snapshot of each long file's seconds in one full run: an order, not a measurement."""
    from collections import OrderedDict

    from xdist.scheduler import LoadScopeScheduling

    cache = getattr(config, "cache", None)
    seconds: dict[str, float] = cache.get(DURATIONS_CACHE_KEY, {}) if cache is not None else {}
    never_timed_s = 10.0

    class ByFile(LoadScopeScheduling):
        _longest_first = False

        def _split_scope(self, nodeid: str) -> str:
            return _scope(nodeid)

        def _assign_work_unit(self, node) -> None:
            # The first call comes once the whole queue is built (schedule()), before any unit left it.
            if not self._longest_first:
                def expected_s(item: tuple[str, dict[str, bool]]) -> float:
                    scope, tests = item
                    if scope == "whole-stack":
                        return float("inf")
                    if seconds:
                        return sum(seconds.get(nodeid, never_timed_s) for nodeid in tests)
                    return FILE_SECONDS.get(scope, 0.0)

                self.workqueue = OrderedDict(sorted(self.workqueue.items(), key=expected_s, reverse=True))
            self._longest_first = True
            super()._assign_work_unit(node)

    return ByFile(config, log)


_durations: dict[str, float] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Sum each test's phases (under xdist the controller sees every worker's reports)."""
    _durations[report.nodeid] = _durations.get(report.nodeid, 0.0) + report.duration


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Merge this run's durations into the cache the scheduler reads (the controller, or -n 0)."""
    cache = getattr(session.config, "cache", None)
    if cache is None or hasattr(session.config, "workerinput") or not _durations:
        return
    known = cache.get(DURATIONS_CACHE_KEY, {})
    known.update({nodeid: round(s, 2) for nodeid, s in _durations.items()})
    cache.set(DURATIONS_CACHE_KEY, known)


def _started_broker() -> Iterator[EmbeddedBroker]:
    embedded = EmbeddedBroker(free_port())
    embedded.start()
    ensure_topics(embedded.bootstrap)
    yield embedded
    embedded.stop()


@pytest.fixture(scope="session")
def broker() -> Iterator[EmbeddedBroker]:
    """The session's broker: topics are shared, so tests find their own events by id."""
    yield from _started_broker()


@pytest.fixture
def fresh_broker() -> Iterator[EmbeddedBroker]:
    """A broker of the test's own, with empty topics: for tests that count everything on a topic."""
    yield from _started_broker()


def read_topic(bootstrap: str, topic: str, *, until: int | None = None, timeout_s: float = 10.0,
               to_end: bool = False) -> list:
    """Every record on ``topic`` (from the beginning) read with aiokafka, an independent client.

    Stops after ``timeout_s``, or as soon as ``until`` records have been read, or, with ``to_end``,
    once every record that was on the topic when the call began has been read: for a test whose
    records the broker has already acknowledged (an outbox with nothing pending), where waiting out
    ``timeout_s`` would only wait for nothing.
    """

    async def _read() -> list:
        consumer = AIOKafkaConsumer(*([] if to_end else [topic]), bootstrap_servers=bootstrap,
                                    auto_offset_reset="earliest", group_id=None, enable_auto_commit=False)
        await consumer.start()
        records: list = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        try:
            ends: dict[TopicPartition, int] = {}
            if to_end:  # the topic's partitions, from the beginning up to their ends now
                await consumer.topics()  # fetches the cluster's metadata
                partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
                consumer.assign(partitions)
                await consumer.seek_to_beginning(*partitions)
                ends = await consumer.end_offsets(partitions)

            async def done() -> bool:
                if until is not None and len(records) >= until:
                    return True
                return to_end and all([await consumer.position(tp) >= end for tp, end in ends.items()])

            while loop.time() < deadline and not await done():
                batch = await consumer.getmany(timeout_ms=200)
                for messages in batch.values():
                    records.extend(messages)
        finally:
            await consumer.stop()
        return records

    return asyncio.run(_read())


class LiveServer:
    """A FastAPI app served by uvicorn on a free loopback port in a background thread: real HTTP."""

    def __init__(self, app) -> None:
        import threading

        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_config=None, access_log=False,
                                lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        import time

        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def _postgres_url_for_new_database(base_url: str) -> str:
    """Create an empty database on the server at ``base_url`` and return its URL (one per test)."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"leye_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(base_url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request, tmp_path) -> str:
    """A fresh, empty database for a storage test: SQLite always; PostgreSQL too when
    ``TEST_DATABASE_URL`` points at a server (``.ci/run`` starts one)."""
    import os

    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("TEST_DATABASE_URL not set: PostgreSQL storage tests run in CI")
    return _postgres_url_for_new_database(base)


def free_port_block(size: int = 10) -> int:
    """The first of ``size`` consecutive free ports, drawn below the kernel's ephemeral range
    (32768+), where outgoing connections could take a port between this check and its use."""
    import random
    import socket

    def free(port: int) -> bool:
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                return False
            return True

    for _ in range(200):
        base = random.randrange(20000, 32000 - size)
        if all(free(base + i) for i in range(size)):
            return base
    raise RuntimeError("no free block of ports")

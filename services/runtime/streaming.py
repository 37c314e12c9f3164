"""The faust conventions every stream processor shares.

A service declares what it consumes as :class:`~services.runtime.service.Agent` (topics → handler);
:func:`run_service_worker` makes each a faust agent whose body is one call::

    await consume_batches(stream, handler, consumer="monitoring", dead_letters=dead_letters)

``consume_batches`` owns batching, decoding, dead-lettering, retries and acknowledgement, so a
service only writes ``handler(events) -> None``. Its contract:

- Messages that are not a valid CloudEvent of a known type go to ``leye.deadletter`` (waited for)
  and are acknowledged; the rest of the batch is processed.
- ``handler`` gets each batch's valid events in partition order; duplicates already seen by this
  process are dropped. Handlers must still be idempotent on the event id: after a crash the
  broker redelivers everything after the last committed offset.
- ``decode`` turns a batch's message values into events (default: :func:`parse_events`, in this
  process). A stream processor whose per-event work would crowd faust off the interpreter lock
  decodes in a child process instead (:class:`SubprocessDecoder`, arroyo's
  ``RunTaskWithMultiprocessing``); then the handler gets what that decoder returns, items with the
  event's ``id``. A decoder that raises (other than reporting :class:`InvalidEvent` per message) is
  retried with back-off like a failing handler.
- A batch is acknowledged only after ``handler`` returned. If it raises :class:`PoisonEvent` that
  event is dead-lettered and the rest retried; any other exception is retried with back-off,
  forever, and the batch is never acknowledged meanwhile (a stuck consumer shows as lag, not as
  lost events). On shutdown or crash mid-batch it stays unacknowledged, so faust never commits it.
- :class:`DeadLetterLimitExceeded` (or any other error outside the handler) stops the worker.
- A worker whose broker lost its log (the embedded broker restarted) stops without committing and
  exits with :data:`~services.runtime.lostlog.LOST_LOG_EXIT_CODE`; restarted, it reads from the
  earliest message (:mod:`services.runtime.lostlog`).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any, cast

import faust
import uvicorn
import uvloop
from fastapi import FastAPI
from faust.types import EventT, StreamT
from tenacity import AsyncRetrying

from schemas import CloudEvent, EventData, InvalidEvent, new_event, parse_each
from schemas.events.deadletter import DeadletterRecorded

from .errors import DeadLetterLimitExceeded, PoisonEvent
from .logs import configure_logging
from .lostlog import LostLogGuard
from .metrics import EVENTS_CONSUMED, EVENTS_DEADLETTERED, EVENTS_DUPLICATE
from .retry import async_retrying
from .settings import ServiceSettings, StreamSettings

if TYPE_CHECKING:
    from .service import Agent, Service

log = logging.getLogger(__name__)
DEADLETTER_TOPIC = "leye.deadletter"


def _retrying(message: str, give_up_on: tuple[type[BaseException], ...] = (), **extra: object) -> AsyncRetrying:
    """The retries of a failed batch, decoding or dead-letter publish: for ever, 0.2 s up to 10 s,
    each failure logged with its traceback."""
    return async_retrying(message, logger=log, initial_s=0.2, max_s=10.0, extra=extra, give_up_on=give_up_on,
                          level=logging.ERROR, traceback=True)

BatchHandler = Callable[[Sequence[Any]], Awaitable[None]]
Decoded = Any  # an event, or what a decoder makes of one: anything with the event's ``id``
BatchDecoder = Callable[[list[bytes]], Awaitable[list["Decoded | InvalidEvent"]]]


def create_stream_app(name: str, settings: StreamSettings, **overrides: Any) -> faust.App:
    """A faust app wired to the platform's broker with the project's conventions."""
    datadir = settings.var_dir / "faust"  # faust's default is ./<app>-data; it creates only the last level
    datadir.mkdir(parents=True, exist_ok=True)
    brokers = ";".join(f"kafka://{hostport}" for hostport in settings.kafka_bootstrap.split(","))
    config: dict[str, Any] = {
        "broker": brokers,
        "store": "memory://",
        "datadir": str(datadir / "{conf.name}"),
        "web_enabled": False,  # each process serves its own FastAPI app instead
        "value_serializer": "raw",
        "key_serializer": "raw",
        "consumer_auto_offset_reset": "earliest",
        "producer_acks": -1,
        "broker_commit_every": 5000,
        "broker_commit_interval": 1.0,
        "broker_rebalance_timeout": settings.stream_rebalance_timeout_s,
        "broker_session_timeout": max(6.0, settings.stream_rebalance_timeout_s * 3),
        "broker_heartbeat_interval": 1.0,
        "stream_wait_empty": False,
        # faust pauses fetching when an agent's buffer is full. A deep buffer keeps the fetcher busy
        # while a batch is being written (monitoring: 5,100 → 6,200 events/s; faust's docs suggest it).
        "stream_buffer_maxsize": 131_072,
    }
    app = faust.App(f"leye-{name}", **(config | overrides))
    _bound_fetch_wait(app, settings.stream_fetch_max_wait_ms)
    LostLogGuard(app, settings.kafka_bootstrap).install()
    return app


def _bound_fetch_wait(app: faust.App, max_wait_ms: int) -> None:
    """Set the consumer's fetch ``max_wait_ms`` (see ``StreamSettings.stream_fetch_max_wait_ms``)
    once it has partitions; the fetcher reads the value for every fetch request it builds."""

    async def on_assigned(sender: Any, /, *_: Any, **__: Any) -> None:
        consumer_fetcher(app)._fetch_max_wait_ms = max_wait_ms  # noqa: SLF001 - see consumer_fetcher

    app.on_partitions_assigned.connect(on_assigned)


def consumer_fetcher(app: faust.App) -> Any:
    """The started aiokafka consumer's fetcher (``None`` before it starts). faust passes aiokafka a
    fixed fetch wait of 1,500 ms and offers no setting for it, so this is the one place that reaches
    into both libraries' private attributes. Pinned versions (requirements.lock);
    ``tests/services/runtime`` checks the path still leads to the value a worker uses."""
    consumer: Any = app.consumer  # typed as faust's ConsumerT interface; _thread is its aiokafka driver's
    return consumer._thread._ensure_consumer()._fetcher  # noqa: SLF001


def source_topic(app: faust.App, name: str) -> faust.TopicT:
    """A platform topic read as raw bytes; decoding happens in :func:`consume_batches`."""
    return app.topic(name, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw")


class DeadLetters:
    """Publishes undecodable or unprocessable messages to ``leye.deadletter`` and stops the consumer
    when ``max_consecutive`` messages in a row failed (a broken producer, not a few bad messages)."""

    def __init__(self, app: faust.App, consumer: str, max_consecutive: int = 1000) -> None:
        self.app, self.consumer, self.max_consecutive = app, consumer, max_consecutive
        self.consecutive = 0

    def ok(self) -> None:
        self.consecutive = 0

    async def send(self, message: Any, code: str, reason: str) -> None:
        record = DeadletterRecorded.for_message(
            topic=message.topic, partition=message.partition, offset=message.offset,
            key=message.key, payload=message.value if isinstance(message.value, bytes) else b"",
            reason_code=code, reason_message=reason[:500], consumer=self.consumer,
        )
        event = new_event(record, source=f"/services/{self.consumer}")
        # The message is acknowledged only once its dead letter is on the broker: broker trouble is
        # waited out.
        async for attempt in _retrying("dead-letter publish failed, retrying"):
            with attempt:
                await self.app.producer.send_and_wait(DEADLETTER_TOPIC, event.key, event.to_json(), None, None, None)
        EVENTS_DEADLETTERED.labels(self.consumer, code).inc()
        log.warning("dead-lettered", extra={"ref": record.message_ref, "code": code})
        self.consecutive += 1
        if self.consecutive >= self.max_consecutive:
            raise DeadLetterLimitExceeded(f"{self.consecutive} consecutive messages dead-lettered")


class RecentIds:
    """The last ``size`` event ids this process handled: drops cheap, in-process redeliveries."""

    def __init__(self, size: int = 200_000) -> None:
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._size = size

    def seen(self, event_id: str) -> bool:
        return event_id in self._ids

    def add(self, event_ids: Sequence[str]) -> None:
        self._ids.update(dict.fromkeys(event_ids))
        while len(self._ids) > self._size:
            self._ids.popitem(last=False)


async def consume_batches(
    stream: StreamT[Any],
    handler: BatchHandler,
    *,
    consumer: str,
    dead_letters: DeadLetters,
    max_batch: int = 2000,
    within_s: float = 0.2,
    recent: RecentIds | None = None,
    decode: BatchDecoder | None = None,
) -> None:
    """The agent body of every stream processor (contract in the module docstring).

    faust's ``noack_take`` hands over batches without acknowledging them; :func:`_process` does,
    once a batch is handled. Each batch is processed in a task while faust gathers the next one, so
    faust's per-message work overlaps with decoding and handling instead of waiting for them.
    Batches are still processed one at a time and in order: a batch's task starts only when the
    one before it has finished.
    """
    if not isinstance(stream, faust.Stream):  # noack_take is the concrete stream's, not StreamT's
        raise TypeError(f"consume_batches needs a faust.Stream, not {type(stream).__name__}")
    recent = recent if recent is not None else RecentIds()
    decode = decode or parse_events
    previous: asyncio.Task[None] | None = None
    try:
        async for batch in stream.noack_take(max_batch, within_s):
            if previous is not None:
                await previous
            previous = asyncio.create_task(
                _process(stream, list(batch), handler, decode, consumer, dead_letters, recent))
    finally:
        if previous is not None and not previous.done():
            previous.cancel()  # unacknowledged, so redelivered after the restart


async def _process(stream: StreamT[Any], batch: list[EventT[Any]], handler: BatchHandler, decode: BatchDecoder,
                   consumer: str, dead_letters: DeadLetters, recent: RecentIds) -> None:
    """Decode, dead-letter, handle (with retries) and acknowledge one batch."""
    try:
        events = await _decode(batch, decode, consumer, dead_letters, recent)
        while events:
            try:
                # Any exception but a poison event is retryable by definition (module docstring).
                async for attempt in _retrying("batch failed, retrying", (PoisonEvent,), consumer=consumer):
                    with attempt:
                        await handler([event for event, _ in events])
                break
            except PoisonEvent as poison:
                bad = [(e, m) for e, m in events if e.id == poison.event_id]
                if not bad:
                    raise
                await dead_letters.send(bad[0][1], poison.code, poison.message)
                events = [(e, m) for e, m in events if e.id != poison.event_id]
        recent.add([event.id for event, _ in events])
        for topic, count in Counter(message.topic for _, message in events).items():
            EVENTS_CONSUMED.labels(consumer, topic).inc(count)
        for item in batch:  # only now may faust commit these offsets
            await stream.ack(item)
    except asyncio.CancelledError:
        raise
    except BaseException as exc:
        # faust would log a crashed agent and keep the worker alive, consuming nothing. Stop the
        # whole worker instead: its supervisor restarts it and redelivery resumes from the commit.
        log.critical("consumer stopped", extra={"consumer": consumer, "error": repr(exc)})
        os.kill(os.getpid(), signal.SIGTERM)
        raise


async def parse_events(values: list[bytes]) -> list[CloudEvent[EventData] | InvalidEvent]:
    """The default decoder: each value validated against ``schemas``, in this process."""
    return parse_each(values)


class SubprocessDecoder:
    """A :data:`BatchDecoder` that runs ``decode_batch`` — a module-level function, values in, a list of
    picklable items or :class:`InvalidEvent` out — in one child process.

    Why: a faust worker is bound by one interpreter lock, and faust itself needs most of it; work
    done per event in the child (validation, encoding) no longer takes the lock from the consumer.
    Batches go one at a time, so order is kept. The child is started with ``spawn``: the parent
    holds threads and engines a fork would copy half-made. It stops with the parent, even one
    killed outright (:func:`_tie_to_parent`); if it dies, the next call starts another and the
    batch is retried.
    """

    def __init__(self, decode_batch: Callable[[list[bytes]], list[Any]]) -> None:
        self.decode_batch = decode_batch
        self._pool: ProcessPoolExecutor | None = None

    def start(self) -> None:
        """Start the child and import what it needs now, blocking, rather than in the first batch."""
        self._executor().submit(self.decode_batch, []).result()

    async def __call__(self, values: list[bytes]) -> list[Any]:
        try:
            return await asyncio.wrap_future(self._executor().submit(self.decode_batch, values))
        except BrokenProcessPool:
            self._pool = None  # the child died (killed, out of memory): a new one for the retry
            raise

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_tie_to_parent, initargs=(os.getpid(),))
        return self._pool


def _tie_to_parent(parent_pid: int) -> None:
    """In a decoding child: stop with the parent, and only then. A parent killed with SIGKILL cannot
    stop its pool, and the child, holding both ends of its task queue, would wait on it for ever;
    Ctrl-C in a terminal reaches the whole process group, and the child would die mid-batch, with
    a traceback, while the parent shuts down in order."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


async def _decode(
    batch: Sequence[EventT[Any]], decode: BatchDecoder, consumer: str, dead_letters: DeadLetters, recent: RecentIds
) -> list[tuple[Decoded, Any]]:
    # Retryable, like a failing handler (module docstring).
    async for attempt in _retrying("batch decoding failed, retrying", consumer=consumer):
        with attempt:
            # Raw topics: a value is bytes (None only for a tombstone, which none of ours carries;
            # the default decoder makes it an InvalidEvent).
            results = await decode(cast("list[bytes]", [item.message.value for item in batch]))
    decoded: list[tuple[Decoded, Any]] = []
    in_batch: set[str] = set()
    for item, event in zip(batch, results, strict=True):
        message = item.message
        if isinstance(event, InvalidEvent):
            await dead_letters.send(message, event.code, event.message)
            continue
        dead_letters.ok()
        if recent.seen(event.id) or event.id in in_batch:
            EVENTS_DUPLICATE.labels(consumer).inc()
            continue
        in_batch.add(event.id)
        decoded.append((event, message))
    return decoded


def run_worker(app: faust.App, api: FastAPI | None, *, port: int, settings: ServiceSettings, service: str) -> None:
    """Run a faust worker and, in the same event loop, the service's FastAPI app with uvicorn.

    One process serves both because the monitoring service's ClickHouse engine (chDB) may be
    opened by one process only, and because readiness should reflect the worker itself.
    SIGTERM / Ctrl-C: uvicorn catches the signal while it serves, stops the web server, then raises the
    signal again for faust's worker, which stops the agents and commits what was acknowledged.
    """
    if api is not None:

        @app.task  # type: ignore[untyped-decorator]  # faust types task() loosely
        async def _serve_api() -> None:
            configure_logging(service, settings.log_level)
            config = uvicorn.Config(api, host=settings.host, port=port, log_config=None, access_log=False)
            server = uvicorn.Server(config)
            await server.serve()

    configure_logging(service, settings.log_level)
    # faust hands each message through several event-loop callbacks; uvloop runs them ~15 % faster
    # (faust creates its loop lazily, so setting the policy here is early enough).
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    # What start-up built lives as long as the process: keep it out of the collector's full scans.
    # A worker allocates a few dozen objects per event and keeps a deep buffer of messages alive;
    # every young collection walks whatever of that is still alive (35–90 ms at a threshold of
    # 50,000: 2–3 % of the monitoring worker's time). The count that triggers one is objects
    # allocated minus objects freed, which a worker's steady state keeps far below 500,000 (no
    # collection at all in a 300,000-event ingest); cyclic garbage still triggers one, so what it
    # holds stays bounded (500,000 small objects, tens of MiB).
    gc.collect()
    gc.freeze()
    gc.set_threshold(500_000, 20, 100)
    faust.Worker(app, loglevel=settings.log_level, quiet=True, redirect_stdouts=False).execute_from_commandline()


def run_service_worker(service: Service[Any], api: FastAPI) -> None:
    """Run a service with agents: its topics ensured, one faust agent per :class:`Agent`, and its HTTP
    app (``api``) on the worker's event loop. A batch waits until the app's start-up has built the
    components (migrations done, state loaded), then goes to the agent's handler with them."""
    from .broker import ensure_topics  # the broker admin client is needed only here

    settings = service.settings
    if not isinstance(settings, StreamSettings):
        raise TypeError(f"{service.name}: a service with agents needs StreamSettings")
    ensure_topics(settings.kafka_bootstrap)
    app = create_stream_app(service.consumer_group or service.name, settings)
    dead_letters = DeadLetters(app, service.name)

    async def on_assigned(sender: Any, /, *args: Any, **_: Any) -> None:
        (assigned,) = args  # faust sends the assigned partitions
        api.state.partitions_assigned = bool(assigned)

    app.on_partitions_assigned.connect(on_assigned)
    for agent in service.agents:
        _add_agent(app, api, agent, service.name, dead_letters)
    run_worker(app, api, port=settings.port, settings=settings, service=service.name)


def _add_agent(app: faust.App, api: FastAPI, agent: Agent[Any], consumer: str, dead_letters: DeadLetters) -> None:
    async def handle(events: Sequence[Any]) -> None:
        await api.state.started.wait()
        await agent.handle(api.state.components, events)

    source = app.topic(*agent.topics, key_type=bytes, value_type=bytes, key_serializer="raw",
                       value_serializer="raw")

    async def body(stream: StreamT[Any]) -> None:
        await consume_batches(stream, handle, consumer=consumer, dead_letters=dead_letters,
                              max_batch=agent.max_batch, within_s=agent.within_s, decode=agent.decode)

    app.agent(source, name=agent.name)(body)

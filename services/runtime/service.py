"""The shape of every service, and the one way a service becomes a running process.

A service's ``app.py`` has ``build(settings) -> Service``: a description, not a running thing.

- ``routers``: its HTTP API (FastAPI routers; routes reach components only through ``deps.py``);
- ``database``: its own database and migrations, when it has one; the runtime then migrates it at
  start-up, runs the outbox relay (``relay``) and purges the runtime's tables;
- ``start``: builds the service's *components* — a typed object of the service (``Components`` in
  its ``app.py``) — once the database and the relay are up (:class:`Started`); routes, agents
  and jobs all work through it, and ``stop`` releases it;
- ``agents``: what it consumes — topics → a batch handler (its ``handlers.py``), run by faust
  through :func:`~services.runtime.streaming.consume_batches`;
- ``jobs``: its periodic work (:class:`~services.runtime.periodic.Job`: every N s → fn).

:func:`run` turns a ``Service`` into the process, the same way for all: topics ensured, then faust
(when there are agents) with the HTTP app served on its event loop, or uvicorn alone; JSON logs;
SIGTERM and Ctrl-C stop it in order. Every ``__main__.py`` is ``run(build)``. Tests and benchmarks
take the HTTP app without a process: :func:`~services.runtime.http.http_app`.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from fastapi import APIRouter

from .periodic import Job
from .settings import ServiceSettings

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from .outbox import OutboxRelay
    from .streaming import BatchDecoder

C = TypeVar("C")
S = TypeVar("S", bound=ServiceSettings)


@dataclass
class Database:
    """A service's own database: where it lives and its migrations folder."""

    url: str
    migrations: Path


@dataclass
class Started:
    """What the runtime has started for a service when its ``start`` runs."""

    sessions: sessionmaker[Session] | None = None
    engine: Engine | None = None
    relay: OutboxRelay | None = None

    def wake_relay(self) -> None:
        """Tell the outbox relay that rows are waiting (a no-op without one)."""
        if self.relay is not None:
            self.relay.wake()


@dataclass
class Agent(Generic[C]):
    """A stream consumer: ``topics`` read in batches, each batch handed to ``handle(components, events)``.

    ``decode`` replaces in-process parsing (monitoring decodes in a child process); ``max_batch`` and
    ``within_s`` bound a batch by size and by waiting time."""

    name: str
    topics: Sequence[str]
    handle: Callable[[C, Sequence[Any]], Awaitable[None]]
    decode: BatchDecoder | None = None
    max_batch: int = 2000
    within_s: float = 0.2


def _no_jobs(components: Any) -> Sequence[Job]:
    return ()


def _no_components(started: Started) -> None:
    return None


@dataclass
class Service(Generic[C]):
    """What a service is (module docstring)."""

    name: str
    title: str
    description: str
    settings: ServiceSettings
    # Builds the components (none: the service works with the runtime's parts alone).
    start: Callable[[Started], C | Awaitable[C]] = _no_components  # type: ignore[assignment]
    stop: Callable[[C], object] | None = None
    routers: Sequence[APIRouter] = ()
    database: Database | None = None
    # Publish what the unit of work put in the outbox (a service without a database has no outbox).
    relay: bool = True
    agents: Sequence[Agent[C]] = ()
    # The Kafka consumer group of the agents (default: the service's name).
    consumer_group: str | None = None
    jobs: Callable[[C], Sequence[Job]] = _no_jobs
    # Named checks of /readyz, each over the components (not ready before they are built).
    ready_checks: Sequence[Callable[[C], bool]] = ()
    # /readyz waits until the agents' consumer holds partitions.
    ready_when_assigned: bool = False
    # True for the gateway only: the public door authenticates its own callers. Every other service
    # requires the internal credential when LEYE_ENV=production.
    public: bool = False
    openapi_tags: list[dict[str, str]] = field(default_factory=list)
    # Finishes the app's OpenAPI document (the gateway documents the operations it forwards).
    openapi: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    # Path prefixes answered without the internal credential when LEYE_ENV=production, besides
    # /healthz, /readyz and /metrics: what an operator chose to publish (monitoring's /wall).
    open_paths: Sequence[str] = ()
    # Browser origins allowed to call the API (CORS); empty: none.
    cors_origins: Sequence[str] = ()
    # False: none of the runtime's retention purges (tests that count a service's own jobs).
    purges: bool = True


async def start_components(service: Service[C], started: Started) -> C:
    """Run the service's ``start`` (plain or ``async``)."""
    made = service.start(started)
    return await made if inspect.isawaitable(made) else made


async def stop_components(service: Service[C], components: C) -> None:
    if service.stop is not None:
        done = service.stop(components)
        if inspect.isawaitable(done):
            await done


def run(build: Callable[[S], Service[Any]]) -> None:
    """Run the service ``build`` describes in this process (what ``python -m services.<name>`` calls).

    The settings class is the one ``build`` is annotated with, read from the environment."""
    settings_class = inspect.get_annotations(build, eval_str=True)["settings"]
    service = build(settings_class())
    from .http import http_app, serve  # the web layer imports this module's types

    app = http_app(service)
    if not service.agents:
        serve(app, service.settings, service.name)
        return
    from .streaming import run_service_worker

    run_service_worker(service, app)


"""``python -m services.matching``: the stream worker and the HTTP API in one process.

The faust worker consumes ``leye.registration``, ``leye.vacancy`` and ``leye.layoff``; each batch is
applied in a thread (SQLite writes block) by the API's :class:`EventApplier`, once the API has
started and loaded the index. Offsets are committed only after the batch's transactions committed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from schemas import CloudEvent
from services.runtime.broker import ensure_topics
from services.runtime.streaming import DeadLetters, consume_batches, create_stream_app, run_worker, source_topic

from .app import create_app
from .settings import Settings

settings = Settings()
api = create_app(settings)
app = create_stream_app("matching", settings)
dead_letters = DeadLetters(app, "matching")


async def handle(events: Sequence[CloudEvent]) -> None:
    while getattr(api.state, "applier", None) is None:  # the API's start-up loads the index
        await asyncio.sleep(0.1)
    await asyncio.to_thread(api.state.applier.apply_batch, events)


@app.agent(source_topic(app, "leye.registration"))
async def registrations(stream):  # type: ignore[no-untyped-def]
    await consume_batches(stream, handle, consumer="matching", dead_letters=dead_letters)


@app.agent(source_topic(app, "leye.vacancy"))
async def vacancies(stream):  # type: ignore[no-untyped-def]
    await consume_batches(stream, handle, consumer="matching", dead_letters=dead_letters)


@app.agent(source_topic(app, "leye.layoff"))
async def layoffs(stream):  # type: ignore[no-untyped-def]
    await consume_batches(stream, handle, consumer="matching", dead_letters=dead_letters)


if __name__ == "__main__":
    ensure_topics(settings.kafka_bootstrap)
    run_worker(app, api, port=settings.port, settings=settings, service="matching")

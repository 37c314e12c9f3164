"""A minimal stream processor built only from the runtime, run as a real worker process by
test_streaming.py. It appends each handled event id to ``$OUT`` and fails its first batch
containing a rate of 42.0 twice (a transient failure) before succeeding; with ``$REFUSE_77`` set it
fails every batch containing a rate of 77.7 (a sink that stays down); ``$OUT.fetch_wait`` shows
the fetch wait its consumer uses."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from schemas import CloudEvent
from services.runtime.errors import PoisonEvent
from services.runtime.settings import StreamSettings
from services.runtime.streaming import (
    DeadLetters,
    consume_batches,
    consumer_fetcher,
    create_stream_app,
    run_worker,
    source_topic,
)

settings = StreamSettings()
app = create_stream_app("teststream", settings)
dead_letters = DeadLetters(app, "teststream")
out = Path(os.environ["OUT"])
failures_left = {"count": 2}


async def handle(events: Sequence[CloudEvent]) -> None:
    for event in events:
        if event.data.rate_percent == 99.9:
            raise PoisonEvent(event.id, "rate_refused", "rate 99.9 is refused by this test consumer")
    if os.environ.get("REFUSE_77") and any(event.data.rate_percent == 77.7 for event in events):
        Path(f"{out}.refused").touch()
        raise ConnectionError("sink unavailable (simulated, until restarted without REFUSE_77)")
    if any(event.data.rate_percent == 42.0 for event in events) and failures_left["count"] > 0:
        failures_left["count"] -= 1
        raise ConnectionError("sink unavailable (simulated)")
    with out.open("a") as fh:
        fh.writelines(f"{event.id}\n" for event in events)


@app.agent(source_topic(app, "leye.statistics"))
async def ingest(stream):  # type: ignore[no-untyped-def]
    await consume_batches(stream, handle, consumer="teststream", dead_letters=dead_letters)


@app.timer(0.5)
async def report_fetch_wait() -> None:
    # what the broker is asked to hold an empty fetch for (services.runtime.streaming._bound_fetch_wait)
    fetcher = consumer_fetcher(app)
    if fetcher is not None:
        Path(f"{out}.fetch_wait").write_text(str(fetcher._fetch_max_wait_ms))  # noqa: SLF001


if __name__ == "__main__":
    run_worker(app, None, port=0, settings=settings, service="teststream")

"""Matching's processed event ids are kept as long as the publishers' outbox rows, then purged by
the runtime's periodic facility (clock moved, real SQLite, real broker)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select

from schemas.reference import STREETS
from services.matching.app import create_app
from services.matching.settings import Settings
from services.matching.store import ProcessedEvent
from tests.conftest import LiveServer

from .helpers import jobseeker

STREET = sorted(STREETS)[5]


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def test_processed_event_ids_are_purged_after_the_outbox_retention(broker, tmp_path) -> None:
    clock = Clock(datetime.now(UTC))
    settings = Settings(KAFKA_BOOTSTRAP=broker.bootstrap, database_url=f"sqlite:///{tmp_path / 'm.sqlite3'}",
                        OUTBOX_RETENTION_S=7200, OUTBOX_REPLAY_WINDOW_S=3600)
    app = create_app(settings, clock)
    with LiveServer(app) as server:
        httpx.Client(base_url=server.url, timeout=10).post("/stations", json={
            "station_code": "purge-1", "street_code": STREET, "community": "丁社区", "matchmaker_id": "mm-purge",
            "matchmaker_name": "某"})
        events = [jobseeker(uuid.uuid4().hex * 2, STREET, "丁社区") for _ in range(3)]
        app.state.components.applier.apply_batch(events)
        [job] = [job for job in app.state.periodic.jobs if job.name == "purge-processed-events"]

        def processed() -> int:
            with app.state.sessions() as session:
                return len(session.scalars(select(ProcessedEvent.event_id)).all())

        job.fn()
        assert processed() == 3  # younger than the retention
        # From the real time now, not the clock's start: rows are stamped with the real time at insert,
        # which on a loaded machine may be seconds after the clock was made.
        clock.now = datetime.now(UTC) + timedelta(seconds=7201)
        job.fn()
        assert processed() == 0

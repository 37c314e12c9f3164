"""发件箱吞吐：从发件箱行到代理确认的事件/秒，对比同一次运行中的裸 kafka-python 生产者。

Both sides send the same payloads (realistic ``jobseeker.registered`` events, keyed by person_ref)
to the same embedded broker with the same producer settings (runtime.outbox.make_producer), so the
ratio isolates what the outbox adds: reading rows from SQLite and marking them sent.
Rows are written before the clock starts; the relay is timed from its first read to the last mark.
Sides alternate (bare, outbox, bare, outbox, …) and the median of each is reported.
"""

from __future__ import annotations

import hashlib
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from schemas import CloudEvent, new_event
from schemas.events.registration import JobseekerRegistered
from schemas.fields import Skill
from schemas.vocab import Education, Gender, KeyGroup
from services.runtime.broker import EmbeddedBroker, ensure_topics, free_port
from services.runtime.db import make_engine, make_session_factory
from services.runtime.outbox import OutboxMessage, OutboxRelay, add_event, make_producer
from services.runtime.tables import create_runtime_tables

STREETS = ["120111001", "120111002", "120111100", "120111101", "120111103", "120111104"]


def _events(n: int, seed: int) -> list[CloudEvent]:
    events = []
    for i in range(n):
        data = JobseekerRegistered(
            person_ref=hashlib.sha256(f"{seed}-{i}".encode()).hexdigest(),
            street_code=STREETS[i % len(STREETS)],
            key_groups=[KeyGroup.RESIDENT] if i % 3 else [KeyGroup.GRADUATE, KeyGroup.GRADUATE_UNEMPLOYED],
            community="张家窝村", gender=Gender.MALE if i % 2 else Gender.FEMALE, age=22 + i % 30,
            education=Education.UNDERGRADUATE, skills=[Skill(name="数控车床", level=3), Skill(name="电工", level=2)],
            desired_salary_min=4500, desired_salary_max=7000, registered_on=date(2026, 11, 20),
        )
        events.append(new_event(data, source="/services/registration"))
    return events


def _bare(bootstrap: str, events: list[CloudEvent]) -> float:
    payloads = [(e.topic, e.key, e.to_json()) for e in events]
    producer = make_producer(bootstrap)
    started = time.perf_counter()
    futures = [producer.send(topic, key=key, value=value) for topic, key, value in payloads]
    producer.flush(timeout=120)
    for future in futures:
        future.get(timeout=0)
    elapsed = time.perf_counter() - started
    producer.close()
    return len(events) / elapsed


def _outbox(bootstrap: str, events: list[CloudEvent], workdir: Path, round_no: int) -> float:
    engine = make_engine(f"sqlite:///{workdir / f'outbox-{round_no}.sqlite3'}")
    with engine.begin() as conn:
        create_runtime_tables(conn)
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        for event in events:
            add_event(session, event)
    relay = OutboxRelay(sessions, bootstrap)
    relay.publish_batch()  # connect and warm up on the first batch, outside the clock
    started = time.perf_counter()
    sent = 0
    while (published := relay.publish_batch()) > 0:
        sent += published
    elapsed = time.perf_counter() - started
    with sessions() as session:
        assert session.query(OutboxMessage).filter(OutboxMessage.sent_at.is_(None)).count() == 0
    relay.stop()
    engine.dispose()
    return sent / elapsed


def run(quick: bool = False) -> dict[str, float | int]:
    n, rounds = (20_000, 2) if quick else (100_000, 3)
    broker = EmbeddedBroker(free_port())
    broker.start()
    try:
        ensure_topics(broker.bootstrap)
        with tempfile.TemporaryDirectory() as tmp:
            bare, outbox = [], []
            for round_no in range(rounds):
                events = _events(n, seed=round_no)
                bare.append(_bare(broker.bootstrap, events))
                outbox.append(_outbox(broker.bootstrap, _events(n, seed=1000 + round_no), Path(tmp), round_no))
    finally:
        broker.stop()
    events_per_s, bare_per_s = statistics.median(outbox), statistics.median(bare)
    return {
        "events": n,
        "rounds": rounds,
        "events_per_s": round(events_per_s),
        "bare_events_per_s": round(bare_per_s),
        "ratio": round(events_per_s / bare_per_s, 3),
    }

"""政策找人：10万人各一次事实变更后按项目目录评估资格（增量 vs 朴素）与事实事件到 programme.eligible 的延迟。

Two parts, each with its baseline in the same run:

1. **Evaluation** (single-threaded, the programmes service's pure code): 100,000 synthetic people
   (seeded facts: key groups, status, employment form, spells), then one fact-change event each
   (employment, unemployment, hardship, follow-up, in a realistic mix). ``evaluations_per_s`` counts
   people brought up to date for the whole catalogue per second the way the service does it: apply
   the event to the facts, find the facts that changed, evaluate only the rules that read one of them
   (``eligibility.RuleIndex.affected``). ``naive_evaluations_per_s`` does the same work the naive way
   the issue names — every rule for every person on every change — timed on a few changes;
   ``speedup`` is their ratio. ``per_person_naive_evaluations_per_s`` (every rule, but for the changed
   person only) is the stronger baseline, reported beside it. The incremental answers are checked
   against a full evaluation of every person at the end (``mismatches`` must be 0).
2. **Fact → eligible** on the embedded broker: the real worker (``python -m services.programmes``, its
   own SQLite database) reads ``leye.registration``; people certified 就业困难人员 first, then their
   flexible-employment events are published at a steady rate and ``programme.eligible`` is read back
   from ``leye.programme``: ``p95_ms_fact_to_eligible`` (and p50) from the moment the fact event was
   sent to the moment its eligibility (``cause_event_id``) was received.

``quick`` keeps the 100,000 people and shrinks the naive sample and the latency run.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from schemas import CloudEvent, new_event, parse_event
from schemas.events.base import PersonEventData
from schemas.events.programme import Eligible
from schemas.events.registration import (
    EmploymentRegistered,
    FollowupRecorded,
    HardshipCertified,
    JobseekerRegistered,
    UnemploymentRegistered,
)
from schemas.reference import STREETS
from schemas.vocab import (
    ContactChannel,
    Education,
    EmploymentForm,
    FollowupOutcome,
    Gender,
    HardshipCategory,
    KeyGroup,
    RegistrationPlace,
    UnemploymentReason,
)
from services.programmes.catalogue import load

# A benchmark may import a service's pure code (import-linter forbids it only for leye's operational commands).
from services.programmes.eligibility import RuleIndex, evaluate_naively
from services.programmes.facts import PersonFacts, apply, changed
from services.runtime.broker import EmbeddedBroker, ensure_topics, free_port, stop_process

ROOT = Path(__file__).parents[2]
PEOPLE = 100_000
TODAY = date(2026, 6, 1)
SOURCE = "/services/registration"


def _ref(i: int) -> str:
    return f"{i:064x}"


def _people(rng: random.Random) -> list[PersonFacts]:
    streets = sorted(STREETS)
    groups = [g.value for g in KeyGroup]
    return [PersonFacts(street_code=rng.choice(streets), key_groups=frozenset(rng.sample(groups, rng.randint(1, 3))),
                        status=rng.choice(["jobseeker", "unemployed", "employed"]),
                        employment_form=rng.choice([None, None, *[f.value for f in EmploymentForm]]),
                        unemployment_spells=rng.randint(0, 3), graduation_year=rng.choice([None, 2024, 2025]))
            for _ in range(PEOPLE)]


EMPLOYER = "91350100M000100Y43"  # the example code printed in GB 32100


def _change(rng: random.Random, i: int, facts: PersonFacts) -> PersonEventData:
    """One realistic fact-change event for person ``i`` (built before the clock starts)."""
    ref, street = _ref(i), facts.street_code or "120111001"
    groups = [KeyGroup(g) for g in sorted(facts.key_groups)]
    roll = rng.random()
    if roll < 0.35:
        form = rng.choice([EmploymentForm.FLEXIBLE, EmploymentForm.SELF_EMPLOYED, EmploymentForm.EMPLOYED])
        return EmploymentRegistered(person_ref=ref, street_code=street, key_groups=groups, form=form,
                                    employer_ref=EMPLOYER if form is EmploymentForm.EMPLOYED else None,
                                    employed_on=TODAY, was_registered_unemployed=False)
    if roll < 0.6:
        return UnemploymentRegistered(person_ref=ref, street_code=street,
                                      key_groups=sorted({*groups, KeyGroup.REGISTERED_UNEMPLOYED}),
                                      unemployed_since=TODAY,
                                      reason=UnemploymentReason.DISMISSED, registered_on=TODAY,
                                      registration_place=RegistrationPlace.RESIDENCE)
    if roll < 0.75:
        hardship = sorted({*groups, KeyGroup.HARDSHIP})
        return HardshipCertified(person_ref=ref, street_code=street, key_groups=hardship,
                                 categories=[HardshipCategory.OTHER], certified_on=TODAY)
    return FollowupRecorded(person_ref=ref, street_code=street, key_groups=groups, channel=ContactChannel.PHONE,
                            outcome=FollowupOutcome.STILL_UNEMPLOYED, followed_up_on=TODAY)


def _evaluation(quick: bool) -> dict[str, Any]:
    rng = random.Random(20261207)
    index = RuleIndex(load())
    people = _people(rng)
    kept = [dict(evaluate_naively(index.rules, facts)) for facts in people]
    changes = [_change(rng, i, facts) for i, facts in enumerate(people)]

    # the service's way: only the rules that read a changed fact, for the person it changed
    rule_evaluations = became = 0
    started = time.perf_counter()
    for i, data in enumerate(changes):
        before = people[i]
        after = apply(before, data)
        answers = kept[i]
        for rule in index.affected(changed(before, after)):
            holds = rule.holds(after)
            rule_evaluations += 1
            if holds and not answers[rule.programme_code]:
                became += 1
            answers[rule.programme_code] = holds
        people[i] = after
    incremental_s = time.perf_counter() - started
    mismatches = sum(kept[i] != dict(evaluate_naively(index.rules, facts)) for i, facts in enumerate(people))

    # every rule for the changed person only
    started = time.perf_counter()
    for i, data in enumerate(changes):
        evaluate_naively(index.rules, apply(people[i], data))
    per_person_s = time.perf_counter() - started

    # the naive way: every rule for every person on every change (a few changes, timed each)
    sample = 2 if quick else 5
    started = time.perf_counter()
    for i in range(sample):
        people[i] = apply(people[i], changes[i])
        for facts in people:
            evaluate_naively(index.rules, facts)
    naive_s = time.perf_counter() - started

    rate = PEOPLE / incremental_s
    naive_rate = sample / naive_s
    return {
        "people": PEOPLE,
        "rules": len(index.rules),
        "evaluations_per_s": round(rate, 1),
        "naive_evaluations_per_s": round(naive_rate, 3),
        "speedup": round(rate / naive_rate, 1),
        "per_person_naive_evaluations_per_s": round(PEOPLE / per_person_s, 1),
        "speedup_vs_per_person_naive": round(per_person_s / incremental_s, 2),
        "rules_evaluated_per_change": round(rule_evaluations / PEOPLE, 3),
        "became_eligible": became,
        "mismatches": mismatches,
    }


def _setup_events(n: int, run: str) -> tuple[list[CloudEvent], list[CloudEvent]]:
    """Per person: registered, then certified 就业困难人员 (setup); and the timed flexible employment."""
    setup: list[CloudEvent] = []
    timed: list[CloudEvent] = []
    groups = [KeyGroup.RESIDENT, KeyGroup.HARDSHIP, KeyGroup.DISABLED]
    for i in range(n):
        ref = f"{run}{i:056x}"[:64]
        street = sorted(STREETS)[i % len(STREETS)]
        setup.append(new_event(JobseekerRegistered(
            person_ref=ref, street_code=street, key_groups=[KeyGroup.RESIDENT], gender=Gender.FEMALE, age=41,
            education=Education.SENIOR_HIGH, registered_on=TODAY), source=SOURCE))
        setup.append(new_event(HardshipCertified(person_ref=ref, street_code=street, key_groups=groups,
                                                 categories=[HardshipCategory.DISABLED], certified_on=TODAY),
                               source=SOURCE))
        timed.append(new_event(EmploymentRegistered(person_ref=ref, street_code=street, key_groups=groups,
                                                    form=EmploymentForm.FLEXIBLE, employed_on=TODAY,
                                                    was_registered_unemployed=False), source=SOURCE))
    return setup, timed


async def _publish(bootstrap: str, events: list[CloudEvent]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for event in events:
            await producer.send(event.topic, key=event.key, value=event.to_json())
        await producer.flush()
    finally:
        await producer.stop()


def _wait_applied(url: str, refs: list[str], worker: subprocess.Popen[bytes]) -> None:
    """Until the worker knows every person (its "why" route answers), so the timed run starts idle."""
    deadline = time.monotonic() + 300
    with httpx.Client(base_url=url, timeout=10) as client:
        for ref in refs:
            while client.get(f"/programmes/eligibility/{ref}/flexible_social_insurance").status_code != 200:
                if worker.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the programmes worker did not apply the setup events")
                time.sleep(0.2)


async def _fact_to_eligible(bootstrap: str, timed: list[CloudEvent], rate_per_s: float) -> list[float]:
    """Publish ``timed`` at ``rate_per_s``; return the latency of each eligibility read back, in ms."""
    sent: dict[str, float] = {}
    received: dict[str, float] = {}
    consumer = AIOKafkaConsumer("leye.programme", bootstrap_servers=bootstrap, auto_offset_reset="latest",
                                group_id=None, enable_auto_commit=False)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await consumer.start()
    await producer.start()
    try:
        await consumer.getmany(timeout_ms=500)  # joined at the end of the topic before anything is sent

        async def read() -> None:
            while len(received) < len(timed):
                batch = await consumer.getmany(timeout_ms=200)
                now = time.perf_counter()
                for messages in batch.values():
                    for message in messages:
                        data = parse_event(message.value).data
                        if isinstance(data, Eligible) and data.cause_event_id in sent:
                            received.setdefault(data.cause_event_id, now)

        reader = asyncio.create_task(read())
        interval = 1.0 / rate_per_s
        start = time.perf_counter()
        for n, event in enumerate(timed):
            await asyncio.sleep(max(0.0, start + n * interval - time.perf_counter()))
            sent[event.id] = time.perf_counter()
            await producer.send_and_wait(event.topic, key=event.key, value=event.to_json())
        await asyncio.wait_for(reader, timeout=120)
    finally:
        await producer.stop()
        await consumer.stop()
    return [(received[i] - sent[i]) * 1000 for i in sent if i in received]


def _latency(quick: bool) -> dict[str, Any]:
    n, rate = (200, 20.0) if quick else (2000, 50.0)
    workdir = Path(tempfile.mkdtemp(prefix="leye-bench-policy-"))
    broker = EmbeddedBroker(free_port(), log_path=workdir / "broker.log")
    broker.start()
    worker = None
    try:
        ensure_topics(broker.bootstrap)
        port = free_port()
        env = os.environ | {"KAFKA_BOOTSTRAP": broker.bootstrap, "PROGRAMMES_PORT": str(port),
                            "LEYE_VAR_DIR": str(workdir / "var"), "LEYE_LOG_LEVEL": "WARNING",
                            "PROGRAMMES_DATABASE_URL": f"sqlite:///{workdir / 'programmes.sqlite3'}"}
        with (workdir / "worker.log").open("ab") as log:
            worker = subprocess.Popen([sys.executable, "-m", "services.programmes"], cwd=ROOT, env=env,
                                      stdout=subprocess.DEVNULL, stderr=log)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while not _ready(url):
            if worker.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"programmes worker did not start: {(workdir / 'worker.log').read_text()[-2000:]}")
            time.sleep(0.2)
        setup, timed = _setup_events(n, "b" * 8)
        asyncio.run(_publish(broker.bootstrap, setup))
        _wait_applied(url, [event.subject for event in timed], worker)
        latencies = asyncio.run(_fact_to_eligible(broker.bootstrap, timed, rate))
    finally:
        if worker is not None:
            stop_process(worker)
        broker.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    latencies.sort()
    return {
        "fact_events": n,
        "fact_events_per_s": rate,
        "eligible_received": len(latencies),
        "p50_ms_fact_to_eligible": round(statistics.median(latencies), 1),
        "p95_ms_fact_to_eligible": round(latencies[int(0.95 * (len(latencies) - 1))], 1),
    }


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def run(quick: bool = False) -> dict[str, Any]:
    return _evaluation(quick) | _latency(quick)

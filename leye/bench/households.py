"""零就业家庭与充分就业社区：20万户/50万人中一名成员状态变化到零就业家庭认定及其事件写入发件箱的用时；300个社区就业率的重算用时。

Two parts:

1. **Derivation** (the registration service's own code on its SQLite store, no HTTP): 200,000
   households of 1–4 members (500,000 persons, about 2.5 a household, in 300 communities) written
   straight into a fresh, migrated database; half of them 零就业家庭 (every member unemployed), half
   with one member employed. Then, one by one, a member's status changes through the route functions
   the API calls (``register_employment`` of a 零就业 family's member: the family is cleared;
   ``register_unemployment`` of the only employed member: the family is identified), each in its own
   unit of work committed as the service commits it. ``p95_ms_status_to_household_event`` (and p50)
   is the time from the call to the commit of the person's row, the household's row and both events
   in the outbox. The **baseline**, interleaved in the same run: the same changes of people in no
   household (``baseline_p95_ms``), so the difference is what the derivation adds. Every timed
   change must have written its household event (``household_events_missing`` must be 0).
2. **Community rates** (monitoring's ClickHouse store, chDB, its migrations and row builders as
   ``wall.py`` does): ``--events`` raw person status events (求职, 失业, 就业 with community codes of
   300 communities over 2026) written through ``Store.write_sync``, then the query of
   ``/stats/communities`` (every community's residents able and willing to work, the employed, so the
   rate) timed: ``community_rates_p95_ms``.

Targets (issue 18): a status change to its household event p95 ≤ 50 ms at 200,000 households; every
community's rate ≤ 500 ms at 10 M events. ``--quick``: 20,000 households / 50,000 persons, 100,000
events.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parents[2]
COMMUNITIES = 300
TARGET_P95_MS = 50.0
TARGET_RATES_MS = 500.0
_SOURCE = "/services/registration"


def _communities() -> dict[str, Any]:
    """300 communities spread over the 12 街镇 (codes: the 街镇's 9 digits and 3 of their own)."""
    from schemas.reference import STREETS, Community

    streets = sorted(STREETS)
    out = {}
    for i in range(COMMUNITIES):
        street = streets[i % len(streets)]
        code = f"{street}{500 + i // len(streets):03d}"
        out[code] = Community(code=code, name=f"基准社区{i}", street_code=street, kind="社区", demo=True)
    return out


def _id_number(born: date, serial: int) -> str:
    """A GB 11643 number of a Xiqing resident born on ``born`` (with its check digit)."""
    body = f"120111{born:%Y%m%d}{serial % 1000:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


Changes = tuple[list[str], list[str], list[tuple[str, str]]]


def _fill_registration(session: Any, cipher: Any, communities: Mapping[str, Any], households: int,
                       persons: int, loners: int, today: date, rng: random.Random) -> Changes:
    """Write the households, their members and ``loners`` people in no household; return the timed
    changes: (person_ref, action) for 零就业 families' members, employed members, and loners."""
    from sqlalchemy import insert

    from services.registration.store import Household, HouseholdMember, Person

    name, phone = cipher.encrypt("基准测试"), cipher.encrypt("13800000000")
    ids = [cipher.encrypt(_id_number(date(1970 + k * 3, 5, 17), k)) for k in range(10)]  # 29 to 56 in 2026
    codes = sorted(communities)
    since = today - timedelta(days=200)
    sizes = [1] * households
    for _ in range(persons - households):  # about 2.5 a household, from 1 to 4 members
        i = rng.randrange(households)
        while sizes[i] >= 4:
            i = rng.randrange(households)
        sizes[i] += 1

    def person(ref: str, status: str) -> dict[str, Any]:
        return {"person_ref": ref, "name_enc": name, "id_number_enc": rng.choice(ids), "phone_enc": phone,
                "pii_key_version": cipher.newest_version, "street_code": "", "gender": "2", "age": 40,
                "education": "40", "skills": [], "status": status, "registered_on": since,
                "unemployed_since": since if status == "unemployed" else None,
                "unemployment_registered_on": since if status == "unemployed" else None,
                "employed_on": since if status == "employed" else None, "version": 1}

    people: list[dict[str, Any]] = []
    homes: list[dict[str, Any]] = []
    members: list[dict[str, Any]] = []
    clear: list[str] = []
    identify: list[str] = []
    n = 0
    for h, size in enumerate(sizes):
        community = communities[codes[h % len(codes)]]
        zero = h % 2 == 0
        ref = f"c{h:063x}"
        homes.append({"household_ref": ref, "community_code": community.code, "street_code": community.street_code,
                      "registered_on": since, "zero_employment": zero, "zero_employment_since": since if zero else None,
                      "version": 1})
        for m in range(size):
            status = "unemployed" if zero or m > 0 else "employed"
            row = person(f"a{n:063x}", status) | {"street_code": community.street_code,
                                                   "community_code": community.code}
            people.append(row)
            members.append({"person_ref": row["person_ref"], "household_ref": ref, "relation": "01" if m == 0 else "20",
                            "joined_on": since})
            if m == 0:
                (clear if zero else identify).append(row["person_ref"])
            n += 1
    lonely = [person(f"b{i:063x}", "unemployed" if i % 2 == 0 else "employed") | {"street_code": "120111001"}
              for i in range(loners)]
    for table, rows in ((Person, people + lonely), (Household, homes), (HouseholdMember, members)):
        for start in range(0, len(rows), 20_000):
            session.execute(insert(table), rows[start:start + 20_000])
    session.commit()
    return clear, identify, [(row["person_ref"], row["status"]) for row in lonely]


def _p(sorted_ms: list[float], q: float) -> float:
    return round(sorted_ms[min(len(sorted_ms) - 1, max(0, round(q * len(sorted_ms) + 0.5) - 1))], 2)


def derivation(households: int, persons: int, changes: int, directory: Path) -> dict[str, Any]:
    """Part 1 in this process: fill a fresh registration store, then time ``changes`` status changes of
    household members and as many of people in no household, interleaved."""
    from sqlalchemy import func, select

    from schemas.fields import SHANGHAI
    from schemas.vocab import EmploymentForm, RegistrationPlace, UnemploymentReason
    from services.registration.api.models import EmploymentIn, UnemploymentIn
    from services.registration.api.persons import register_employment, register_unemployment
    from services.registration.app import MIGRATIONS
    from services.registration.crypto import PiiCipher
    from services.runtime.db import make_engine, make_session_factory, migrate
    from services.runtime.outbox import OutboxMessage

    rng = random.Random(20261207)
    engine = make_engine(f"sqlite:///{directory / 'registration.sqlite3'}")
    migrate(engine, MIGRATIONS)
    sessions = make_session_factory(engine)
    cipher = PiiCipher({1: "bench-households-" + "k" * 32})
    communities = _communities()
    today = datetime.now(SHANGHAI).date()
    with sessions() as session:
        clear, identify, loners = _fill_registration(session, cipher, communities, households, persons,
                                                     2 * changes, today, rng)
    employ = EmploymentIn(form=EmploymentForm.FLEXIBLE, employed_on=today)
    unemploy = UnemploymentIn(registered_on=today, unemployed_since=today, reason=UnemploymentReason.DISMISSED,
                              registration_place=RegistrationPlace.RESIDENCE)
    # (person, status before): a 零就业 family's member finds work, a family's only earner loses it
    timed = ([(ref, "unemployed") for ref in rng.sample(clear, changes // 2)]
             + [(ref, "employed") for ref in rng.sample(identify, changes - changes // 2)])
    rng.shuffle(timed)
    rng.shuffle(loners)

    def change(ref: str, was: str) -> float:
        started = time.perf_counter()
        with sessions() as session:
            if was == "employed":  # the only employed member loses the job (or a loner does)
                register_unemployment(ref, unemploy, session, cipher, communities)
            else:
                register_employment(ref, employ, session, cipher, communities)
            session.commit()
        return (time.perf_counter() - started) * 1000

    with sessions() as session:
        before = session.scalar(select(func.count()).select_from(OutboxMessage)
                                .where(OutboxMessage.topic == "leye.household")) or 0
    gc.collect()
    gc.freeze()
    with_household, baseline = [], []
    for (ref, was), (loner, status) in zip(timed, loners, strict=False):
        with_household.append(change(ref, was))
        baseline.append(change(loner, status))
    with sessions() as session:
        after = session.scalar(select(func.count()).select_from(OutboxMessage)
                               .where(OutboxMessage.topic == "leye.household")) or 0
    engine.dispose()
    with_household.sort()
    baseline.sort()
    return {
        "households": households,
        "persons": persons,
        "status_changes": len(with_household),
        "p50_ms_status_to_household_event": _p(with_household, 0.5),
        "p95_ms_status_to_household_event": _p(with_household, 0.95),
        "target_p95_ms_status_to_household_event": TARGET_P95_MS,
        "baseline_p50_ms": _p(baseline, 0.5),
        "baseline_p95_ms": _p(baseline, 0.95),
        "household_events_missing": len(with_household) - (after - before),
    }


def _status_events(people: int, rng: random.Random) -> Iterator[Any]:
    """Each person's 求职 registration, then maybe 失业, then maybe 就业, in one of the 300 communities,
    on days of 2026 (the events' own times, which the community state is dated by)."""
    from schemas import new_event
    from schemas.events.registration import EmploymentRegistered, JobseekerRegistered, UnemploymentRegistered
    from schemas.fields import SHANGHAI
    from schemas.vocab import Education, EmploymentForm, Gender, KeyGroup, RegistrationPlace, UnemploymentReason

    codes = sorted(_communities().items())
    for i in range(people):
        code, community = codes[i % len(codes)]
        ref, street, groups = f"{i:064x}", community.street_code, [KeyGroup.RESIDENT]
        at = datetime(2026, 1, 1, 9, tzinfo=SHANGHAI) + timedelta(days=rng.randrange(280), minutes=rng.randrange(480))
        yield new_event(JobseekerRegistered(person_ref=ref, street_code=street, community_code=code, key_groups=groups,
                                            gender=Gender.FEMALE, age=35, education=Education.SENIOR_HIGH,
                                            registered_on=at.date()), source=_SOURCE, time=at)
        if rng.random() < 0.6:
            at += timedelta(days=rng.randrange(1, 20))
            yield new_event(UnemploymentRegistered(
                person_ref=ref, street_code=street, community_code=code, key_groups=groups,
                unemployed_since=at.date(), reason=UnemploymentReason.DISMISSED, registered_on=at.date(),
                registration_place=RegistrationPlace.RESIDENCE), source=_SOURCE, time=at)
        if rng.random() < 0.8:
            at += timedelta(days=rng.randrange(1, 40))
            yield new_event(EmploymentRegistered(
                person_ref=ref, street_code=street, community_code=code, key_groups=groups,
                form=EmploymentForm.FLEXIBLE, employed_on=at.date(), was_registered_unemployed=False),
                source=_SOURCE, time=at)


def community_rates(events: int, directory: Path, repeats: int) -> dict[str, Any]:
    """Part 2 in this process: ``events`` person status events through the monitoring store's write
    path (a template of people copied with fresh ids, as the wall bench does), then every community's
    rate read ``repeats`` times."""
    from leye.bench.wall import row_copier
    from services.monitoring.ingest.rows import COLUMNS, EncodedEvent, json_lines, rows_for
    from services.monitoring.ingest.scopes import touched_scopes
    from services.monitoring.settings import Settings
    from services.monitoring.store import Store

    template = [(rows_for(event), tuple((s, k.value, c) for s, k, c in touched_scopes([event])))
                for event in _status_events(6_000, random.Random(18))]
    copy = row_copier(COLUMNS)
    batch_size = Settings.model_fields["batch_size"].default
    store = Store(f"chdb:///{directory}")
    store.open_sync()
    written, writing = 0, 0.0
    pending: list[EncodedEvent] = []

    def write(batch: list[EncodedEvent]) -> None:
        nonlocal written, writing
        started = time.perf_counter()
        store.write_sync(batch)
        writing += time.perf_counter() - started
        written += len(batch)

    while written + len(pending) < events:
        n = (written + len(pending)) // len(template)  # each copy a population of its own
        for number, (rows, scopes) in enumerate(template):
            if written + len(pending) >= events:
                break
            copied = copy(rows, n, 2026)
            pending.append(EncodedEvent(f"{n}-{number}", {t: json_lines(r) for t, r in copied.items()}, scopes))
            if len(pending) == batch_size:
                write(pending)
                pending = []
    if pending:
        write(pending)
    store.refresh_sync()
    end = date(2026, 12, 31)
    gc.collect()
    gc.freeze()
    found = store.communities_sync(end)  # warm: the first read takes its parts from disk
    runs = []
    for _ in range(repeats):
        started = time.perf_counter()
        found = store.communities_sync(end)
        runs.append((time.perf_counter() - started) * 1000)
    store.close()
    runs.sort()
    return {
        "events": written,
        "communities": len(found),
        "community_rates_p50_ms": _p(runs, 0.5),
        "community_rates_p95_ms": _p(runs, 0.95),
        "target_community_rates_p95_ms": TARGET_RATES_MS,
        "ingest_events_per_s": round(written / writing),
    }


def measure(households: int, persons: int, changes: int, events: int, repeats: int) -> dict[str, Any]:
    """Both parts, each in its own temporary directory (removed afterwards)."""
    out: dict[str, Any] = {}
    for part in ("derivation", "rates"):
        directory = Path(tempfile.mkdtemp(prefix=f"leye-bench-households-{part}-"))
        try:
            out |= (derivation(households, persons, changes, directory) if part == "derivation"
                    else community_rates(events, directory, repeats))
        finally:
            shutil.rmtree(directory, ignore_errors=True)
    return out


def run(quick: bool = False, events: int | None = None) -> dict[str, Any]:
    households, persons, changes = (20_000, 50_000, 400) if quick else (200_000, 500_000, 2_000)
    events = events or (100_000 if quick else 10_000_000)
    # A process of its own: one chDB engine per process, and a clean heap for the timings.
    command = [sys.executable, "-m", "leye.bench.households", str(households), str(persons), str(changes),
               str(events), "21"]
    result = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True)
    figures: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    print(f"{households:,} 户 / {persons:,} 人：成员状态变化到零就业家庭事件 p95 "
          f"{figures['p95_ms_status_to_household_event']} ms（目标 ≤ {TARGET_P95_MS:g} ms；无家庭的同类变化 p95 "
          f"{figures['baseline_p95_ms']} ms）", flush=True)
    print(f"{figures['events']:,} 条事件：{figures['communities']} 个社区就业率重算 p95 "
          f"{figures['community_rates_p95_ms']} ms（目标 ≤ {TARGET_RATES_MS:g} ms）", flush=True)
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    for name in ("households", "persons", "changes", "events", "repeats"):
        parser.add_argument(name, type=int)
    args = parser.parse_args()
    print(json.dumps(measure(args.households, args.persons, args.changes, args.events, args.repeats),
                     ensure_ascii=False))

"""The programmes process (``python -m services.programmes``) against the real broker: registration and
employer events feed its read model, a person who becomes eligible is published as
``programme.eligible`` on ``leye.programme``, a poison message is dead-lettered and the worker carries on."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import orjson
import pytest
from kafka import KafkaProducer

from schemas import new_event, parse_event
from schemas.events.programme import Eligible
from schemas.events.registration import EmploymentRegistered, HardshipCertified
from schemas.vocab import EmploymentForm, HardshipCategory, KeyGroup
from services.runtime.broker import free_port, stop_process
from tests.conftest import read_topic
from tests.services.programmes.conftest import STREET, credit_code, employer, jobseeker, today

ROOT = Path(__file__).parents[3]
GROUPS = [KeyGroup.RESIDENT, KeyGroup.HARDSHIP, KeyGroup.DISABLED]


def _ok(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def wait_for(check: Callable[[], object], message: str, process: subprocess.Popen[bytes], timeout_s: float = 60):
    deadline = time.monotonic() + timeout_s
    while True:
        result = check()
        if result:
            return result
        if process.poll() is not None:
            pytest.fail(f"worker exited: {process.stderr.read().decode()[-3000:] if process.stderr else ''}")
        assert time.monotonic() < deadline, message
        time.sleep(0.2)


@pytest.fixture(scope="module")
def worker(broker, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    tmp = tmp_path_factory.mktemp("programmes")
    port = free_port()
    env = os.environ | {"KAFKA_BOOTSTRAP": broker.bootstrap, "PROGRAMMES_PORT": str(port),
                        "LEYE_VAR_DIR": str(tmp / "var"), "LEYE_LOG_LEVEL": "WARNING",
                        "PROGRAMMES_DATABASE_URL": f"sqlite:///{tmp / 'programmes.sqlite3'}"}
    process = subprocess.Popen([sys.executable, "-m", "services.programmes"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    wait_for(lambda: _ok(f"{url}/readyz"), "worker did not become ready", process)
    yield url, process
    stop_process(process)


def publish(bootstrap: str, *messages: tuple[str, bytes, bytes]) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap)
    for topic, key, value in messages:
        producer.send(topic, key=key, value=value)
    producer.flush()
    producer.close()


def as_message(event) -> tuple[str, bytes, bytes]:
    return event.topic, event.key, event.to_json()


def test_a_person_who_becomes_eligible_is_published_and_a_poison_message_is_dead_lettered(broker, worker) -> None:
    url, process = worker
    ref = uuid.uuid4().hex * 2
    business = credit_code(int(uuid.uuid4().hex[:6], 16) % 10_000_000)
    poison_key = f"poison-{uuid.uuid4().hex}".encode()
    registered = jobseeker(ref)
    certified = new_event(HardshipCertified(person_ref=ref, street_code=STREET, key_groups=GROUPS,
                                            categories=[HardshipCategory.DISABLED], certified_on=today()),
                          source="/services/registration")
    flexible = new_event(EmploymentRegistered(person_ref=ref, street_code=STREET, key_groups=GROUPS,
                                              form=EmploymentForm.FLEXIBLE, employed_on=today(),
                                              was_registered_unemployed=False), source="/services/registration")
    publish(broker.bootstrap, ("leye.registration", poison_key, b"not json at all"), as_message(registered),
            as_message(certified), as_message(flexible), as_message(employer(business)))

    def published() -> list[Eligible]:
        found = [parse_event(r.value) for r in read_topic(broker.bootstrap, "leye.programme", timeout_s=1)
                 if r.key == ref.encode()]
        return [e.data for e in found if isinstance(e.data, Eligible)]

    [eligible] = wait_for(published, "no programme.eligible for the person", process)
    assert (eligible.programme_code, eligible.cause_event_id) == ("flexible_social_insurance", flexible.id)
    assert [c.fact for c in eligible.clauses] == ["key_groups", "employment_form"]

    def dead_lettered() -> list[dict]:
        letters = [orjson.loads(r.value)["data"] for r in read_topic(broker.bootstrap, "leye.deadletter", timeout_s=1)]
        return [d for d in letters if d["consumer"] == "programmes" and d["original_topic"] == "leye.registration"
                and d.get("key") == poison_key.decode()]

    [letter] = wait_for(dead_lettered, "the poison message was not dead-lettered", process)
    assert letter["reason_code"]

    # the employer is known: a loan to it is recorded; the person's "why" is served
    loan = httpx.post(f"{url}/programmes/loans", json={"employer_ref": business, "street_code": STREET,
                                                       "amount_yuan": 100_000, "term_months": 12,
                                                       "issued_on": today().isoformat()}, timeout=10)
    assert loan.status_code == 201, loan.text
    why = httpx.get(f"{url}/programmes/eligibility/{ref}/flexible_social_insurance", timeout=10).json()
    assert why["eligible"] is True and why["event_id"] is not None

"""Done when: a person is registered, becomes unemployed, is followed up, finds a job and is
closed — through real HTTP, with the outbox relay publishing to the real broker — and every step
is a valid event on Kafka without the submitted name, ID number or phone anywhere on the topic."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date

import httpx
import pytest
from sqlalchemy import text

from schemas import parse_event
from schemas.envelope import InvalidEvent
from schemas.events.registration import (
    EmploymentRegistered,
    FollowupRecorded,
    HardshipCertified,
    JobseekerRegistered,
    RegistrationClosed,
    UnemploymentRegistered,
)
from services.registration.app import create_app
from tests.conftest import LiveServer, read_topic

from .conftest import credit_code, id_number, outbox, person_body, service_settings

NAME, ID_NUMBER, PHONE = "王建国", id_number(date(1975, 8, 9), 311), "13987654321"
TOPIC = "leye.registration"


@pytest.fixture
def live(database_url: str, broker) -> Iterator[LiveServer]:
    app = create_app(service_settings(database_url, broker.bootstrap))
    with LiveServer(app) as server:
        server.app = app  # type: ignore[attr-defined]
        yield server


def wait_until_published(app, timeout_s: float = 20.0) -> None:
    """Wait (not an assertion) until the relay has had every outbox row acknowledged by the broker."""
    deadline = time.monotonic() + timeout_s
    while app.state.relay.pending() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert app.state.relay.pending() == 0


def events_of(app, bootstrap: str) -> tuple[list, list[bytes]]:
    """The parsed events this app's outbox published (other tests share the topic), and the raw bytes
    (keys and values) of every record on the topic."""
    mine = {m.event_id for m in outbox(app)}
    records = read_topic(bootstrap, TOPIC, to_end=True)
    raw = [r.value for r in records] + [r.key or b"" for r in records]
    return [e for e in map(_event, records) if e is not None and e.id in mine], raw


def _event(record):
    """The record's event, or None: other tests leave deliberately invalid records on the session
    broker's topics (the programmes worker test's poison on leye.registration)."""
    try:
        return parse_event(record.value)
    except InvalidEvent:
        return None


def test_register_unemployed_followup_employed_closed(live, broker) -> None:
    url = live.url
    body = person_body(name=NAME, id_number=ID_NUMBER, phone=PHONE, key_groups=["resident", "graduate_unemployed"],
                       graduation_year=2025)
    created = httpx.post(f"{url}/persons", json=body)
    assert created.status_code == 201, created.text
    ref = created.json()["person_ref"]
    assert created.json()["status"] == "jobseeker" and NAME not in created.text and ID_NUMBER not in created.text

    steps = [
        ("unemployment", {"unemployed_since": "2026-01-10", "reason": "contract_ended",
                          "registration_place": "residence", "registered_on": "2026-01-12"}, "unemployed"),
        ("followups", {"channel": "phone", "outcome": "still_unemployed", "followed_up_on": "2026-02-10"},
         "unemployed"),
        ("hardship", {"categories": ["age_4050"], "certified_on": "2026-02-11"}, "unemployed"),
        ("employment", {"form": "employed", "employer_ref": credit_code(), "employed_on": "2026-03-02",
                        "industry": {"section": "C", "division": "34"}, "case_id": "case-7", "vacancy_id": "v-9"},
         "employed"),
        ("close", {"reason": "employed", "closed_on": "2026-03-03"}, "closed"),
    ]
    for path, step, status in steps:
        response = httpx.post(f"{url}/persons/{ref}/{path}", json=step)
        assert response.status_code in (200, 201), (path, response.text)
        assert response.json()["status"] == status

    looked_up = httpx.post(f"{url}/persons/lookup", json={"id_number": ID_NUMBER})
    assert looked_up.json() == {"person_ref": ref, "status": "closed"}
    detail = httpx.get(f"{url}/persons/{ref}").json()
    assert (detail["name"], detail["id_number"], detail["phone"]) == (NAME, ID_NUMBER, PHONE)
    assert (detail["gender"], detail["age"]) == ("1", 50)
    assert detail["graduate_case"] == "closed" and detail["graduate_case_close_reason"] == "employed"
    assert detail["hardship_categories"] == ["age_4050"]

    wait_until_published(live.app)
    events, raw = events_of(live.app, broker.bootstrap)
    assert {e.subject for e in events} == {ref}
    assert [type(e.data) for e in events] == [
        JobseekerRegistered, UnemploymentRegistered, FollowupRecorded, HardshipCertified, EmploymentRegistered,
        RegistrationClosed,
    ]
    registered, unemployed, followup, hardship, employed, closed = (e.data for e in events)
    assert all(e.source == "/services/registration" for e in events)
    assert (registered.age, registered.gender.value, registered.street_code) == (50, "1", "120111001")
    assert {g.value for g in registered.key_groups} == {"resident", "graduate_unemployed"}
    assert (unemployed.unemployed_since, unemployed.reason.value) == (date(2026, 1, 10), "contract_ended")
    assert "registered_unemployed" in {g.value for g in unemployed.key_groups}
    assert (followup.channel.value, followup.followed_up_on) == ("phone", date(2026, 2, 10))
    assert {g.value for g in hardship.key_groups} >= {"hardship", "age_4050", "registered_unemployed"}
    assert (employed.employer_ref, employed.case_id, employed.vacancy_id) == (credit_code(), "case-7", "v-9")
    assert (employed.was_registered_unemployed, employed.unemployed_since) == (True, date(2026, 1, 10))
    assert {g.value for g in employed.key_groups} == {"resident", "hardship", "age_4050"}
    assert (closed.registration.value, closed.reason.value, closed.closed_on) == (
        "jobseeker", "employed", date(2026, 3, 3))

    for secret in (NAME, ID_NUMBER, ID_NUMBER[:17], PHONE):
        assert not any(secret.encode() in value for value in raw), "personal data on the topic"


def test_personal_data_is_encrypted_at_rest(live) -> None:
    ref = httpx.post(f"{live.url}/persons", json=person_body(name=NAME, id_number=ID_NUMBER, phone=PHONE,
                                                               ),
                     headers={"Idempotency-Key": "encrypted-at-rest"}).json()["person_ref"]
    stored = []
    with live.app.state.engine.connect() as conn:
        for table in ("persons", "person_groups", "outbox", "idempotency_keys"):
            stored.extend(str(row) for row in conn.execute(text(f"SELECT * FROM {table}")))
    dump = "\n".join(stored)
    assert ref in dump
    for secret in (NAME, ID_NUMBER, ID_NUMBER[:17], PHONE):
        assert secret not in dump

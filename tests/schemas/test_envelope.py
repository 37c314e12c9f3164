"""The CloudEvents envelope: building, serialising and parsing events."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
from pydantic import ValidationError

from schemas import CloudEvent, InvalidEvent, new_event, parse_event
from schemas.events import EventData
from schemas.events.registration import JobseekerRegistered
from schemas.fields import SHANGHAI
from tests.schemas.samples import PERSON, SAMPLES

JOBSEEKER = next(s for s in SAMPLES if isinstance(s, JobseekerRegistered))
AT = datetime(2025, 3, 1, 8, 0, tzinfo=SHANGHAI)


def event_dict(**changes: Any) -> dict[str, Any]:
    """A valid job-seeker event as a JSON dict, with top-level attributes replaced or (``...``) removed."""
    document = new_event(JOBSEEKER, source="/services/registration", time=AT).to_dict()
    document.update(changes)
    return {k: v for k, v in document.items() if v is not ...}


def data_dict(**changes: Any) -> dict[str, Any]:
    return event_dict(data={**JOBSEEKER.model_dump(mode="json"), **changes})


def test_new_event_fills_the_envelope_from_the_data() -> None:
    event = new_event(JOBSEEKER, source="/services/registration")
    assert event.specversion == "1.0"
    assert event.type == "cn.xiqing.leye.jobseeker.registered.v1"
    assert event.subject == PERSON
    assert event.key == PERSON.encode()
    assert event.topic == "leye.registration"
    assert event.datacontenttype == "application/json"
    assert uuid.UUID(event.id).version == 7
    assert event.time.utcoffset() == timedelta(hours=8)
    assert abs(datetime.now(SHANGHAI) - event.time) < timedelta(seconds=5)
    assert event.data is JOBSEEKER


def test_ids_are_time_ordered() -> None:
    ids = [new_event(JOBSEEKER, source="/services/registration").id for _ in range(50)]
    assert len(set(ids)) == 50
    assert ids == sorted(ids)


def test_explicit_id_and_time_are_kept_and_time_is_shown_in_shanghai() -> None:
    given_id = "0195508b-3c80-7000-8000-000000000001"
    utc = datetime(2025, 3, 1, 0, 0, tzinfo=UTC)
    event = new_event(JOBSEEKER, source="/services/registration", time=utc, id=given_id)
    assert event.id == given_id
    assert event.time == utc
    assert event.to_dict()["time"] == "2025-03-01T08:00:00+08:00"


def rebuilt(**changes: Any) -> CloudEvent[EventData]:
    """A job-seeker event constructed directly, with some envelope attributes replaced."""
    return CloudEvent(**{**dict(new_event(JOBSEEKER, source="/services/registration")), **changes})


@pytest.mark.parametrize(
    ("build", "error_type"),
    [
        pytest.param(
            lambda: new_event(JOBSEEKER, source="registration"), "string_pattern_mismatch", id="bad source"
        ),
        pytest.param(
            lambda: new_event(JOBSEEKER, source="/services/reg", id="not-a-uuid"),
            "string_pattern_mismatch",
            id="bad id",
        ),
        pytest.param(
            lambda: new_event(JOBSEEKER, source="/services/reg", id=str(uuid.uuid4())),
            "string_pattern_mismatch",
            id="UUIDv4 instead of v7",
        ),
        pytest.param(
            lambda: new_event(JOBSEEKER, source="/services/reg", time=datetime(2025, 3, 1)),
            "timezone_aware",
            id="naive time",
        ),
        pytest.param(
            lambda: rebuilt(subject="x"), "event_subject_mismatch", id="subject is not the aggregate id"
        ),
        pytest.param(
            lambda: rebuilt(type="cn.xiqing.leye.other.thing.v1"),
            "event_type_mismatch",
            id="type is not the data's",
        ),
    ],
)
def test_invalid_envelopes_cannot_be_built(build: Callable[[], object], error_type: str) -> None:
    with pytest.raises(ValidationError) as caught:
        build()
    assert [e["type"] for e in caught.value.errors()] == [error_type]


def test_to_json_is_compact_utf8_structured_mode() -> None:
    event = new_event(JOBSEEKER, source="/services/registration", time=AT)
    raw = event.to_json()
    assert "柳口路社区".encode() in raw
    assert b": " not in raw and b", " not in raw
    document = orjson.loads(raw)
    assert list(document) == [
        "specversion",
        "id",
        "source",
        "type",
        "subject",
        "time",
        "datacontenttype",
        "data",
    ]
    assert document["time"] == "2025-03-01T08:00:00+08:00"
    assert document["data"]["gender"] == "2"
    assert document == event.to_dict()


@pytest.mark.parametrize("data", [pytest.param(s, id=s.event_type) for s in SAMPLES])
def test_round_trip(data: EventData) -> None:
    event = new_event(data, source="/services/test")
    parsed = parse_event(event.to_json())
    assert parsed == event
    assert type(parsed.data) is type(data)
    assert parsed.to_json() == event.to_json()


@pytest.mark.parametrize(
    "convert",
    [
        pytest.param(lambda e: e.to_json(), id="bytes"),
        pytest.param(lambda e: e.to_json().decode(), id="str"),
        pytest.param(lambda e: e.to_dict(), id="dict"),
    ],
)
def test_parse_event_accepts_bytes_str_and_dict(convert: Callable[[CloudEvent[EventData]], Any]) -> None:
    event = new_event(JOBSEEKER, source="/services/registration")
    assert parse_event(convert(event)) == event


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        pytest.param(b"{", "not_json", id="truncated JSON"),
        pytest.param(b"\xff\xfe", "not_json", id="not UTF-8"),
        pytest.param("", "not_json", id="empty"),
        pytest.param(b"[1, 2]", "bad_envelope", id="JSON array"),
        pytest.param(event_dict(type=...), "bad_envelope", id="no type"),
        pytest.param(event_dict(type=7), "bad_envelope", id="type not a string"),
        pytest.param(
            event_dict(type="cn.xiqing.leye.nothing.happened.v1"), "unknown_type", id="unknown type"
        ),
        pytest.param(
            event_dict(type="cn.xiqing.leye.jobseeker.registered.v2"), "unknown_type", id="unknown version"
        ),
        pytest.param(event_dict(specversion="0.3"), "bad_envelope", id="other spec version"),
        pytest.param(event_dict(specversion=...), "bad_envelope", id="no spec version"),
        pytest.param(event_dict(dataschema="urn:x"), "bad_envelope", id="dataschema not supported"),
        pytest.param(event_dict(traceparent="00-ab"), "bad_envelope", id="extension attribute"),
        pytest.param(event_dict(source="/services/Reg"), "bad_envelope", id="bad source"),
        pytest.param(event_dict(id=str(uuid.uuid4())), "bad_envelope", id="UUIDv4 id"),
        pytest.param(event_dict(subject="someone-else"), "bad_envelope", id="subject is not the person_ref"),
        pytest.param(event_dict(time="2025-03-01T08:00:00"), "bad_envelope", id="time without offset"),
        pytest.param(event_dict(datacontenttype="text/plain"), "bad_envelope", id="not JSON data"),
        pytest.param(event_dict(data=...), "bad_envelope", id="no data"),
        pytest.param(event_dict(data="x"), "bad_data", id="data not an object"),
        pytest.param(data_dict(age=15), "bad_data", id="age 15"),
        pytest.param(data_dict(street_code="120111999"), "bad_data", id="unknown street"),
        pytest.param(data_dict(name="张三"), "bad_data", id="personal field in data"),
        pytest.param(data_dict(gender=1), "bad_data", id="gender code as number"),
    ],
)
def test_parse_event_error_codes(raw: bytes | str | dict[str, Any], code: str) -> None:
    with pytest.raises(InvalidEvent) as caught:
        parse_event(raw)
    assert caught.value.code == code
    assert caught.value.message


def test_parse_event_oversized() -> None:
    raw = new_event(JOBSEEKER, source="/services/registration").to_json()
    with pytest.raises(InvalidEvent) as caught:
        parse_event(raw, max_bytes=len(raw) - 1)
    assert caught.value.code == "oversized"
    assert parse_event(raw, max_bytes=len(raw)).data == JOBSEEKER


def test_parse_event_names_fields_but_never_echoes_values() -> None:
    raw = data_dict(name="张三", street_code="120111999", community="某某路88号")
    raw["data"]["phone"] = "13800138000"
    with pytest.raises(InvalidEvent) as caught:
        parse_event(raw)
    text = str(caught.value)
    assert caught.value.code == "bad_data"
    assert "data.name [extra_forbidden]" in caught.value.message
    assert "data.street_code [street_code]" in caught.value.message
    for value in ("张三", "120111999", "13800138000"):
        assert value not in text
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__ is True


def test_envelope_errors_take_precedence_over_data_errors() -> None:
    with pytest.raises(InvalidEvent) as caught:
        parse_event({**data_dict(age=15), "source": "nowhere"})
    assert caught.value.code == "bad_envelope"
    assert caught.value.message.endswith("source [string_pattern_mismatch]")

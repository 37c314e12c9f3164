"""The committed JSON Schemas are current, complete, and accept the events we produce."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from schemas import EVENT_TYPES, new_event, parse_event
from schemas.events import EventData
from schemas.export import SCHEMA_DIR, render
from tests.schemas.samples import SAMPLES

RENDERED = render()


def test_committed_schemas_equal_a_fresh_export() -> None:
    committed = {path.name: path.read_text(encoding="utf-8") for path in SCHEMA_DIR.glob("*.json")}
    stale = sorted(
        name for name in RENDERED.keys() | committed.keys() if RENDERED.get(name) != committed.get(name)
    )
    assert not stale, (
        f"JSON Schemas are stale ({', '.join(stale)}): run `python -m schemas.export` and commit"
    )


def test_every_event_type_has_a_schema_and_an_index_entry() -> None:
    assert set(RENDERED) == {f"{t}.json" for t in EVENT_TYPES} | {"index.json"}
    index = json.loads(RENDERED["index.json"])
    assert [entry["type"] for entry in index["events"]] == sorted(EVENT_TYPES)
    assert all(entry["topic"] == EVENT_TYPES[entry["type"]].topic for entry in index["events"])


def test_every_event_type_has_a_sample() -> None:
    assert sorted(s.event_type for s in SAMPLES) == sorted(EVENT_TYPES)


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_schema_is_draft_2020_12_with_type_as_const(event_type: str) -> None:
    schema = json.loads(RENDERED[f"{event_type}.json"])
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith(event_type)
    assert schema["properties"]["type"]["const"] == event_type
    assert schema["additionalProperties"] is False


@pytest.mark.parametrize("data", [pytest.param(s, id=s.event_type) for s in SAMPLES])
def test_sample_validates_against_its_schema_and_round_trips(data: EventData) -> None:
    event = new_event(data, source="/services/test")
    raw = event.to_json()
    validator = Draft202012Validator(json.loads(RENDERED[f"{data.event_type}.json"]))
    assert list(validator.iter_errors(json.loads(raw))) == []
    assert parse_event(raw) == event


def test_schema_rejects_a_different_type_and_unknown_attributes() -> None:
    data = SAMPLES[0]
    document = new_event(data, source="/services/test").to_dict()
    validator = Draft202012Validator(json.loads(RENDERED[f"{data.event_type}.json"]))
    assert not validator.is_valid({**document, "type": "cn.xiqing.leye.vacancy.posted.v1"})
    assert not validator.is_valid({**document, "dataschema": "urn:x"})
    assert not validator.is_valid({**document, "data": {**document["data"], "name": "张三"}})
    assert not validator.is_valid({**document, "data": {**document["data"], "street_code": "120111999"}})

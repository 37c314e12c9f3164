"""Event -> rows: pure, idempotent (same input twice gives the same rows), and day-bucketed in
Asia/Shanghai, as snuba's processor idempotency tests check."""

from __future__ import annotations

from datetime import date, datetime

import orjson
import pytest

from leye.bench.data.event_set import varied_events
from schemas import new_event, parse_event
from schemas.fields import SHANGHAI
from services.monitoring.ingest.encoding import encode
from services.monitoring.ingest.rows import COLUMNS, rows_for, shanghai_day
from services.monitoring.ingest.scopes import touched_scopes
from tests.schemas.samples import SAMPLES

MONITORED = [data for data in SAMPLES if data.topic != "leye.deadletter"]
# Topics whose events monitoring keeps in the raw log only, until it derives their facts.
RAW_LOG_ONLY: set[str] = set()


@pytest.mark.parametrize("data", MONITORED, ids=[type(d).__name__ for d in MONITORED])
def test_same_event_twice_gives_the_same_rows(data) -> None:
    event = new_event(data, source="/services/registration")
    first, again, decoded = rows_for(event), rows_for(event), rows_for(parse_event(event.to_json()))
    assert first == again == decoded
    assert set(first) <= set(COLUMNS)
    for table, rows in first.items():
        assert all(len(row) == len(COLUMNS[table]) for row in rows)
        assert all(row[0] == event.id or table == "employers" for row in rows)
    assert len(first["events"]) == 1
    if data.topic in RAW_LOG_ONLY:
        assert set(first) == {"events"}, "this event has facts now: give it the fact-row check below"
    else:
        assert len(first) == 2, "every monitored event adds exactly one fact or state row besides the raw log"


@pytest.mark.parametrize("data", MONITORED, ids=[type(d).__name__ for d in MONITORED])
def test_the_raw_log_keeps_the_data_as_validated(data) -> None:
    event = parse_event(new_event(data, source="/services/registration").to_json())
    [row] = rows_for(event)["events"]
    payload = row[COLUMNS["events"].index("payload")]
    assert payload.decode() == event.model_dump_json(include={"data"})
    assert type(data).model_validate_json(orjson.dumps(orjson.loads(payload)["data"])) == data


def test_an_encoded_event_is_its_rows_as_json_lines() -> None:
    events = varied_events(seed=5, people=20, employers=3, vacancies=5, sessions=2, cases=5)
    for event in events:
        rows, encoded = rows_for(event), encode(event)
        assert encoded.id == event.id and encoded == encode(event)
        assert set(encoded.lines) == set(rows)
        for table, table_rows in rows.items():
            lines = encoded.lines[table].splitlines()
            assert len(lines) == len(table_rows)
            for line, row in zip(lines, table_rows, strict=True):
                assert orjson.loads(line) == orjson.loads(orjson.dumps(
                    [orjson.loads(v) if isinstance(v, bytes) else v for v in row]))
        assert set(encoded.scopes) == touched_scopes([event])


@pytest.mark.parametrize(("moment", "day"), [
    pytest.param(datetime(2026, 3, 1, 0, 30, tzinfo=SHANGHAI), date(2026, 3, 1), id="just after midnight Shanghai"),
    pytest.param(datetime(2026, 2, 28, 16, 30).astimezone(SHANGHAI), None, id="naive-free: local conversion"),
    pytest.param(datetime.fromisoformat("2026-02-28T16:30:00+00:00"), date(2026, 3, 1), id="16:30 UTC is next day"),
    pytest.param(datetime.fromisoformat("2026-02-28T15:59:59+00:00"), date(2026, 2, 28), id="15:59 UTC same day"),
])
def test_days_are_bucketed_in_shanghai(moment: datetime, day: date | None) -> None:
    assert shanghai_day(moment) == (day or moment.astimezone(SHANGHAI).date())


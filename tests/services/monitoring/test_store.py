"""The worker's write path on the real engine: events encoded as the decoding child encodes them
(``encoding.encode``: JSON lines) read back from ClickHouse exactly as ``rows_for`` made them, in
every table — times, days, arrays, nulls, Chinese text and the raw payload byte for byte."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from leye.bench.data.event_set import varied_events
from schemas import new_event
from services.monitoring.ingest.encoding import decode_messages, encode_events
from services.monitoring.ingest.rows import COLUMNS, EncodedEvent, rows_for
from services.monitoring.store import Store
from tests.schemas.samples import SAMPLES

MONITORED = [data for data in SAMPLES if data.topic != "leye.deadletter"]


# the varied stream (with its redelivered copies) and one event of every monitored type
EVENTS = varied_events(seed=11) + [new_event(data, source="/services/registration") for data in MONITORED]


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One chDB engine for the module (one engine per process: closed again at the end)."""
    store = Store(f"chdb:///{tmp_path_factory.mktemp('store-ch')}")
    store.open_sync()
    store.write_sync(encode_events(EVENTS[: len(EVENTS) // 2]))  # two batches, as the worker writes
    store.write_sync(encode_events(EVENTS[len(EVENTS) // 2 :]))
    yield store
    store.close()


def _as_read(value: object) -> object:
    """A row value as the driver returns it: times naive in UTC to the millisecond (DateTime64(3)),
    the payload as text."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None, microsecond=value.microsecond // 1000 * 1000)
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, list):  # arrays, made hashable for the comparison
        return tuple(value)
    return value


@pytest.mark.parametrize("table", list(COLUMNS))
def test_every_table_reads_back_what_the_rows_say(written: Store, table: str) -> None:
    expected = {tuple(_as_read(v) for v in row) for event in EVENTS for row in rows_for(event).get(table, [])}
    assert expected, f"the test stream writes {table}"
    read = written.rows_sync(f"SELECT {', '.join(COLUMNS[table])} FROM {table} FINAL")
    found = {tuple(_as_read(v) for v in row) for row in read}
    if table == "employers":  # keyed by employer: FINAL keeps each employer's latest registration
        assert found <= expected
        assert len(found) == len({row[0] for row in expected})
    else:
        assert found == expected


def test_rows_inserted_directly_read_back(written: Store) -> None:
    # the warning engine writes its alert rows itself (``Store.insert_sync``), through the same format
    row = ("01j0000000000000000000000a", datetime(2026, 5, 1, 1, 2, 3, 456000, tzinfo=UTC), "alert-test-1", "open",
           "orange", "street", "120111001", "mass_layoff", 60.0, 50.0, "2026-05-01", "stream")
    written.insert_sync("alerts", [row])
    columns = ", ".join(COLUMNS["alerts"])
    found = written.rows_sync(f"SELECT {columns} FROM alerts FINAL WHERE alert_id = 'alert-test-1'")
    assert found == [tuple(_as_read(v) for v in row)]


def test_decoding_child_output_is_picklable_and_keeps_reasons() -> None:
    import pickle

    good = new_event(MONITORED[0], source="/services/registration")
    out = pickle.loads(pickle.dumps(decode_messages([good.to_json(), b"not json", b'{"type": 3}'])))
    assert isinstance(out[0], EncodedEvent) and out[0].id == good.id
    assert [getattr(item, "code", None) for item in out[1:]] == ["not_json", "bad_envelope"]


def test_a_funds_flag_resolved_by_the_bureau_no_longer_shows_as_open_in_warnings(written: Store) -> None:
    """资金监管: the programmes service closes a reviewed flag with ``alert.resolved`` (same alert id);
    ``/warnings`` (open by default) drops it and lists it as resolved."""
    from schemas.events.alert import AlertRaised, AlertResolved
    from schemas.vocab import AlertLevel, AlertSource, ScopeKind
    from services.monitoring.api.warnings import _LATEST

    written.client.command("CREATE DATABASE IF NOT EXISTS funds")
    store = Store(f"{written.dsn}?database=funds")
    store.open_sync()
    alert_id = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a01"
    state = {"alert_id": alert_id, "level": AlertLevel.YELLOW, "scope_kind": ScopeKind.STREET,
             "scope_code": "120111001", "signal": "funds_granted_without_eligibility", "value": 2.0,
             "threshold": 0.0, "window": "1d", "source": AlertSource.FUNDS, "subject_ref": "grant-1"}
    raised = new_event(AlertRaised(**state, summary="违反创业补贴资格规则"), source="/services/programmes",
                       time=datetime(2026, 12, 1, 9, tzinfo=UTC))
    store.write_sync(encode_events([raised]))

    def listed(status: str) -> list[tuple[str, str, str]]:
        return [(row[0], row[1], row[9]) for row in store.rows_sync(_LATEST, {"status": status})]

    assert listed("open") == [(alert_id, "open", "funds")]
    closed = "资金监管预警已复核解除（发放时不符合资格条件）：经核实不构成违规"
    resolved = new_event(AlertResolved(**state, summary=closed), source="/services/programmes",
                         time=datetime(2026, 12, 2, 9, tzinfo=UTC))
    store.write_sync(encode_events([resolved]))
    assert listed("open") == []
    assert listed("resolved") == [(alert_id, "resolved", "funds")]

"""ClickHouse migrations: numbered 1..n, each with a reason, idempotent on the real engine."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from leye.bench.data.event_set import varied_events
from leye.reference import Reference
from schemas.events import layoff, referral
from services.monitoring.migrations import Migration, check_numbering, discover, migrate

ROOT = Path(__file__).parents[3]


def _m(version: int, reason: str = "why") -> Migration:
    return Migration(version, f"{version:04d}_x", ("SELECT 1",), ("SELECT 1",), reason)


def test_the_shipped_migrations_are_numbered_and_explained() -> None:
    migrations = discover()
    check_numbering(migrations)
    assert all(m.forwards and m.backwards for m in migrations)


@pytest.mark.parametrize(("versions", "reason"), [
    pytest.param([1, 2, 2], "why", id="duplicate number"),
    pytest.param([1, 3], "why", id="missing number"),
    pytest.param([2], "why", id="not starting at 1"),
    pytest.param([1], "", id="no docstring"),
])
def test_bad_numbering_is_rejected(versions: list[int], reason: str) -> None:
    with pytest.raises(ValueError):
        check_numbering([_m(v, reason) for v in versions])


def test_a_badly_named_file_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "0001-initial.py").write_text('"""why"""\nforwards = []\nbackwards = []\n')
    with pytest.raises(ValueError, match="badly named"):
        discover(tmp_path)


class _Recorder:
    """Stands in for the client to check which statements run (the real engine is tested below)."""

    def __init__(self, applied: set[int]) -> None:
        self.applied, self.commands = applied, []

    def command(self, sql: str) -> None:
        self.commands.append(sql)

    def query(self, sql: str):  # a minimal result object
        return type("Result", (), {"result_rows": [(v,) for v in self.applied]})()


def test_applied_migrations_are_skipped() -> None:
    recorder = _Recorder(applied={1})
    assert migrate(recorder, [_m(1), _m(2)]) == ["0002_x"]
    assert recorder.commands.count("SELECT 1") == 1


_ON_CHDB = """
import sys, clickhouse_connect
from services.monitoring.migrations import discover, migrate
client = clickhouse_connect.get_client(dsn="chdb:///" + sys.argv[1])
first, again = migrate(client), migrate(client)
tables = {r[0] for r in client.query("SHOW TABLES").result_rows}
from services.monitoring.ingest.encoding import encode_events
from services.monitoring.store import Store
from leye.bench.data.event_set import varied_events
store = Store("chdb:///" + sys.argv[1])
store._client = client  # the same engine: one per process
store.write_sync(encode_events(varied_events(seed=7)))
views = [client.query(sql).result_rows[0][0] for sql in (
    "SELECT countIf(registered_unemployed) FROM people_current",
    "SELECT sumIf(open_headcount, valid_until >= '2026-12-31') FROM vacancies_current",
    "SELECT countIf(breached) FROM cases_current",
    "SELECT sum(baseline_headcount) - sum(current_headcount) FROM monitored_employers",
)]
for m in reversed(discover()):
    for sql in m.backwards:
        client.command(sql)
left = {r[0] for r in client.query("SHOW TABLES").result_rows}
print(len(first), len(again), len(tables), sorted(left), *views)
"""


def test_forwards_are_idempotent_views_hold_current_state_and_backwards_undo_them(tmp_path: Path) -> None:
    # A child process: chDB allows one engine per process and other tests may hold one.
    out = subprocess.run([sys.executable, "-c", _ON_CHDB, str(tmp_path / "ch")], cwd=ROOT, capture_output=True,
                         text=True, check=True, timeout=120).stdout.split()
    n = len(discover())
    # 0001–0003: 11 tables and 4 views; 0004: 15 tables and 12 materialized views; 0005: 4 tables and a
    # materialized view more, a table and a view fewer; 0006: 3 tables and 3 views; 0007: 3 tables and a view
    # in place of as many; 0008: a table (and a view made again); 0009: a table and a view; 0010: a table and
    # two views; 0011: a table; 0012: a table and two views; 0013: a table and a view; 0014: 7 tables and 4
    # views; 0015: a table; 0016: a table and a view; 0017: a table and a view; 0018: columns and rows only;
    # then only the ledger
    assert out[:4] == [str(n), "0", "79", "['schema_migrations']"]
    events, end = varied_events(seed=7), date(2026, 12, 31)
    reference = Reference(events, end, end)
    expected_unemployed = reference.registered_unemployed()[0]
    expected_posts = reference.vacancy_ratio()[0] * reference.vacancy_ratio()[1]
    expected_breached = len({e.data.case_id for e in events if isinstance(e.data, referral.CaseSlaBreached)})
    latest = {}
    for e in sorted((e for e in events if isinstance(e.data, layoff.HeadcountReported)),
                    key=lambda e: (e.data.month, e.time, e.id)):
        latest[e.data.employer_ref] = e.data
    expected_loss = sum(r.baseline_headcount - r.current_headcount for r in latest.values())
    assert [float(v) for v in out[4:]] == pytest.approx(
        [expected_unemployed, expected_posts, expected_breached, expected_loss])


_BACKFILL = """
import sys, clickhouse_connect
from services.monitoring.migrations import discover, migrate
from services.monitoring.ingest.encoding import encode_events
from services.monitoring.store import Store
from leye.bench.data.event_set import varied_events
client = clickhouse_connect.get_client(dsn="chdb:///" + sys.argv[1])
migrate(client)
store = Store("chdb:///" + sys.argv[1])
store._client = client  # the same engine: one per process
store.write_sync(encode_events(varied_events(seed=7)))
# Rows written before 0003 had no person: blank the column, then run 0003's backfill (twice).
client.command("ALTER TABLE case_facts UPDATE person_ref = '' WHERE 1 SETTINGS mutations_sync = 1")
blank = client.query("SELECT countIf(person_ref != '') FROM case_facts FINAL").result_rows[0][0]
[backfill] = [m.forwards[1] for m in discover() if m.name == "0003_case_person_ref"]
client.command(backfill)
stored = client.query("SELECT count() FROM case_facts").result_rows[0][0]
client.command(backfill)
again = client.query("SELECT count() FROM case_facts").result_rows[0][0]
rows = client.query("SELECT kind, case_id, person_ref FROM case_facts FINAL WHERE person_ref != ''").result_rows
print(blank, stored == again, " ".join(f"{kind}/{case}={ref}" for kind, case, ref in rows))
"""


def test_0003_fills_the_person_of_case_rows_written_before_it_from_the_raw_log(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-c", _BACKFILL, str(tmp_path / "ch")], cwd=ROOT, capture_output=True,
                         text=True, check=True, timeout=120).stdout.split()
    blank, rerun_inserted_nothing, *pairs = out
    assert (blank, rerun_inserted_nothing) == ("0", "True")
    # event ids are new on every call of varied_events: compare by case and kind (one of each per case)
    kinds = {referral.CaseDispatched: "dispatched", referral.ReferralMade: "referral"}
    expected = {f"{kinds[type(e.data)]}/{e.data.case_id}": e.data.person_ref for e in varied_events(seed=7)
                if isinstance(e.data, referral.CaseDispatched | referral.ReferralMade) and e.data.person_ref}
    assert len(expected) > 100
    assert dict(pair.split("=") for pair in pairs) == expected

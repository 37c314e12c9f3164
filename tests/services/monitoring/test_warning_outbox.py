"""The real worker process and the real broker: a warning raised while the broker is stopped waits in
the outbox, the worker keeps running, and the warning is published exactly once when the broker is
back; a restarted worker neither raises nor sends an open warning again, and updates it (the same
alert id, its new level and value) when the next layoff makes it worse."""

from __future__ import annotations

import sqlite3
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import orjson
import pytest

from leye.bench.data.event_set import credit_code
from schemas import new_event
from schemas.events.layoff import LayoffReported, assess_layoff
from schemas.fields import SHANGHAI, Industry
from schemas.vocab import IndustrySection, LayoffReason
from services.runtime.broker import EmbeddedBroker
from services.runtime.lostlog import LOST_LOG_EXIT_CODE
from tests.conftest import read_topic
from tests.services.monitoring.harness import MonitoringProcess, publish

RAISED, UPDATED = "cn.xiqing.leye.alert.raised.v1", "cn.xiqing.leye.alert.updated.v1"
STREET = "120111101"
FULL_EVALUATION_EVERY_S = 12
"""The only evaluations after start-up in the worker's first life (touched scopes wait an hour): the
test publishes just after one and stops the broker well before the next, which then raises the
warning. The restarted worker evaluates touched scopes every second again, as by default."""


def _layoff(report: str, cuts: int, notice_days: int) -> object:
    today = datetime.now(SHANGHAI).date()
    notified, planned = today, today + timedelta(days=notice_days)
    assessed = assess_layoff(900, cuts, notified, planned)
    data = LayoffReported(report_id=report, employer_ref=credit_code(1), industry=Industry(section=IndustrySection.C),
                          street_code=STREET, staff_count=900, planned_cuts=cuts,
                          reason=LayoffReason.SERIOUS_DIFFICULTY, notified_on=notified, planned_on=planned,
                          is_mass_layoff=assessed.is_mass, notice_days=assessed.notice_days,
                          notice_compliant=assessed.compliant)
    return new_event(data, source="/services/vacancies")


@pytest.fixture
def broker(fresh_broker: EmbeddedBroker) -> EmbeddedBroker:
    return fresh_broker


def _outbox(var_dir: Path) -> list[tuple[str, str, bool]]:
    """(event id, type, sent) of every outbox row of the worker's SQLite database, in order."""
    with sqlite3.connect(f"file:{var_dir / 'monitoring.sqlite3'}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT event_id, event_type, sent_at IS NOT NULL FROM outbox ORDER BY id").fetchall()
    return [(event_id, kind, bool(sent)) for event_id, kind, sent in rows]


def _counter(worker: MonitoringProcess, name: str) -> float:
    """An unlabelled counter of the worker (the harness's ``metric`` reads labelled ones)."""
    values = [float(line.split()[1]) for line in worker.get("/metrics").text.splitlines()
              if line.split(" ")[0] == name]
    return sum(values)


def _wait(condition, what: str, worker: MonitoringProcess, timeout_s: float = 120.0) -> None:
    """Wait for ``condition`` while the worker keeps running (a wait, not a timed assertion)."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert worker.process is not None and worker.process.poll() is None, worker.log.read_text()[-3000:]
        assert time.monotonic() < deadline, what
        time.sleep(0.3)


def test_a_warning_raised_while_the_broker_is_down_is_sent_once_and_never_again(broker, tmp_path: Path) -> None:
    var = tmp_path / "var"
    worker = MonitoringProcess(broker.bootstrap, var, MONITORING_EVALUATE_EVERY_S="3600",
                               MONITORING_FULL_EVALUATION_EVERY_S=str(FULL_EVALUATION_EVERY_S)).start()
    try:
        def evaluations() -> float:
            return _counter(worker, "leye_warning_evaluations_total")

        after_start = evaluations()
        _wait(lambda: evaluations() > after_start, "no full evaluation", worker)
        tick = evaluations()
        publish(broker.bootstrap, [_layoff("lr-short", 40, notice_days=10)])  # mass, short notice: orange
        worker.wait_ingested(1)
        broker.stop()
        assert (evaluations(), _outbox(var)) == (tick, []), "evaluated before the broker stopped"
        pid = worker.process.pid

        _wait(lambda: len(_outbox(var)) == 2, "no warning raised while the broker was down", worker)
        _wait(lambda: _counter(worker, "leye_outbox_publish_errors_total") > 0, "the relay never tried", worker)
        assert [(kind, sent) for _, kind, sent in _outbox(var)] == [(RAISED, False)] * 2
        raised = {event_id for event_id, _, _ in _outbox(var)}
        assert worker.process.pid == pid  # the worker kept running through the outage
        open_warnings = {w["alert_id"] for w in worker.get("/warnings").json()["warnings"]}

        broker.start()  # same port, empty
        # The broker lost its log: once the worker's guard sees a topic it reads re-created (the relay
        # re-creates them), the worker exits with LOST_LOG_EXIT_CODE for its supervisor to restart it.
        # When that happens is up to the guard's next check, so the test plays the supervisor.
        deadline = time.monotonic() + 120
        while not all(sent for _, _, sent in _outbox(var)):
            if worker.process.poll() is not None:
                assert worker.process.returncode == LOST_LOG_EXIT_CODE, worker.log.read_text()[-3000:]
                worker.start()
            assert time.monotonic() < deadline, "not published after the broker came back"
            time.sleep(0.3)
        on_topic = [orjson.loads(r.value) for r in read_topic(broker.bootstrap, "leye.alert", until=3, timeout_s=10)]
        assert Counter(a["id"] for a in on_topic) == dict.fromkeys(raised, 1)
        assert sorted((a["type"], a["data"]["scope_kind"], a["data"]["scope_code"], a["data"]["level"],
                       a["data"]["value"]) for a in on_topic) == [
            (RAISED, "industry", "C", "orange", 40.0), (RAISED, "street", STREET, "orange", 40.0)]
        assert open_warnings == {a["data"]["alert_id"] for a in on_topic}

        worker.stop()
        # No broker stop to time any more: the update need not wait for the next full evaluation.
        worker.extra_env["MONITORING_EVALUATE_EVERY_S"] = "1"
        worker.start()  # ready once the open warnings are restored and evaluated
        after_restart = _outbox(var)  # the start-up evaluation found both open: nothing staged
        assert ({event_id for event_id, _, _ in after_restart}, [(kind, sent) for _, kind, sent in after_restart]) == (
            raised, [(RAISED, True)] * 2)
        publish(broker.bootstrap, [_layoff("lr-big", 300, notice_days=45)])  # 340 in 30 days: red
        _wait(lambda: len(_outbox(var)) == 4 and all(sent for _, _, sent in _outbox(var)), "no update sent", worker)
        on_topic = [orjson.loads(r.value) for r in read_topic(broker.bootstrap, "leye.alert", until=5, timeout_s=10)]
        assert Counter(a["id"] for a in on_topic) == dict.fromkeys((event_id for event_id, _, _ in _outbox(var)), 1)
        assert sorted((a["type"].split(".")[-2], a["data"]["scope_kind"], a["data"]["level"], a["data"]["value"])
                      for a in on_topic) == [
            ("raised", "industry", "orange", 40.0), ("raised", "street", "orange", 40.0),
            ("updated", "industry", "red", 340.0), ("updated", "street", "red", 340.0)]
        alert_ids = {a["type"]: set() for a in on_topic}
        for a in on_topic:
            alert_ids[a["type"]].add(a["data"]["alert_id"])
        assert alert_ids[UPDATED] == alert_ids[RAISED]  # the same two warnings, updated
        assert {a["data"]["scope_code"] for a in on_topic if a["data"]["scope_kind"] == "street"} == {STREET}
    finally:
        worker.stop()

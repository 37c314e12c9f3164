"""The embedded broker killed (SIGKILL) under traffic while the monitoring worker lags 8 s behind
(SIGSTOP): `leye up` restarts the broker empty, the outboxes replay, the stream workers notice the
lost log and re-read it. Afterwards every indicator must equal both independent counts: the
simulator's accepted calls and the events the services' databases recorded."""

from __future__ import annotations

import os
import signal
import threading
import time
from datetime import date

import httpx
import pytest

from leye.reconcile import compare, recorded_events
from leye.simulator.traffic import Traffic
from tests.e2e.test_platform import CONVERGE_S, Platform, assert_converges

pytestmark = pytest.mark.slow


def lagging_broker_restart(platform: Platform) -> None:
    monitoring, broker = platform.child("services.monitoring"), platform.child("tansu")
    os.kill(monitoring, signal.SIGSTOP)
    try:
        time.sleep(8)
        os.kill(broker, signal.SIGKILL)
        deadline = time.monotonic() + 60
        while True:  # `leye up` starts another one
            try:
                if platform.child("tansu") != broker:
                    break
            except AssertionError:  # none for a moment
                pass
            assert time.monotonic() < deadline, "the broker was not restarted"
            time.sleep(0.2)
    finally:
        os.kill(monitoring, signal.SIGCONT)


def assert_matches_the_records(platform: Platform) -> None:
    monitoring = f"http://127.0.0.1:{platform.base + 4}"
    deadline = time.monotonic() + CONVERGE_S
    while True:
        try:
            listed = httpx.get(f"{monitoring}/stats/indicators", timeout=30).raise_for_status().json()
        except httpx.HTTPError:
            listed = None
        if listed is not None:
            result = compare(listed["indicators"], recorded_events(platform.var_dir),
                             date.fromisoformat(listed["start"]), date.fromisoformat(listed["end"]))
            if result.equal or time.monotonic() > deadline:
                break
        assert time.monotonic() < deadline + 30, "monitoring did not answer"
        time.sleep(0.5)
    assert result.mismatched == {}
    assert (result.lost, result.doubled) == (0, 0)


def test_a_broker_restart_with_a_lagging_consumer_loses_and_doubles_nothing(tmp_path) -> None:
    platform = Platform(tmp_path)
    try:
        platform.run(Traffic(601), count=200)
        assert_converges(platform)

        failed: list[BaseException] = []

        def fault_in_background() -> None:
            try:
                lagging_broker_restart(platform)
            except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
                failed.append(exc)

        fault = threading.Timer(2.0, fault_in_background)
        fault.start()
        platform.run(Traffic(602), count=420, rate=30.0)  # 14 s of traffic around the fault (2 s + 8 s lag)
        fault.join()
        if failed:
            raise failed[0]

        assert_converges(platform)
        assert_matches_the_records(platform)
        warnings = platform.warnings()
        keys = [(w["signal"], w["scope_kind"], w["scope_code"]) for w in warnings]
        assert len(keys) == len(set(keys))  # no warning raised twice by the replay
    finally:
        platform.stop()

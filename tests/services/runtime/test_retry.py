"""The runtime's retry policy: failures counted and logged until success, give-up exceptions passed
through at once, a stop ends the retries, and coroutines are retried alike."""

from __future__ import annotations

import asyncio
import logging
import threading

import pytest
from tenacity import RetryError

from services.runtime.retry import async_retrying, retry_wait, retrying

log = logging.getLogger("tests.retry")


class Flaky:
    """Fails ``failures`` times with ``error``, then returns the number of calls."""

    def __init__(self, failures: int, error: type[Exception] = ConnectionError) -> None:
        self.failures, self.error, self.calls = failures, error, 0

    def __call__(self) -> int:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error("代理暂不可用")
        return self.calls


def test_failures_are_counted_and_logged_until_the_work_succeeds(caplog) -> None:
    counted: list[int] = []
    flaky = Flaky(3)
    with caplog.at_level(logging.WARNING, logger="tests.retry"):
        result = retrying("任务失败，稍后重试", logger=log, initial_s=0.001, max_s=0.002, extra={"job": "j"},
                          on_failure=lambda: counted.append(1))(flaky)
    assert (result, flaky.calls, len(counted)) == (4, 4, 3)
    records = [r for r in caplog.records if r.name == "tests.retry"]
    assert [(r.getMessage(), r.job, r.attempt, r.error) for r in records] == [
        ("任务失败，稍后重试", "j", n, "ConnectionError('代理暂不可用')") for n in (1, 2, 3)]
    assert all(0 <= r.retry_in_s <= 0.002 for r in records)


def test_a_give_up_exception_propagates_at_once() -> None:
    flaky = Flaky(5, ValueError)
    with pytest.raises(ValueError, match="代理暂不可用"):
        retrying("x", logger=log, initial_s=0.001, max_s=0.002, give_up_on=(ValueError,))(flaky)
    assert flaky.calls == 1


def test_stopping_ends_the_retries_without_waiting_out_the_back_off() -> None:
    stop = threading.Event()
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        stop.set()  # the owner stops while the work is failing

    flaky = Flaky(10)
    with pytest.raises(RetryError):
        retrying("x", logger=log, initial_s=5, max_s=60, stopping=stop.is_set, sleep=sleep)(flaky)
    assert (flaky.calls, len(slept)) == (2, 1)


def test_coroutines_are_retried_and_poison_passes_through() -> None:
    async def run() -> tuple[int, int]:
        flaky = Flaky(2)
        async for attempt in async_retrying("x", logger=log, initial_s=0.001, max_s=0.002):
            with attempt:
                result = flaky()
        poison = Flaky(5, KeyError)
        with pytest.raises(KeyError):
            async for attempt in async_retrying("x", logger=log, initial_s=0.001, max_s=0.002,
                                                give_up_on=(KeyError,)):
                with attempt:
                    poison()
        return result, poison.calls

    assert asyncio.run(run()) == (3, 1)


def test_waits_grow_and_stay_under_the_cap() -> None:
    wait = retry_wait(0.1, 5.0)
    assert 0.1 <= wait(1) <= 1.1  # initial plus up to one second of jitter
    assert all(wait(n) <= 5.0 for n in range(1, 30))

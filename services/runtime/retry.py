"""The runtime's one retry policy, built on tenacity: retry until the work succeeds (or the caller
is stopping), waiting exponentially longer with jitter up to a cap, logging each failure and
counting it.

Used by the loops that must not give up while the process runs: periodic jobs
(:mod:`.periodic`), dead-letter publishing, failing batches and decoding (:mod:`.streaming`)::

    for attempt in retrying("定时任务执行失败，稍后重试", logger=log, initial_s=0.5, max_s=60,
                            stopping=stop.is_set, sleep=stop.wait):
        with attempt:
            do_the_work()

A loop with more states than "try again" (the outbox relay also idles and lingers between
batches) keeps its own shape and takes only the waits, from :func:`retry_wait`, so every loop
backs off alike.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    retry_if_not_exception_type,
    stop_never,
    wait_exponential_jitter,
)


class _Attempt:
    """The one attribute tenacity's wait strategies read from its retry state."""

    def __init__(self, attempt_number: int) -> None:
        self.attempt_number = attempt_number


def retry_wait(initial_s: float, max_s: float) -> Callable[[int], float]:
    """Seconds to wait before retry ``attempt`` (1, 2, …): the waits of :func:`retrying`."""
    wait = wait_exponential_jitter(initial=initial_s, max=max_s)
    return lambda attempt: wait(_Attempt(attempt))  # type: ignore[arg-type]


def _policy(
    message: str,
    *,
    logger: logging.Logger,
    initial_s: float,
    max_s: float,
    extra: Mapping[str, object] | None,
    on_failure: Callable[[], object] | None,
    stopping: Callable[[], bool] | None,
    level: int,
    traceback: bool,
    give_up_on: tuple[type[BaseException], ...],
) -> dict[str, Any]:
    def failed(state: RetryCallState) -> None:
        # ``after`` runs for every failed attempt, also the last one before a stop: the count is exact.
        if on_failure is not None:
            on_failure()

    def before_sleep(state: RetryCallState) -> None:
        assert state.outcome is not None and state.next_action is not None
        error = state.outcome.exception()
        logger.log(level, message, exc_info=error if traceback else None,
                   extra={**(extra or {}), "attempt": state.attempt_number, "error": repr(error),
                          "retry_in_s": round(state.next_action.sleep, 3)})

    return {
        "wait": wait_exponential_jitter(initial=initial_s, max=max_s),
        "retry": retry_if_exception_type(Exception) & retry_if_not_exception_type(give_up_on),
        "stop": (lambda state: stopping()) if stopping is not None else stop_never,
        "after": failed,
        "before_sleep": before_sleep,
    }


def retrying(
    message: str,
    *,
    logger: logging.Logger,
    initial_s: float,
    max_s: float,
    extra: Mapping[str, object] | None = None,
    on_failure: Callable[[], object] | None = None,
    stopping: Callable[[], bool] | None = None,
    sleep: Callable[[float], object] | None = None,
    level: int = logging.WARNING,
    traceback: bool = False,
    give_up_on: tuple[type[BaseException], ...] = (),
) -> Retrying:
    """A tenacity ``Retrying`` for blocking work in a thread.

    Each failure (any ``Exception`` but those in ``give_up_on``, which propagate at once) calls
    ``on_failure`` (a metric) and is logged as ``message`` at ``level`` with the attempt number,
    the error and the wait. Retries go on for ever unless ``stopping()`` turns true after a
    failure; then tenacity raises ``RetryError``. ``sleep`` (default ``time.sleep``) lets a thread
    wait on its stop event, so a stop does not wait out the back-off.
    """
    policy = _policy(message, logger=logger, initial_s=initial_s, max_s=max_s, extra=extra, on_failure=on_failure,
                     stopping=stopping, level=level, traceback=traceback, give_up_on=give_up_on)
    if sleep is not None:
        policy["sleep"] = sleep
    return Retrying(**policy)


def async_retrying(
    message: str,
    *,
    logger: logging.Logger,
    initial_s: float,
    max_s: float,
    extra: Mapping[str, object] | None = None,
    on_failure: Callable[[], object] | None = None,
    level: int = logging.WARNING,
    traceback: bool = False,
    give_up_on: tuple[type[BaseException], ...] = (),
) -> AsyncRetrying:
    """:func:`retrying` for coroutines (``async for attempt in …``). No stop condition: a task
    shuts down by being cancelled, and ``CancelledError`` is never retried."""
    policy = _policy(message, logger=logger, initial_s=initial_s, max_s=max_s, extra=extra, on_failure=on_failure,
                     stopping=None, level=level, traceback=traceback, give_up_on=give_up_on)
    return AsyncRetrying(**policy)

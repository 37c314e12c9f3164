"""Retry back-off for the runtime's loops that retry until they succeed (outbox relay, consumers,
dead-letter publishing): exponential with jitter, capped, from tenacity's wait strategy."""

from __future__ import annotations

from collections.abc import Callable

from tenacity import wait_exponential_jitter


class _Attempt:
    """The one attribute tenacity's wait strategies read from its retry state."""

    def __init__(self, attempt_number: int) -> None:
        self.attempt_number = attempt_number


def backoff(initial_s: float, max_s: float) -> Callable[[int], float]:
    """Seconds to wait before retry ``attempt`` (1, 2, …)."""
    wait = wait_exponential_jitter(initial=initial_s, max=max_s)
    return lambda attempt: wait(_Attempt(attempt))  # type: ignore[arg-type]

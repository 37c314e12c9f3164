"""A batch decoder for test_decoder.py, importable by a spawned child process."""

from __future__ import annotations

import os


def child_pid(values: list[bytes]) -> list[int]:
    """Which process decoded: one pid per value."""
    return [os.getpid() for _ in values]

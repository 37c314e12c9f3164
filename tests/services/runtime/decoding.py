"""Batch decoders for test_decoder.py, importable by a spawned child process."""

from __future__ import annotations

import os

from schemas import CloudEvent, InvalidEvent, parse_event


def parse_in_child(values: list[bytes]) -> list[CloudEvent | InvalidEvent]:
    out: list[CloudEvent | InvalidEvent] = []
    for value in values:
        try:
            out.append(parse_event(value))
        except InvalidEvent as invalid:
            out.append(invalid)
    return out


def child_pid(values: list[bytes]) -> list[int]:
    """Which process decoded: one pid per value."""
    return [os.getpid() for _ in values]

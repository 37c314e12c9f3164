"""SubprocessDecoder: decoding in a child process that is replaced when it dies and never outlives
its parent, even one killed with SIGKILL."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from schemas import InvalidEvent, parse_each
from services.runtime.streaming import SubprocessDecoder, parse_events
from tests.services.runtime.decoding import child_pid
from tests.services.runtime.test_streaming import rate_event

ROOT = Path(__file__).parents[3]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is dead too: it only waits for its parent to read its status
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"


def test_decodes_in_a_child_like_the_default_decoder() -> None:
    values = [rate_event("2041-01", 5.0).to_json(), b"not json", rate_event("2041-02", 5.2).to_json()]
    decoder = SubprocessDecoder(parse_each)
    try:
        decoder.start()
        in_child = asyncio.run(decoder(values))
    finally:
        decoder.close()
    here = asyncio.run(parse_events(values))
    assert [type(item) for item in in_child] == [type(item) for item in here]
    assert in_child[0] == here[0] and in_child[2] == here[2]
    assert isinstance(in_child[1], InvalidEvent) and (in_child[1].code, in_child[1].message) == (
        here[1].code, here[1].message)


def test_a_dead_child_fails_one_call_and_is_replaced() -> None:
    decoder = SubprocessDecoder(child_pid)
    try:
        decoder.start()
        [first] = asyncio.run(decoder([b""]))
        assert first != os.getpid()
        os.kill(first, signal.SIGKILL)
        with pytest.raises(BrokenProcessPool):  # consume_batches retries the batch after this
            asyncio.run(decoder([b""]))
        [second] = asyncio.run(decoder([b""]))
        assert second not in (first, os.getpid())
    finally:
        decoder.close()


# a parent process that prints its decoding child's pid, then waits; Ctrl-C stops it in order
# (Ctrl-C as a shell's child sees it: a process started with SIGINT ignored, as one started from a
# process that ignores it is, would never see it; and a stop that hangs prints where, then exits.)
_PARENT = """
import asyncio, faulthandler, signal, time
signal.signal(signal.SIGINT, signal.default_int_handler)
from services.runtime.streaming import SubprocessDecoder
from tests.services.runtime.decoding import child_pid
decoder = SubprocessDecoder(child_pid)
decoder.start()
pid = asyncio.run(decoder([b""]))[0]
try:
    print(pid, flush=True)  # inside the try: the test may press Ctrl-C as soon as it reads this
    time.sleep(600)
except KeyboardInterrupt:
    faulthandler.dump_traceback_later(60, exit=True)
    decoder.close()
"""


def _start_parent() -> tuple[subprocess.Popen, int]:
    parent = subprocess.Popen([sys.executable, "-c", _PARENT], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, start_new_session=True)
    return parent, int(parent.stdout.readline())


def _gone(pid: int) -> bool:
    # A wait, not a timed assertion: generous, as a loaded 2-core machine may take long to stop them.
    deadline = time.monotonic() + 60
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    return not _alive(pid)


def test_the_child_exits_when_its_parent_is_killed() -> None:
    parent, child = _start_parent()
    try:
        assert _alive(child)
        parent.send_signal(signal.SIGKILL)
        parent.wait(60)
        assert _gone(child), "the decoding child outlived its killed parent"
    finally:
        parent.kill()


def test_ctrl_c_stops_the_parent_in_order_and_the_child_with_it() -> None:
    # a terminal's Ctrl-C signals the whole process group: the child must leave stopping to its parent
    parent, child = _start_parent()
    try:
        os.killpg(parent.pid, signal.SIGINT)
        # communicate, not wait: it drains the pipes, so a parent (or child) writing more than a pipe
        # holds while stopping cannot block on it (the deadlock subprocess's docs warn of)
        # (its bound is for a hang only: stopping took over 30 s once on a machine loaded by a full run)
        _, stderr = parent.communicate(timeout=90)
        assert parent.returncode == 0, stderr
        assert _gone(child)
        assert "Traceback" not in stderr
    finally:
        parent.kill()

"""`leye up` as a user runs it: ports in use. Its READY line, every service answering, a killed broker
restarted and a clean stop are checked on the stack of `tests/e2e/test_department.py` (the last test
there), and a SIGKILLed `leye up` at the end of `tests/e2e/test_bounded_storage.py`: starting a stack
is most of such a test's time, so the whole-stack tests share theirs."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from leye.stack import SERVICES
from tests.conftest import free_port_block

ROOT = Path(__file__).parents[2]


def _leye(*args: str, var_dir: Path) -> subprocess.Popen[str]:
    env = os.environ | {"PYTHONUNBUFFERED": "1"}
    env.pop("KAFKA_BOOTSTRAP", None)
    return subprocess.Popen(
        [sys.executable, "-m", "leye.cli", "up", *args, "--var-dir", str(var_dir)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def _descendants(pid: int) -> set[int]:
    out = subprocess.run(["ps", "-eo", "pid=,ppid="], capture_output=True, text=True).stdout
    children: dict[int, list[int]] = {}
    for line in out.splitlines():
        child, parent = (int(x) for x in line.split())
        children.setdefault(parent, []).append(child)
    found, stack = set(), [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.add(child)
            stack.append(child)
    return found


def start_until_ready(var_dir: Path) -> tuple[subprocess.Popen[str], int, int, str]:
    """`leye up` on a fresh block of ports, read up to its READY line (returned with everything printed
    before it); a block some other process took in the meantime ("已被占用") is retried with another."""
    for _ in range(3):
        base = free_port_block()
        broker_port = base + 9
        process = _leye("--port-base", str(base), "--broker-port", str(broker_port), var_dir=var_dir)
        lines: list[str] = []
        deadline = time.monotonic() + 180
        while True:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("READY "):
                return process, base, broker_port, "".join(lines)
            assert time.monotonic() < deadline, "no READY line in time:\n" + "".join(lines)
        process.wait(30)
        if "已被占用" not in "".join(lines):
            raise AssertionError("leye up exited before READY:\n" + "".join(lines))
    raise AssertionError("no free block of ports for leye up")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie whose parent has not reaped it yet is gone for our purposes
    state = Path(f"/proc/{pid}/stat").read_text().split()[2] if Path(f"/proc/{pid}/stat").exists() else "Z"
    return state != "Z"


@pytest.mark.parametrize("which", ["broker", "service"])
def test_port_in_use_is_reported_in_one_clear_line(tmp_path: Path, which: str) -> None:
    base = free_port_block()
    broker_port = base + 9
    existing = list(SERVICES)
    if which == "service" and not existing:
        pytest.skip("no service exists yet")
    busy = broker_port if which == "broker" else base + existing[0].offset
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", busy))
    blocker.listen()
    process = _leye("--port-base", str(base), "--broker-port", str(broker_port), var_dir=tmp_path)
    try:
        output, _ = process.communicate(timeout=60)
    finally:
        blocker.close()
        if process.poll() is None:  # it should have refused at once; never leave it running
            process.kill()
            process.communicate()
    assert process.returncode == 1
    assert f"端口 {busy} 已被占用" in output
    assert len([line for line in output.splitlines() if "已被占用" in line]) == 1


def assert_no_process_outlives_a_kill(process: subprocess.Popen[str], broker_port: int) -> None:
    """SIGKILL `leye up`: it gets no chance to clean up, so the kernel's PDEATHSIG must stop every
    process it started. Called at the end of a whole-stack test (tests/e2e/test_bounded_storage.py)
    rather than on a stack of its own: starting one is most of such a test's time."""
    children = _descendants(process.pid)
    assert children
    process.kill()
    process.communicate(timeout=30)
    deadline = time.monotonic() + 30
    while [pid for pid in children if _alive(pid)] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [pid for pid in children if _alive(pid)] == []
    assert _port_free(broker_port)


def _child(parent: int, needle: str) -> int:
    """The pid of the one descendant of ``parent`` whose command line contains ``needle``, waiting
    for it to appear (a restarted process takes a moment)."""
    deadline = time.monotonic() + 30
    while True:
        for pid in sorted(_descendants(parent)):
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            except FileNotFoundError:
                continue
            if needle in cmdline and _alive(pid):
                return pid
        assert time.monotonic() < deadline, f"no live child {needle}"
        time.sleep(0.2)

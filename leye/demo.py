"""Demo traffic for ``leye up --demo`` (``make run``): a gateway client for the simulator, the
simulator as a child process, and the live view in the foreground.

The demo client is registered through the gateway's own command group, ``leye gateway clients``,
exactly as an operator would: ``rotate`` re-keys it on every start, ``add`` creates it the first time.
leye never writes another service's tables. The secret comes back on the command's stdout (``--json``)
and reaches the simulator through the environment only.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

DEMO_CLIENT_ID = "demo-simulator"
DEMO_DEPARTMENT = "西青区人力资源和社会保障局（演示）"
_EXCEPTION_LINE = re.compile(r"^[\w.]+(Error|Exception): ")


class DemoClientError(RuntimeError):
    """The gateway's CLI could not register the demo client; the message is for operators."""


def _gateway_clients(var_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "leye.cli", "gateway", "clients", *args],
        env=os.environ | {"LEYE_VAR_DIR": str(var_dir.resolve())}, capture_output=True, text=True, check=False,
    )


def _cause(done: subprocess.CompletedProcess[str]) -> str:
    """The exception line of a traceback, else the CLI's own last line of output."""
    lines = (done.stdout + done.stderr).strip().splitlines()
    raised = [line for line in lines if _EXCEPTION_LINE.match(line)]
    return (raised or lines or [f"退出码 {done.returncode}"])[-1]


def ensure_demo_client(var_dir: Path) -> tuple[str, str]:
    """Create (or re-key) the simulator's client with every scope; returns (client id, secret)."""
    done = _gateway_clients(var_dir, "rotate", DEMO_CLIENT_ID, "--json")
    if done.returncode == 1:  # not registered yet (the CLI's "does not exist" exit code)
        done = _gateway_clients(var_dir, "add", DEMO_CLIENT_ID, "--department", DEMO_DEPARTMENT, "--all-scopes",
                                "--bureau", "--json")
    if done.returncode != 0:
        raise DemoClientError(f"无法登记演示客户端 {DEMO_CLIENT_ID}：{_cause(done)}")
    answer = json.loads(done.stdout)
    return answer["client_id"], answer["secret"]

"""Demo traffic for ``leye up --demo`` (``make run``): a gateway client for the simulator, one 红娘
station for every 社区/村 the simulator's people live in (一站一红娘: without a station no case is ever
dispatched, so no case, referral or SLA figure would appear), the simulator as a child process, and
the live view in the foreground.

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

import httpx

from schemas.reference import STREETS

from .simulator.population import COMMUNITY_QUARTERS, communities, community_code

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


_QUARTER_CODES = dict(zip(COMMUNITY_QUARTERS, ("e", "w", "s", "n"), strict=True))


def demo_stations() -> list[dict[str, object]]:
    """One active station for every 社区/村 the simulator's people live in (``communities``, with its code
    in the demo list), each with a made-up 红娘, so the matching service dispatches a person's case to
    their own 社区's station.

    The 东 station of each 街镇 keeps the code of the one station per 街镇 the demo used to set up
    (``demo-<街镇>``), so a var directory from then gets no second station for that 社区."""
    stations: list[dict[str, object]] = []
    for street in STREETS.values():
        for quarter, community in zip(COMMUNITY_QUARTERS, communities(street.code), strict=True):
            suffix = "" if quarter == "东" else f"-{_QUARTER_CODES[quarter]}"
            stations.append({"station_code": f"demo-{street.code}{suffix}", "street_code": street.code,
                             "community": community, "community_code": community_code(street.code, community),
                             "matchmaker_id": f"demo-hn-{street.code}{suffix}",
                             "matchmaker_name": f"{street.name}{community}就业红娘（演示）", "active": True})
    return stations


def ensure_demo_stations(gateway_url: str, client_id: str, secret: str) -> int:
    """Set up the demo's stations through the public API (``POST /v1/stations``); returns how many were
    new. A station that already exists (409, a re-run of ``make run``) is left as it is."""
    try:
        return _post_stations(gateway_url, client_id, secret)
    except httpx.HTTPError as exc:
        raise DemoClientError(f"无法设立演示红娘站点：网关不可达（{type(exc).__name__}）") from exc


def _post_stations(gateway_url: str, client_id: str, secret: str) -> int:
    created = 0
    with httpx.Client(base_url=gateway_url, timeout=30.0) as http:
        token = http.post("/oauth/token", data={"grant_type": "client_credentials", "scope": "referrals:write"},
                          auth=(client_id, secret))
        if token.status_code != 200:
            raise DemoClientError(f"演示客户端无法获取令牌（{token.status_code}）：{token.text[:200]}")
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        for station in demo_stations():
            answer = http.post("/v1/stations", json=station, headers=headers)
            if answer.status_code == 201:
                created += 1
            elif answer.status_code != 409:
                raise DemoClientError(
                    f"无法设立演示红娘站点 {station['station_code']}（{answer.status_code}）：{answer.text[:200]}")
    return created

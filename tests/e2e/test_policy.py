"""政策找人 end to end through the real broker: a person registered with the registration service,
certified 就业困难人员, registers flexible employment; the programmes worker publishes
``programme.eligible``; the matching worker opens a 红娘 case of origin ``policy`` at the person's
station with the reason and the same-day contact deadline; a grant recorded with the programmes
service closes it. Three real processes (registration in this process, with its outbox relay;
programmes and matching as ``python -m …`` workers) on the session's broker, over real HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from time import monotonic, sleep

import httpx
import pytest

from schemas.fields import SHANGHAI
from services.registration.app import create_app as create_registration
from services.runtime.broker import free_port, stop_process
from tests.conftest import LiveServer
from tests.services.registration.conftest import id_number, person_body, service_settings

ROOT = Path(__file__).parents[2]
STREET = "120111002"  # 李七庄街道


class Worker:
    """A service as its own process: ``python -m services.<name>`` on a free port."""

    def __init__(self, name: str, bootstrap: str, tmp: Path) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        prefix = name.upper()
        env = os.environ | {"KAFKA_BOOTSTRAP": bootstrap, f"{prefix}_PORT": str(port), "LEYE_LOG_LEVEL": "WARNING",
                            "LEYE_VAR_DIR": str(tmp / name), f"{prefix}_DATABASE_URL": f"sqlite:///{tmp / name}.db"}
        self.process = subprocess.Popen([sys.executable, "-m", f"services.{name}"], cwd=ROOT, env=env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.client = httpx.Client(base_url=self.url, timeout=10)
        self.wait(self._ready, f"{name} did not become ready", timeout_s=180)

    def _ready(self) -> bool:
        try:
            return self.client.get("/readyz").status_code == 200
        except httpx.HTTPError:
            return False

    def wait(self, check: Callable[[], object], message: str, timeout_s: float = 60):
        """Poll ``check`` until it returns something true (a wait, not a timed assertion)."""
        deadline = monotonic() + timeout_s
        while True:
            result = check()
            if result:
                return result
            if self.process.poll() is not None:
                pytest.fail(f"worker exited: {self.process.stderr.read().decode()[-3000:]}")
            if monotonic() > deadline:
                self.process.terminate()
                pytest.fail(f"{message}: {self.process.communicate(timeout=30)[1].decode()[-3000:]}")
            sleep(0.1)

    def stop(self) -> None:
        self.client.close()
        stop_process(self.process)


@pytest.fixture
def platform(broker, tmp_path: Path) -> Iterator[tuple[str, Worker, Worker]]:
    registration = create_registration(service_settings(f"sqlite:///{tmp_path / 'registration.db'}", broker.bootstrap))
    with LiveServer(registration) as live:
        programmes = Worker("programmes", broker.bootstrap, tmp_path)
        matching = Worker("matching", broker.bootstrap, tmp_path)
        try:
            yield live.url, programmes, matching
        finally:
            matching.stop()
            programmes.stop()


def test_a_hardship_person_in_flexible_work_gets_a_policy_case_and_the_grant_closes_it(platform) -> None:
    registration_url, programmes, matching = platform
    run = uuid.uuid4().hex[:8]
    matchmaker = f"mm-policy-{run}"
    station = matching.client.post("/stations", json={
        "station_code": f"policy-{run}", "street_code": STREET, "community": "李七庄社区",
        "matchmaker_id": matchmaker, "matchmaker_name": "测试红娘"})
    assert station.status_code == 201, station.text
    today = datetime.now(SHANGHAI).date().isoformat()

    with httpx.Client(base_url=registration_url, timeout=10) as registration:
        body = person_body(id_number=id_number(date(1984, 3, 9), (int(run, 16) % 400 + 50) * 2), street_code=STREET,
                           community="李七庄社区", registered_on=today)
        created = registration.post("/persons", json=body)
        assert created.status_code == 201, created.text
        ref = created.json()["person_ref"]
        certified = registration.post(f"/persons/{ref}/hardship", json={"categories": ["disabled"],
                                                                          "certified_on": today})
        assert certified.status_code == 200, certified.text
        employed = registration.post(f"/persons/{ref}/employment", json={"form": "flexible", "employed_on": today})
        assert employed.status_code == 200, employed.text

    def policy_case() -> dict | None:
        for item in matching.client.get(f"/matchmakers/{matchmaker}/worklist").json():
            if item["origin"] == "policy" and item["person_ref"] == ref:
                return matching.client.get(f"/cases/{item['case_id']}").json()
        return None

    case = matching.wait(policy_case, "no policy case was opened for the person")
    assert (case["programme_code"], case["station_code"], case["status"]) == (
        "flexible_social_insurance", f"policy-{run}", "dispatched")
    assert "灵活就业社保补贴" in case["reason"] and "重点群体包含就业困难人员" in case["reason"]
    assert "就业形式为灵活就业" in case["reason"]
    # the normal same-day contact deadline: the end of the day it was opened (Asia/Shanghai)
    opened_at, due_at = (datetime.fromisoformat(case[k]) for k in ("opened_at", "contact_due_at"))
    next_midnight = datetime.combine(opened_at.astimezone(SHANGHAI).date() + timedelta(days=1), time(0),
                                     tzinfo=SHANGHAI)
    assert due_at == next_midnight

    why = programmes.client.get(f"/programmes/eligibility/{ref}/flexible_social_insurance").json()
    assert why["eligible"] is True and why["summary"].startswith("符合灵活就业社保补贴的条件")

    grant = programmes.client.post("/programmes/grants", json={
        "programme_code": "flexible_social_insurance", "person_ref": ref, "street_code": STREET, "months": 6,
        "contributions_yuan": 4_800, "amount_yuan": 3_600, "granted_on": today})
    assert grant.status_code == 201, grant.text

    def closed() -> dict | None:
        current = matching.client.get(f"/cases/{case['case_id']}").json()
        return current if current["status"] == "closed" else None

    done = matching.wait(closed, "the grant did not close the policy case")
    assert done["close_reason"] == "resolved"

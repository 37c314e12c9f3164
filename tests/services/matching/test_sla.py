"""SLA timers with a controlled clock: each missed deadline is published once, across restarts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import orjson

from schemas.reference import STREETS
from services.matching.app import create_app
from services.matching.settings import Settings
from services.matching.sla import scan_once
from tests.conftest import LiveServer, read_topic

from .helpers import jobseeker

STREET = sorted(STREETS)[5]


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def test_missed_deadlines_are_published_once_even_after_a_restart(broker, database_url: str) -> None:
    opened = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
    clock = Clock(opened)
    settings = Settings(kafka_bootstrap=broker.bootstrap, database_url=database_url, sla_scan_interval_s=3600)
    person = uuid.uuid4().hex * 2
    app = create_app(settings, clock)
    with LiveServer(app) as server:
        client = httpx.Client(base_url=server.url, timeout=10)
        assert client.post("/stations", json={"station_code": "sla-1", "street_code": STREET, "community": "丁社区",
                                              "matchmaker_id": "mm-sla", "matchmaker_name": "某"}).status_code == 201
        # No vacancies: nothing referred.
        app.state.components.applier.apply_batch([jobseeker(person, STREET, "丁社区")])
        [item] = client.get("/matchmakers/mm-sla/worklist").json()
        case_id = item["case_id"]
        assert (item["next_due"], item["next_due_at"]) == ("contact", "2026-06-01T16:00:00Z")

        clock.now = datetime(2026, 6, 1, 15, 59, tzinfo=UTC)  # 23:59 in Shanghai: still in time
        assert scan_once(app.state.sessions, clock) == 0
        clock.now = datetime(2026, 6, 1, 16, 0, 1, tzinfo=UTC)  # past local midnight
        assert scan_once(app.state.sessions, clock) == 1
        assert scan_once(app.state.sessions, clock) == 0
        assert client.get(f"/cases/{case_id}").json()["contact_breached"] is True

    restarted = create_app(settings, clock)
    with LiveServer(restarted) as server:
        client = httpx.Client(base_url=server.url, timeout=10)
        assert scan_once(restarted.state.sessions, clock) == 0
        late = client.post(f"/cases/{case_id}/contact", json={"channel": "phone"})
        assert (late.status_code, late.json()["status"]) == (200, "contacted")
        clock.now = opened + timedelta(days=3, seconds=1)
        assert scan_once(restarted.state.sessions, clock) == 1
        assert scan_once(restarted.state.sessions, clock) == 0
        rating = next(r for r in client.get("/matchmakers/ratings").json() if r["matchmaker_id"] == "mm-sla")
        assert (rating["deadlines_due"], rating["deadlines_met"], rating["stars"]) == (2, 0, 1)

    events = [orjson.loads(r.value) for r in read_topic(broker.bootstrap, "leye.referral", timeout_s=3)
              if r.key == case_id.encode()]
    assert [(e["type"], e["data"].get("sla"), e["data"].get("on_time")) for e in events] == [
        ("cn.xiqing.leye.case.dispatched.v1", None, None),
        ("cn.xiqing.leye.case.sla_breached.v1", "contact", None),
        ("cn.xiqing.leye.case.contacted.v1", None, False),
        ("cn.xiqing.leye.case.sla_breached.v1", "referral", None),
    ]

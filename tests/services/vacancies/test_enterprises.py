"""Key enterprises (重点企业) and monitored enterprises (失业动态监测) through real HTTP and the real
broker, on one service for the module: the register, the ledger, shortages and the 重点缺工企业 list,
an Idempotency-Key replay, the events on ``leye.enterprise`` without names; and the overdue check
raising, updating and resolving a 街镇's warning on ``leye.alert``. Bad input: ``test_bad_input.py``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from schemas import parse_event
from services.vacancies.domain import local_date, months_due
from services.vacancies.overdue import check_overdue
from tests.conftest import read_topic
from tests.services.vacancies.conftest import (
    OTHER_STREET,
    Service,
    credit_code,
    employer_body,
    events_for,
    start_service,
    today,
    vacancy_body,
)

REF = credit_code(41)


def in_days(days: int) -> str:
    return (today() + timedelta(days=days)).isoformat()


@pytest.fixture(scope="module")
def shared(tmp_path_factory, broker) -> Iterator[Service]:
    var_dir = tmp_path_factory.mktemp("enterprises")
    live, app, clock = start_service(f"sqlite:///{var_dir / 'vacancies.sqlite3'}", broker.bootstrap, var_dir)
    with live:
        yield Service(live, app, clock)


def test_register_ledger_shortages_and_enrolment_reach_kafka_without_names(shared, broker) -> None:
    assert shared.post("/employers", employer_body(41)).status_code == 201
    key = {"employer_ref": REF, "officer_id": "officer-031", "officer_name": "李专员", "enrolled_on": in_days(-90)}
    assert shared.post("/key-enterprises", key).status_code == 201
    changed = shared.post("/key-enterprises", key | {"officer_id": "officer-032", "officer_name": "赵专员"})
    assert changed.status_code == 200 and changed.json()["officer_name"] == "赵专员"

    late = {"kind": "policy", "summary": "稳岗返还申请进度", "opened_on": in_days(-20), "due_on": in_days(-5)}
    headers = {"Idempotency-Key": "ledger-late-1"}
    first = shared.post(f"/key-enterprises/{REF}/issues", late, headers=headers)
    again = shared.post(f"/key-enterprises/{REF}/issues", late, headers=headers)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert again.headers["idempotent-replayed"] == "true"
    issue_id = first.json()["issue_id"]
    assert (first.json()["status"], first.json()["overdue"]) == ("open", True)
    in_time = shared.post(f"/key-enterprises/{REF}/issues", late | {"kind": "labour_demand", "due_on": in_days(5)})
    assert in_time.json()["overdue"] is False
    overdue = httpx.get(f"{shared.url}/key-enterprises/{REF}/issues", params={"status": "overdue"}).json()
    assert [i["issue_id"] for i in overdue["items"]] == [issue_id]
    summary = httpx.get(f"{shared.url}/key-enterprises/{REF}").json()
    assert (summary["open_issues"], summary["overdue_issues"], summary["officer_id"]) == (2, 1, "officer-032")
    closed = shared.post(f"/key-enterprises/{REF}/issues/{issue_id}/close",
                         {"closed_on": in_days(0), "resolution": "已协调社保中心办结"})
    assert (closed.json()["status"], closed.json()["overdue"], closed.json()["closed_on"]) == ("closed", False,
                                                                                              in_days(0))

    shortage = shared.post(f"/key-enterprises/{REF}/shortages", {
        "occupation_code": "6-18-01-01", "occupation": "车工", "headcount": 8, "reported_on": in_days(-2)}).json()
    listed = httpx.get(f"{shared.url}/key-enterprises/short-staffed").json()
    assert [(e["employer_ref"], e["shortage_headcount"], e["occupation_codes"]) for e in listed["items"]] == [
        (REF, 8, ["6-18-01-01"])]
    vacancy = shared.post("/vacancies", vacancy_body(REF, shortage_id=shortage["shortage_id"]))
    assert vacancy.status_code == 201 and vacancy.json()["shortage_id"] == shortage["shortage_id"]
    shortages = httpx.get(f"{shared.url}/key-enterprises/{REF}/shortages").json()["items"]
    assert [s["vacancy_ids"] for s in shortages] == [[vacancy.json()["vacancy_id"]]]
    assert shared.post(f"/key-enterprises/{REF}/shortages/{shortage['shortage_id']}/close",
                       {"closed_on": in_days(0)}).status_code == 200
    assert httpx.get(f"{shared.url}/key-enterprises/short-staffed").json()["total"] == 0

    enrolled = shared.post("/monitored-enterprises", {"employer_ref": REF, "baseline_headcount": 118,
                                                      "enrolled_on": in_days(0)})
    assert enrolled.status_code == 201 and enrolled.json()["overdue_months"] == []

    shared.wait_published()
    mine = [r for r in read_topic(broker.bootstrap, "leye.enterprise", to_end=True) if r.key == REF.encode()]
    published = [parse_event(r.value) for r in mine]
    assert [e.type.split(".")[4] for e in published] == [
        "key_registered", "key_registered", "issue_opened", "issue_opened", "issue_closed", "shortage_reported",
        "shortage_closed", "monitoring_enrolled"]
    assert [e.data.officer_id for e in published[:2]] == ["officer-031", "officer-032"]
    [posted] = events_for(broker.bootstrap, "leye.vacancy", {vacancy.json()["vacancy_id"]})
    assert posted.data.shortage_id == shortage["shortage_id"]
    raw = b"".join(r.value for r in mine)
    for private in ("李专员", "赵专员", "稳岗返还", "社保中心", "天津市西青区测试机械有限公司"):
        assert private.encode() not in raw


def test_overdue_monthly_reports_raise_update_and_resolve_a_street_warning(shared, broker) -> None:
    refs = [credit_code(42), credit_code(43)]
    for serial in (42, 43):
        assert shared.post("/employers", employer_body(serial, street_code=OTHER_STREET)).status_code == 201
    assert shared.post("/monitored-enterprises", {"employer_ref": refs[0], "baseline_headcount": 80,
                                                  "enrolled_on": in_days(0)}).status_code == 201
    later = shared.clock() + timedelta(days=70)  # two monthly deadlines later
    # The other test's enterprise (another 街镇, enrolled today too) is late as well: its own warning.
    [raised] = [a for a in check_overdue(shared.app.state.sessions, later, due_day=10) if OTHER_STREET in a]
    assert shared.post("/monitored-enterprises", {"employer_ref": refs[1], "baseline_headcount": 60,
                                                  "enrolled_on": in_days(0)}).status_code == 201
    assert check_overdue(shared.app.state.sessions, later, due_day=10) == [raised]  # now two late
    assert check_overdue(shared.app.state.sessions, later, due_day=10) == []  # nothing new

    missing = months_due(today(), local_date(later), due_day=10)
    assert len(missing) == 2
    for ref in refs:
        for month in missing:
            assert shared.post("/headcount-reports", {"employer_ref": ref, "month": month,
                                                      "current_headcount": 50}).status_code == 201
    assert check_overdue(shared.app.state.sessions, later, due_day=10) == [raised]

    shared.wait_published()
    alerts = [e.data for e in events_for(broker.bootstrap, "leye.alert", {raised})]
    assert [(type(a).__name__, a.level.value, a.value) for a in alerts] == [
        ("AlertRaised", "yellow", 1.0), ("AlertUpdated", "yellow", 2.0), ("AlertResolved", "yellow", 0.0)]
    assert {(a.scope_kind.value, a.scope_code, a.signal, a.source.value, a.threshold) for a in alerts} == {
        ("street", OTHER_STREET, "headcount_report_overdue", "vacancies", 1.0)}

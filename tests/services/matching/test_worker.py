"""The matching process (``python -m services.matching``) against the real broker, over real HTTP:
registration → case at the right station → explained referral → outcome closes the case; events
about unknown vacancies are reconciled; a mass layoff opens an intervention case; redelivered
events have no second effect, even after a restart."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import orjson
import pytest
from kafka import KafkaProducer

from schemas.reference import STREETS
from services.matching.domain import WEIGHTS
from services.runtime.broker import free_port, stop_process
from tests.conftest import read_topic

from .helpers import credit_code, filled, id_number, jobseeker, mass_layoff, posted

ROOT = Path(__file__).parents[3]
STREET_A, STREET_B = sorted(STREETS)[2:4]


class Worker:
    def __init__(self, bootstrap: str, tmp: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = os.environ | {
            "KAFKA_BOOTSTRAP": bootstrap, "MATCHING_PORT": str(self.port), "LEYE_VAR_DIR": str(tmp / "var"),
            "MATCHING_DATABASE_URL": f"sqlite:///{tmp / 'matching.sqlite3'}", "LEYE_LOG_LEVEL": "WARNING",
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "services.matching"], cwd=ROOT, env=self.env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_for(lambda: _ok(f"{self.url}/readyz"), "worker did not become ready", self.process)

    def stop(self) -> None:
        stop_process(self.process)


def _ok(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def wait_for(check: Callable[[], object], message: str, process: subprocess.Popen[bytes] | None = None,
             timeout_s: float = 60):
    deadline = time.monotonic() + timeout_s
    while True:
        result = check()
        if result:
            return result
        if process is not None and process.poll() is not None:
            pytest.fail(f"worker exited: {process.stderr.read().decode()[-3000:] if process.stderr else ''}")
        assert time.monotonic() < deadline, message
        time.sleep(0.2)


@pytest.fixture(scope="module")
def worker(broker, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Worker]:
    running = Worker(broker.bootstrap, tmp_path_factory.mktemp("matching"))
    running.start()
    yield running
    running.stop()


def publish(bootstrap: str, *events) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap)
    for event in events:
        producer.send(event.topic, key=event.key, value=event.to_json())
    producer.flush()
    producer.close()


def station(client: httpx.Client, code: str, street: str, community: str, matchmaker: str) -> None:
    response = client.post("/stations", json={"station_code": code, "street_code": street, "community": community,
                                              "matchmaker_id": matchmaker, "matchmaker_name": "测试红娘"})
    assert response.status_code == 201, response.text


def worklist_case(client: httpx.Client, matchmaker: str, **match: str) -> dict | None:
    for item in client.get(f"/matchmakers/{matchmaker}/worklist").json():
        if all(item.get(k) == v for k, v in match.items()):
            return client.get(f"/cases/{item['case_id']}").json()
    return None


def test_registration_to_placement_reconciliation_and_layoff(broker, worker: Worker) -> None:
    run = uuid.uuid4().hex[:8]
    client = httpx.Client(base_url=worker.url, timeout=10)
    station(client, f"a1-{run}", STREET_A, "甲社区", f"mm-a1-{run}")
    station(client, f"a2-{run}", STREET_A, "乙社区", f"mm-a2-{run}")
    station(client, f"b-{run}", STREET_B, "丙村", f"mm-b-{run}")
    employer = credit_code(int(run, 16) % 10_000_000)
    vacancy_id, filled_id = f"v-{run}", f"vf-{run}"
    posted_first, filled_later = posted(filled_id, STREET_A, employer), filled(filled_id, STREET_A)
    publish(broker.bootstrap, posted(vacancy_id, STREET_A, employer), filled_later, posted_first)
    wait_for(lambda: client.get(f"/match/vacancies/{vacancy_id}/candidates").status_code == 200,
             "vacancy.posted was not consumed")

    person = uuid.uuid4().hex * 2
    registered = jobseeker(person, STREET_A, "乙社区")
    publish(broker.bootstrap, registered)
    case = wait_for(lambda: worklist_case(client, f"mm-a2-{run}", person_ref=person), "no case for the person")

    # dispatched to the station of the person's 社区, with an explained referral already made
    assert (case["station_code"], case["origin"], case["status"]) == (f"a2-{run}", "system", "referred")
    # Other tests' vacancies in the same 街镇 (the session broker is shared) may be referred too.
    [referral] = [r for r in case["referrals"] if r["vacancy_id"] == vacancy_id]
    assert referral["direction"] == "person_to_job"
    assert set(referral["breakdown"]) == set(WEIGHTS)
    assert referral["breakdown"]["skills"] == 1.0 and referral["breakdown"]["location"] == 1.0
    assert referral["score"] == round(sum(WEIGHTS[k] * v for k, v in referral["breakdown"].items()), 4)

    # the same explained match, asked for in both directions
    [candidate] = [m for m in client.get(f"/match/vacancies/{vacancy_id}/candidates").json()
                   if m["person_ref"] == person]
    suggested = client.get(f"/match/persons/{person}/vacancies", params={"limit": 5}).json()
    assert candidate["breakdown"] == referral["breakdown"] == suggested[0]["breakdown"]

    # the outcome closes the case; another outcome on the closed case is a conflict
    hired = client.post(f"/cases/{case['case_id']}/outcome",
                        json={"referral_id": referral["referral_id"], "outcome": "hired"})
    assert hired.status_code == 200, hired.text
    assert (hired.json()["status"], hired.json()["close_reason"], hired.json()["placed"]) == ("closed", "resolved",
                                                                                               True)
    again = client.post(f"/cases/{case['case_id']}/outcome",
                        json={"referral_id": referral["referral_id"], "outcome": "rejected"})
    assert (again.status_code, again.json()["code"]) == (409, "case_closed")

    # the case's events are on the bus, with the breakdown and without personal data
    def case_events() -> list[dict]:
        records = read_topic(broker.bootstrap, "leye.referral", timeout_s=2)
        return [orjson.loads(r.value) for r in records if r.key == case["case_id"].encode()]

    events = wait_for(lambda: (found := case_events()) and len(found) >= 4 and found, "case events not published")
    assert [e["type"].split(".")[3:5] for e in events] == [
        ["case", "dispatched"], ["referral", "made"], ["referral", "outcome"], ["case", "closed"]]
    assert events[1]["data"]["breakdown"] == referral["breakdown"]
    assert "测试红娘" not in str(events)

    # vacancy.filled was delivered before the vacancy.posted made earlier: reconciled, not open, no case
    assert client.get(f"/match/vacancies/{filled_id}/candidates").json() == []
    # (the broker is shared with other tests' vacancies, some in the same 街镇: only this run's count)
    vacancy_cases = [client.get(f"/matchmakers/mm-a{i}-{run}/worklist").json() for i in (1, 2)]
    assert [c["vacancy_id"] for cases in vacancy_cases for c in cases
            if c["vacancy_id"] in (vacancy_id, filled_id)] == [vacancy_id]

    # a mass layoff opens an early-intervention case at the employer's station, vacancies pre-matched
    publish(broker.bootstrap, mass_layoff(employer, STREET_B))
    # (other tests' mass layoffs on the shared broker may open cases at this run's station too: only this one's)
    layoff_case = wait_for(lambda: worklist_case(client, f"mm-b-{run}", origin="layoff", employer_ref=employer),
                           "no layoff case")
    assert layoff_case["employer_ref"] == employer
    assert vacancy_id in [m["vacancy_id"] for m in layoff_case["prematched"]]
    assert filled_id not in [m["vacancy_id"] for m in layoff_case["prematched"]]

    # redelivery after a restart has no second effect (processed-events table)
    worker.stop()
    worker.start()
    publish(broker.bootstrap, registered)
    marker = uuid.uuid4().hex * 2
    publish(broker.bootstrap, jobseeker(marker, STREET_B, "丙村"))  # a marker processed after it
    wait_for(lambda: worklist_case(client, f"mm-b-{run}", person_ref=marker), "marker not processed")
    assert worklist_case(client, f"mm-a2-{run}", person_ref=person) is None  # still closed, no new case
    assert [item["case_id"] for item in client.get(f"/matchmakers/mm-b-{run}/worklist").json()
            if item["employer_ref"] == employer] == [layoff_case["case_id"]]  # and the layoff case is still one


@pytest.mark.parametrize(("method", "path", "body", "status", "code"), [
    pytest.param("get", "/cases/nope", None, 404, "case_not_found", id="unknown case"),
    pytest.param("get", "/stations/nope", None, 404, "station_not_found", id="unknown station"),
    pytest.param("get", "/match/vacancies/nope/candidates", None, 404, "vacancy_not_found", id="unknown vacancy"),
    pytest.param("get", f"/match/persons/{'f' * 64}/vacancies", None, 404, "person_not_found", id="unknown person"),
    pytest.param("get", "/matchmakers/nope/worklist", None, 404, "matchmaker_not_found", id="unknown matchmaker"),
    pytest.param("post", "/cases", {"origin": "person", "person_ref": "e" * 64}, 404, "person_not_found",
                 id="case for an unknown person"),
    pytest.param("post", "/cases", {"origin": "employer"}, 422, "validation_failed",
                 id="employer case without employer"),
    pytest.param("post", "/stations", {"station_code": "x", "street_code": "999999999", "community": "甲",
                                       "matchmaker_id": "m", "matchmaker_name": "某"}, 422, "validation_failed",
                 id="station in an unknown 街镇"),
])
def test_bad_requests_are_problems(worker: Worker, method: str, path: str, body: dict | None, status: int,
                                   code: str) -> None:
    response = httpx.request(method, worker.url + path, json=body, timeout=10)
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert response.headers["content-type"].startswith("application/problem+json")


def test_a_station_keeps_a_community_code_of_its_own_street_and_refuses_any_other(worker: Worker) -> None:
    """红娘 stations' community codes follow persons' rule (registration): in the list, and in the
    station's 街镇; a refused create or change stores nothing."""
    client = httpx.Client(base_url=worker.url, timeout=10)
    run = uuid.uuid4().hex[:8]
    body = {"station_code": f"c-{run}", "street_code": "120111001", "community": "西营东社区",
            "matchmaker_id": f"mm-c-{run}", "matchmaker_name": "测试红娘"}
    for code, kind in (("120111001999", "community_code"), ("120111002901", "community_street")):
        response = client.post("/stations", json=body | {"community_code": code})
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("application/problem+json")
        [error] = response.json()["errors"]
        assert (error["field"], error["type"]) == ("body.community_code", kind)
        assert client.get(f"/stations/c-{run}").status_code == 404
    created = client.post("/stations", json=body | {"community_code": "120111001901"})
    assert created.status_code == 201, created.text
    assert client.get(f"/stations/c-{run}").json()["community_code"] == "120111001901"
    refused = client.patch(f"/stations/c-{run}", json={"community_code": "120111002901", "community": "别处"})
    assert refused.status_code == 422
    assert "不属于所填街镇" in refused.json()["errors"][0]["message"]
    stored = client.get(f"/stations/c-{run}").json()
    assert (stored["community_code"], stored["community"]) == ("120111001901", "西营东社区")
    assert client.patch(f"/stations/c-{run}", json={"community_code": "120111001902"}).json()["community_code"] == \
        "120111001902"
    assert client.patch(f"/stations/c-{run}", json={"community_code": None}).json()["community_code"] is None


def test_a_person_registered_through_the_registration_api_gets_a_case(broker, worker: Worker,
                                                                      tmp_path: Path) -> None:
    """End to end through both services' HTTP APIs and Kafka: 求职登记 → case at the 社区's station."""
    run = uuid.uuid4().hex[:8]
    street = sorted(STREETS)[4]
    client = httpx.Client(base_url=worker.url, timeout=10)
    station(client, f"r-{run}", street, "戊社区", f"mm-r-{run}")
    port = free_port()
    env = os.environ | {"KAFKA_BOOTSTRAP": broker.bootstrap, "REGISTRATION_PORT": str(port),
                        "REGISTRATION_DATABASE_URL": f"sqlite:///{tmp_path / 'registration.sqlite3'}",
                        "LEYE_VAR_DIR": str(tmp_path / "var"), "LEYE_LOG_LEVEL": "WARNING"}
    registration = subprocess.Popen([sys.executable, "-m", "services.registration"], cwd=ROOT, env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: _ok(f"{url}/readyz"), "registration did not become ready", registration)
        response = httpx.post(f"{url}/persons", timeout=10, json={
            "name": "测试人员", "id_number": id_number(int(run, 16)), "phone": "13800138000",
            "street_code": street, "community": "戊社区", "education": "60",
            "skills": [{"name": "电工", "level": 2}],
        })
        assert response.status_code == 201, response.text
        person = response.json()["person_ref"]
        case = wait_for(lambda: worklist_case(client, f"mm-r-{run}", person_ref=person), "no case after 求职登记")
        assert (case["station_code"], case["origin"]) == (f"r-{run}", "system")
        bus = [r.value.decode() for r in read_topic(broker.bootstrap, "leye.referral", timeout_s=2)]
        assert not any("测试人员" in value or "13800138000" in value for value in bus)
    finally:
        registration.send_signal(signal.SIGTERM)
        registration.wait(30)


def test_a_zero_employment_family_gets_a_case_closed_when_a_member_finds_work(broker, worker: Worker,
                                                                              tmp_path: Path) -> None:
    """End to end through both services and Kafka: a household registered with its unemployed members
    is a 零就业家庭 → one 一户一策 case at its community's station; a member's 就业登记 clears the family
    → the case is closed as resolved and placed."""
    run = uuid.uuid4().hex[:8]
    street, community, community_code = "120111005", "津门南社区", "120111005903"  # the shipped demo list
    client = httpx.Client(base_url=worker.url, timeout=10)
    station(client, f"h-{run}", street, community, f"mm-h-{run}")
    port = free_port()
    env = os.environ | {"KAFKA_BOOTSTRAP": broker.bootstrap, "REGISTRATION_PORT": str(port),
                        "REGISTRATION_DATABASE_URL": f"sqlite:///{tmp_path / 'registration.sqlite3'}",
                        "LEYE_VAR_DIR": str(tmp_path / "var"), "LEYE_LOG_LEVEL": "WARNING"}
    registration = subprocess.Popen([sys.executable, "-m", "services.registration"], cwd=ROOT, env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        api = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10)
        wait_for(lambda: _ok(f"{api.base_url}/readyz"), "registration did not become ready", registration)
        members = []
        for n, relation in enumerate(("02", "10")):
            answer = api.post("/persons", json={
                "name": "测试家庭成员", "id_number": id_number(int(run, 16) + n), "phone": "13800138001",
                "street_code": street, "community": community, "education": "40"})
            assert answer.status_code == 201, answer.text
            members.append((answer.json()["person_ref"], relation))
        answer = api.post("/households", json={"community_code": community_code, "members": [
            {"person_ref": ref, "relation": relation} for ref, relation in members]})
        assert answer.status_code == 201 and answer.json()["zero_employment"] is True, answer.text
        household = answer.json()["household_ref"]

        case = wait_for(lambda: worklist_case(client, f"mm-h-{run}", household_ref=household),
                        "no 一户一策 case for the family")
        assert (case["station_code"], case["origin"], case["person_ref"]) == (f"h-{run}", "household", None)
        employed = api.post(f"/persons/{members[1][0]}/employment", json={
            "form": "flexible", "employed_on": answer.json()["registered_on"]})
        assert employed.status_code == 200, employed.text
        closed = wait_for(lambda: (c := client.get(f"/cases/{case['case_id']}").json())["status"] == "closed" and c,
                          "the family's case was not closed when a member found work")
        assert (closed["close_reason"], closed["placed"]) == ("resolved", True)
        opened = [c for c in client.get(f"/matchmakers/mm-h-{run}/worklist").json() if c["origin"] == "household"]
        assert opened == []  # one case per identification
    finally:
        registration.send_signal(signal.SIGTERM)
        registration.wait(30)

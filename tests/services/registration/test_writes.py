"""Writes through real HTTP: Idempotency-Key, forbidden transitions (409), re-registration,
unknown people (404)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date

import httpx
import pytest

from services.registration.store import Person

from .conftest import count, id_number, outbox, person_body

UNEMPLOYMENT = {"unemployed_since": "2026-01-10", "reason": "dismissed", "registration_place": "household",
                "registered_on": "2026-01-12"}
EMPLOYMENT = {"form": "flexible", "employed_on": "2026-02-01"}
FOLLOWUP = {"channel": "visit", "outcome": "still_unemployed", "followed_up_on": "2026-01-20"}
CLOSE = {"reason": "withdrawn", "closed_on": "2026-02-02"}


def register(url: str, **overrides: object) -> str:
    response = httpx.post(f"{url}/persons", json=person_body(**overrides))
    assert response.status_code == 201, response.text
    return response.json()["person_ref"]


def test_same_key_and_body_is_one_registration_and_one_event(service) -> None:
    headers = {"Idempotency-Key": "dept-1:req-1"}
    first = httpx.post(f"{service.url}/persons", json=person_body(), headers=headers)
    second = httpx.post(f"{service.url}/persons", json=person_body(), headers=headers)
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert count(service.app, Person) == 1
    assert [m.event_type for m in outbox(service.app)] == ["cn.xiqing.leye.jobseeker.registered.v1"]


def test_same_key_with_another_body_is_422_and_changes_nothing(service) -> None:
    headers = {"Idempotency-Key": "dept-1:req-2"}
    ref = register(service.url)
    first = httpx.post(f"{service.url}/persons/{ref}/unemployment", json=UNEMPLOYMENT, headers=headers)
    other = httpx.post(f"{service.url}/persons/{ref}/unemployment",
                       json=UNEMPLOYMENT | {"reason": "resigned"}, headers=headers)
    assert first.status_code == 200
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert [e["field"] for e in other.json()["errors"]] == ["header.Idempotency-Key"]
    assert len(outbox(service.app)) == 2


@pytest.mark.parametrize(
    ("steps", "forbidden", "status_before"),
    [
        pytest.param([], ("followups", FOLLOWUP), "jobseeker", id="follow-up of a job seeker"),
        pytest.param([("unemployment", UNEMPLOYMENT)], ("unemployment", UNEMPLOYMENT), "unemployed",
                     id="unemployed twice"),
        pytest.param([("employment", EMPLOYMENT)], ("employment", EMPLOYMENT), "employed", id="employed twice"),
        pytest.param([("close", CLOSE)], ("employment", EMPLOYMENT), "closed", id="employment after closure"),
        pytest.param([("close", CLOSE)], ("close", CLOSE), "closed", id="closed twice"),
        pytest.param([("close", CLOSE)], ("hardship", {"categories": ["disabled"]}), "closed",
                     id="hardship after closure"),
    ],
)
def test_forbidden_transition_is_409_in_chinese_and_changes_nothing(service, steps, forbidden, status_before) -> None:
    ref = register(service.url)
    for path, body in steps:
        assert httpx.post(f"{service.url}/persons/{ref}/{path}", json=body).status_code in (200, 201)
    events_before = len(outbox(service.app))
    path, body = forbidden
    response = httpx.post(f"{service.url}/persons/{ref}/{path}", json=body)
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "transition_forbidden"
    assert problem["title"] == "状态冲突"
    assert "不能办理" in problem["detail"]
    assert len(outbox(service.app)) == events_before
    assert httpx.get(f"{service.url}/persons/{ref}").json()["status"] == status_before


def test_registering_an_open_registration_again_is_409(service) -> None:
    register(service.url)
    response = httpx.post(f"{service.url}/persons", json=person_body(name="另一个名字"))
    assert response.status_code == 409
    assert "另一个名字" not in response.text
    assert count(service.app, Person) == 1 and len(outbox(service.app)) == 1


def test_closed_person_registers_again_with_new_attributes(service) -> None:
    ref = register(service.url)
    httpx.post(f"{service.url}/persons/{ref}/unemployment", json=UNEMPLOYMENT)
    assert httpx.post(f"{service.url}/persons/{ref}/close", json=CLOSE).json()["status"] == "closed"
    again = httpx.post(f"{service.url}/persons", json=person_body(phone="022-23456789", street_code="120111100",
                                                                  registered_on="2026-03-01"))
    assert again.status_code == 201
    assert again.json()["person_ref"] == ref
    detail = httpx.get(f"{service.url}/persons/{ref}").json()
    assert (detail["status"], detail["phone"], detail["street_code"]) == ("jobseeker", "022-23456789", "120111100")
    assert (detail["unemployed_since"], detail["closed_on"], detail["key_groups"]) == (None, None, ["resident"])
    assert [m.event_type.split(".")[3:5] for m in outbox(service.app)] == [
        ["jobseeker", "registered"], ["unemployment", "registered"], ["registration", "closed"],
        ["registration", "closed"], ["jobseeker", "registered"],
    ]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("GET", "", id="read"),
        pytest.param("POST", "/unemployment", id="unemployment"),
    ],
)
def test_unknown_person_is_404(service, method, path) -> None:
    response = httpx.request(method, f"{service.url}/persons/{'0' * 64}{path}",
                             json=UNEMPLOYMENT if method == "POST" else None)
    assert response.status_code == 404
    assert response.json()["code"] == "person_not_found"


def test_lookup_finds_registered_people_only(service) -> None:
    ref = register(service.url)
    found = httpx.post(f"{service.url}/persons/lookup", json={"id_number": person_body()["id_number"]})
    assert found.json() == {"person_ref": ref, "status": "jobseeker"}
    missing = httpx.post(f"{service.url}/persons/lookup", json={"id_number": id_number(date(1988, 1, 1))})
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("path", "body"),
    [
        pytest.param("", person_body(), id="same new person registered concurrently"),
        pytest.param("/{ref}/unemployment", UNEMPLOYMENT, id="same person made unemployed concurrently"),
    ],
)
def test_concurrent_writes_to_one_person_are_one_success_and_409s(service, path, body) -> None:
    ref = register(service.url, id_number=id_number(date(1985, 3, 3))) if "{ref}" in path else ""
    before = len(outbox(service.app))
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: httpx.post(f"{service.url}/persons{path.format(ref=ref)}",
                                                      json=body).status_code, range(8)))
    assert sorted(statuses) == [200 if ref else 201] + [409] * 7
    assert len(outbox(service.app)) == before + 1

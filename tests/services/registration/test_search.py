"""The bureau's person search through real HTTP: filters by 街镇, key group and status, exact match on
an ID number or a name, paging; bad filters are refused naming the field; no personal data comes back."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from .conftest import id_number, person_body

OTHER_STREET = "120111100"


@pytest.fixture
def people(service) -> dict[str, str]:
    """Four people; returns letter -> person_ref. A and C share a name, B lives on another 街镇,
    C is a graduate, D is registered unemployed."""

    def person(day: int, **overrides: object) -> str:
        body = person_body(id_number=id_number(date(1990, 1, day), 101), **overrides)
        response = httpx.post(f"{service.url}/persons", json=body)
        assert response.status_code == 201, response.text
        return response.json()["person_ref"]

    refs = {
        "A": person(1, name="王建国", registered_on="2026-01-05"),
        "B": person(2, name="赵丽", street_code=OTHER_STREET, registered_on="2026-01-06"),
        "C": person(3, name="王建国", key_groups=["graduate", "graduate_unemployed"], registered_on="2026-01-07"),
        "D": person(4, name="孙强", registered_on="2026-01-08"),
    }
    unemployed = httpx.post(f"{service.url}/persons/{refs['D']}/unemployment", json={
        "unemployed_since": "2026-01-10", "reason": "dismissed", "registration_place": "residence",
        "registered_on": "2026-01-12"})
    assert unemployed.status_code == 200, unemployed.text
    return refs


def search(service, **body: object) -> httpx.Response:
    return httpx.post(f"{service.url}/persons/search", json=body, timeout=10)


def refs_of(response: httpx.Response) -> tuple[int, list[str]]:
    assert response.status_code == 200, response.text
    page = response.json()
    return page["total"], [item["person_ref"] for item in page["items"]]


def test_filters_match_exactly_and_page(service, people) -> None:
    a, b, c, d = (people[k] for k in "ABCD")
    assert refs_of(search(service)) == (4, [d, c, b, a])  # newest registration first
    assert refs_of(search(service, street_code=OTHER_STREET)) == (1, [b])
    assert refs_of(search(service, key_group="graduate_unemployed")) == (1, [c])
    assert refs_of(search(service, status="unemployed")) == (1, [d])
    assert refs_of(search(service, name="王建国")) == (2, [c, a])
    assert refs_of(search(service, name=" 王建国 ")) == (2, [c, a])  # surrounding blanks are not part of a name
    assert refs_of(search(service, name="王建")) == (0, [])  # exact, not a prefix
    assert refs_of(search(service, name="王建国", key_group="graduate_unemployed")) == (1, [c])
    assert refs_of(search(service, name="王建国", limit=1, offset=1)) == (2, [a])
    assert refs_of(search(service, id_number=id_number(date(1990, 1, 2), 101))) == (1, [b])
    assert refs_of(search(service, id_number=id_number(date(1990, 1, 2), 101), street_code="120111001")) == (0, [])
    assert refs_of(search(service, limit=2, offset=1)) == (4, [c, b])


def test_results_carry_no_personal_data(service, people) -> None:
    response = search(service, name="赵丽")
    assert response.status_code == 200
    [item] = response.json()["items"]
    assert item["street_code"] == OTHER_STREET and item["status"] == "jobseeker"
    for personal in ("赵丽", id_number(date(1990, 1, 2), 101), "13812345678"):
        assert personal not in response.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"street_code": "120111999"}, "body.street_code", id="unknown 街镇"),
        pytest.param({"key_group": "nobody"}, "body.key_group", id="unknown key group"),
        pytest.param({"status": "retired"}, "body.status", id="unknown status"),
        pytest.param({"id_number": "120111199001010000"}, "body.id_number", id="ID number with a wrong check digit"),
        pytest.param({"name": "  "}, "body.name", id="blank name"),
        pytest.param({"limit": 501}, "body.limit", id="page too large"),
        pytest.param({"offset": -1}, "body.offset", id="negative offset"),
        pytest.param({"surname": "王"}, "body.surname", id="unknown filter"),
    ],
)
def test_bad_filters_are_refused_in_chinese_naming_the_field(service, body, field) -> None:
    response = search(service, **body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == [field]
    message = response.json()["errors"][0]["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message

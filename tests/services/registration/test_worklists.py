"""Work lists through real HTTP on a seeded population: who is due a follow-up, who is long-term
unemployed, the graduates ledger; filters and pagination."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from .conftest import id_number, person_body

AS_OF = "2026-02-12"


def seed(url: str) -> dict[str, str]:
    """Five people; returns letter -> person_ref. See each comment for why they are (not) listed."""

    def person(letter: str, day: int, **overrides: object) -> str:
        body = person_body(id_number=id_number(date(1990, 1, day), 101), **overrides)
        response = httpx.post(f"{url}/persons", json=body)
        assert response.status_code == 201, response.text
        return response.json()["person_ref"]

    def post(ref: str, path: str, body: dict[str, object]) -> None:
        assert httpx.post(f"{url}/persons/{ref}/{path}", json=body).status_code in (200, 201)

    refs = {
        "A": person("A", 1, registered_on="2026-01-05"),
        "B": person("B", 2, street_code="120111100", registered_on="2025-07-01"),
        "C": person("C", 3, key_groups=["graduate", "graduate_unemployed"], registered_on="2026-01-05"),
        "D": person("D", 4, key_groups=["graduate", "graduate_unemployed"], registered_on="2026-01-06"),
        "E": person("E", 5, registered_on="2025-12-01"),
    }
    # A: unemployed since January, never followed up, registered exactly a month before AS_OF: due.
    post(refs["A"], "unemployment", {"unemployed_since": "2026-01-10", "reason": "dismissed",
                                     "registration_place": "residence", "registered_on": "2026-01-12"})
    # B: unemployed since July 2025 (long-term), followed up on 1 February: not due.
    post(refs["B"], "unemployment", {"unemployed_since": "2025-07-01", "reason": "contract_ended",
                                     "registration_place": "work", "registered_on": "2025-07-05"})
    post(refs["B"], "followups", {"channel": "phone", "outcome": "still_unemployed", "followed_up_on": "2026-02-01"})
    # C: graduate still looking (open case). D: graduate employed (case closed, 销号).
    post(refs["D"], "employment", {"form": "flexible", "employed_on": "2026-02-01"})
    # E: unemployed since December, hardship (disabled), last follow-up 5 January: due.
    post(refs["E"], "unemployment", {"unemployed_since": "2025-12-01", "reason": "resigned",
                                     "registration_place": "household", "registered_on": "2025-12-01"})
    post(refs["E"], "hardship", {"categories": ["disabled"], "certified_on": "2025-12-10"})
    post(refs["E"], "followups", {"channel": "visit", "outcome": "still_unemployed", "followed_up_on": "2026-01-05"})
    return refs


@pytest.fixture
def seeded(service):
    return service, seed(service.url)


@pytest.mark.parametrize(
    ("path", "params", "expected"),
    [
        pytest.param("followups-due", {}, ["E", "A"], id="due: oldest follow-up first"),
        pytest.param("followups-due", {"key_group": "hardship"}, ["E"], id="due: hardship only"),
        pytest.param("followups-due", {"street_code": "120111100"}, [], id="due: other street"),
        pytest.param("followups-due", {"as_of": "2026-02-11"}, ["E"], id="due: a day earlier A is not yet due"),
        pytest.param("long-term-unemployed", {}, ["B"], id="long-term: six months or more"),
        pytest.param("long-term-unemployed", {"as_of": "2026-06-01"}, ["B", "E"], id="long-term: later"),
        pytest.param("graduates", {}, ["C", "D"], id="graduates: whole ledger"),
        pytest.param("graduates", {"case": "open"}, ["C"], id="graduates: open cases"),
        pytest.param("graduates", {"case": "closed"}, ["D"], id="graduates: closed cases"),
        pytest.param("graduates", {"status": "employed"}, ["D"], id="graduates: by status"),
    ],
)
def test_worklist(seeded, path, params, expected) -> None:
    service, refs = seeded
    letters = {ref: letter for letter, ref in refs.items()}
    response = httpx.get(f"{service.url}/worklists/{path}", params={"as_of": AS_OF} | params)
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["total"] == len(expected)
    assert [letters[item["person_ref"]] for item in page["items"]] == expected
    assert all("name" not in item and "id_number" not in item and "phone" not in item for item in page["items"])


def test_worklist_pages(seeded) -> None:
    service, refs = seeded
    pages = [httpx.get(f"{service.url}/worklists/followups-due",
                       params={"as_of": AS_OF, "limit": 1, "offset": offset}).json() for offset in (0, 1, 2)]
    assert [p["total"] for p in pages] == [2, 2, 2]
    assert [[i["person_ref"] for i in p["items"]] for p in pages] == [[refs["E"]], [refs["A"]], []]
    closed = next(i for i in httpx.get(f"{service.url}/worklists/graduates").json()["items"]
                  if i["person_ref"] == refs["D"])
    assert (closed["graduate_case"], closed["key_groups"]) == ("closed", ["graduate"])


@pytest.mark.parametrize(
    ("params", "field"),
    [
        pytest.param({"street_code": "999"}, "query.street_code", id="unknown street"),
        pytest.param({"key_group": "astronaut"}, "query.key_group", id="unknown group"),
        pytest.param({"limit": 0}, "query.limit", id="limit zero"),
        pytest.param({"as_of": "0"}, "query.as_of", id="date as a number"),
        pytest.param({"as_of": "20260211"}, "query.as_of", id="date not in ISO form"),
    ],
)
def test_bad_worklist_filter_names_the_field(service, params, field) -> None:
    response = httpx.get(f"{service.url}/worklists/followups-due", params=params)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]

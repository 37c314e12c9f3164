"""Bad input is refused with problem+json naming the field, changes nothing, and never echoes
personal data."""

from __future__ import annotations

import json
from datetime import date

import httpx
import pytest

from services.registration.store import Person

from .conftest import count, id_number, outbox, person_body, wrong_check_digit

NAME, ID_NUMBER, PHONE = "李晓梅", id_number(date(1990, 5, 17), 102), "13812345678"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param(person_body(id_number=wrong_check_digit(ID_NUMBER)), "body.id_number", id="wrong ID check digit"),
        pytest.param(person_body(street_code="120111999"), "body.street_code", id="unknown street"),
        pytest.param(person_body(id_number=id_number(date(2011, 3, 1), 101)), "body.id_number",
                     id="age under 16 (from the ID birth date)"),
        pytest.param(person_body(id_number=id_number(date(1960, 3, 1), 102)), "body.id_number",
                     id="woman over 58"),
        pytest.param(person_body(desired_salary_min=8000, desired_salary_max=5000), "body.desired_salary_max",
                     id="salary min above max"),
        pytest.param(person_body(education="99"), "body.education", id="unknown education code"),
        pytest.param(person_body(key_groups=["astronaut"]), "body.key_groups.0", id="unknown key group"),
        pytest.param(person_body(key_groups=["hardship"]), "body.key_groups", id="service-managed key group"),
        pytest.param(person_body(nickname="小梅"), "body.nickname", id="unknown field"),
        pytest.param(person_body(phone="12345"), "body.phone", id="bad phone"),
        pytest.param(person_body(registered_on="2099-01-01"), "body.registered_on", id="future date"),
        pytest.param({k: v for k, v in person_body().items() if k != "name"}, "body.name", id="missing name"),
    ],
)
def test_bad_registration_is_refused_naming_the_field(service, body, field) -> None:
    response = httpx.post(f"{service.url}/persons", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "validation_failed"
    assert field in [e["field"] for e in problem["errors"]]
    for secret in (NAME, ID_NUMBER, ID_NUMBER[:17], PHONE, body["id_number"]):
        assert secret not in response.text
    assert count(service.app, Person) == 0
    assert outbox(service.app) == []


def test_malformed_json_is_400(service) -> None:
    response = httpx.post(f"{service.url}/persons", content=b'{"name": "\xe6\x9d\x8e", "id_number": ',
                          headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "malformed_json"
    assert all(e["field"].startswith("body") for e in response.json()["errors"])
    assert "李" not in response.text
    assert count(service.app, Person) == 0 and outbox(service.app) == []


def test_body_over_one_mebibyte_is_413(service) -> None:
    response = httpx.post(f"{service.url}/persons", json=person_body(community="西" * (1024 * 1024)))
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "payload_too_large"
    assert count(service.app, Person) == 0 and outbox(service.app) == []


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        pytest.param("unemployment", {"unemployed_since": "2026-02-01", "reason": "fired",
                                      "registration_place": "residence", "registered_on": "2026-02-03"},
                     "body.reason", id="unknown unemployment reason"),
        pytest.param("unemployment", {"unemployed_since": "2026-02-05", "reason": "dismissed",
                                      "registration_place": "residence", "registered_on": "2026-02-03"},
                     "body.unemployed_since", id="unemployed after registration"),
        pytest.param("unemployment", {"unemployed_since": 0, "reason": "dismissed",
                                      "registration_place": "residence", "registered_on": "2026-02-03"},
                     "body.unemployed_since", id="date as a number"),
        pytest.param("unemployment", {"unemployed_since": "0", "reason": "dismissed",
                                      "registration_place": "residence", "registered_on": "2026-02-03"},
                     "body.unemployed_since", id="date as a string of digits"),
        pytest.param("employment", {"form": "employed", "employed_on": "2026-03-01"},
                     "body.employer_ref", id="employed without employer"),
        pytest.param("employment", {"form": "employed", "employer_ref": "91120111MA05K3XQ00",
                                    "employed_on": "2026-03-01"}, "body.employer_ref",
                     id="wrong credit code check character"),
        pytest.param("hardship", {"categories": []}, "body.categories", id="no hardship category"),
        pytest.param("hardship", {"categories": ["age_4050"]}, "body.categories", id="4050 for a woman of 35"),
        pytest.param("close", {"reason": "bored"}, "body.reason", id="unknown closure reason"),
    ],
)
def test_bad_change_is_refused_naming_the_field(service, path, body, field) -> None:
    created = httpx.post(f"{service.url}/persons", json=person_body())
    assert created.status_code == 201
    ref = created.json()["person_ref"]
    before = len(outbox(service.app))
    response = httpx.post(f"{service.url}/persons/{ref}/{path}", json=body)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]
    assert len(outbox(service.app)) == before
    assert httpx.get(f"{service.url}/persons/{ref}").json()["status"] == "jobseeker"


def test_lookup_of_a_bad_id_number_names_the_field(service) -> None:
    response = httpx.post(f"{service.url}/persons/lookup", json={"id_number": wrong_check_digit(ID_NUMBER)})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["body.id_number"]
    assert ID_NUMBER[:17] not in response.text


def test_employment_before_the_unemployment_began_names_the_employment_date(service) -> None:
    ref = httpx.post(f"{service.url}/persons", json=person_body()).json()["person_ref"]
    httpx.post(f"{service.url}/persons/{ref}/unemployment", json={
        "unemployed_since": "2026-02-01", "reason": "dismissed", "registration_place": "residence",
        "registered_on": "2026-02-03"})
    before = len(outbox(service.app))
    response = httpx.post(f"{service.url}/persons/{ref}/employment",
                          json={"form": "flexible", "employed_on": "2026-01-15"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["body.employed_on"]
    assert len(outbox(service.app)) == before
    assert httpx.get(f"{service.url}/persons/{ref}").json()["status"] == "unemployed"


@pytest.mark.parametrize(
    ("industry", "field"),
    [
        pytest.param({"section": "Z"}, "body.industry.section", id="unknown industry section"),
        pytest.param({"section": "C", "division": "99"}, "body.industry", id="unknown industry division"),
        pytest.param({"section": "C", "division": "01"}, "body.industry", id="division outside its section"),
        pytest.param({"section": "C", "code": "3"}, "body.industry.code", id="unknown industry field"),
    ],
)
def test_bad_employment_industry_names_the_field(service, industry, field) -> None:
    """The shared strict ``Industry``, read from its JSON codes (no lax request copy)."""
    ref = httpx.post(f"{service.url}/persons", json=person_body()).json()["person_ref"]
    before = len(outbox(service.app))
    response = httpx.post(f"{service.url}/persons/{ref}/employment",
                          json={"form": "flexible", "employed_on": "2026-03-01", "industry": industry})
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]
    assert len(outbox(service.app)) == before


def test_employment_industry_codes_reach_the_event(service) -> None:
    ref = httpx.post(f"{service.url}/persons", json=person_body()).json()["person_ref"]
    response = httpx.post(f"{service.url}/persons/{ref}/employment",
                          json={"form": "flexible", "employed_on": "2026-03-01",
                                "industry": {"section": "C", "division": "34"}})
    assert response.status_code == 200, response.text
    employed = json.loads(outbox(service.app)[-1].payload)
    assert employed["data"]["industry"] == {"section": "C", "division": "34"}

"""Listing layoff reports: one employer's own, or all of them for the bureau, by 街镇 and notice date,
paged; bad filters are refused naming the query parameter."""

from __future__ import annotations

import httpx
import pytest

from tests.services.vacancies.conftest import OTHER_STREET, STREET, credit_code, employer_body

A, B = credit_code(41), credit_code(42)


@pytest.fixture
def filed(service):
    assert service.post("/employers", employer_body(41)).status_code == 201
    assert service.post("/employers", employer_body(42, street_code=OTHER_STREET, staff_count=300)).status_code == 201
    ids = {}
    for key, ref, staff, notified, planned in (("a1", A, 120, "2026-09-01", "2026-10-15"),
                                               ("a2", A, 120, "2026-10-01", "2026-11-15"),
                                               ("b1", B, 300, "2026-09-20", "2026-10-01")):
        response = service.post("/layoffs", {"employer_ref": ref, "staff_count": staff, "planned_cuts": 25,
                                             "reason": "restructuring", "notified_on": notified, "planned_on": planned})
        assert response.status_code == 201, response.text
        ids[key] = response.json()["report_id"]
    return ids


def listing(service, **params) -> httpx.Response:
    return httpx.get(f"{service.url}/layoffs", params=params, timeout=10)


def test_all_reports_newest_notice_first_with_the_employers_street(service, filed) -> None:
    page = listing(service).json()
    assert page["total"] == 3 and (page["limit"], page["offset"]) == (50, 0)
    assert [r["report_id"] for r in page["items"]] == [filed["a2"], filed["b1"], filed["a1"]]
    assert [r["street_code"] for r in page["items"]] == [STREET, OTHER_STREET, STREET]
    assert page["items"][1] | {"report_id": None} == {
        "report_id": None, "employer_ref": B, "street_code": OTHER_STREET, "staff_count": 300, "planned_cuts": 25,
        "reason": "restructuring", "notified_on": "2026-09-20", "planned_on": "2026-10-01", "is_mass_layoff": True,
        "notice_days": 11, "notice_compliant": False}
    one = httpx.get(f"{service.url}/layoffs/{filed['b1']}").json()
    assert one == page["items"][1]


def test_filters_and_paging(service, filed) -> None:
    def ids(**params) -> tuple[int, list[str]]:
        page = listing(service, **params).json()
        return page["total"], [r["report_id"] for r in page["items"]]

    assert ids(employer_ref=A) == (2, [filed["a2"], filed["a1"]])
    assert ids(street_code=OTHER_STREET) == (1, [filed["b1"]])
    assert ids(notified_from="2026-09-15", notified_to="2026-09-30") == (1, [filed["b1"]])
    assert ids(notified_from="2026-09-20") == (2, [filed["a2"], filed["b1"]])
    assert ids(employer_ref=A, notified_to="2026-09-30") == (1, [filed["a1"]])
    assert ids(limit=1, offset=1) == (3, [filed["b1"]])
    assert ids(employer_ref=credit_code(49)) == (0, [])


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        pytest.param({"notified_from": "2026-10-01", "notified_to": "2026-09-01"}, "query.notified_to",
                     "截止日期不得早于起始日期", id="window ends before it starts"),
        pytest.param({"street_code": "120111999"}, "query.street_code", None, id="unknown 街镇"),
        pytest.param({"notified_from": "20261001"}, "query.notified_from", None, id="date not ISO"),
        pytest.param({"employer_ref": "91120111MA05I0001X"}, "query.employer_ref", None, id="bad credit code"),
        pytest.param({"limit": "0"}, "query.limit", None, id="empty page"),
    ],
)
def test_bad_filters_name_the_parameter_in_chinese(service, params, field, message) -> None:
    response = listing(service, **params)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error["field"] == field
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"]), error  # the message is in Chinese
    if message is not None:
        assert error["message"] == message

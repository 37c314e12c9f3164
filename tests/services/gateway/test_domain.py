"""The pure rules: which route and scope a request needs, audit templates, small-cell suppression."""

from __future__ import annotations

import pytest

from services.gateway.domain import find_route, person_ref_in, route_template, suppress_small_cells

REF = "0123456789abcdef" * 4


@pytest.mark.parametrize(
    ("method", "path", "backend", "scope"),
    [
        pytest.param("GET", f"/persons/{REF}", "registration", "persons:read", id="read a person"),
        pytest.param("POST", f"/persons/{REF}/close", "registration", "persons:write", id="close a registration"),
        pytest.param("POST", "/persons/lookup", "registration", "persons:read", id="lookup is a read"),
        pytest.param("GET", "/worklists/graduates", "registration", "persons:read", id="work list"),
        pytest.param("PATCH", "/vacancies/v-1", "vacancies", "vacancies:write", id="update a vacancy"),
        pytest.param("POST", "/persons/search", "registration", "persons:read", id="search is a read"),
        pytest.param("POST", "/headcount-reports", "vacancies", "layoffs:write", id="headcount report"),
        pytest.param("GET", "/layoffs", "vacancies", "layoffs:read", id="listing layoffs needs layoffs:read"),
        pytest.param("GET", "/layoffs/r-1", "vacancies", "layoffs:read", id="reading a layoff needs layoffs:read"),
        pytest.param("POST", "/match", "matching", "referrals:read", id="scoring is a read"),
        pytest.param("GET", "/stats/streets", "monitoring", "stats:read", id="statistics"),
        pytest.param("POST", "/communities/120111001901/certifications", "registration", "households:write",
                     id="certify a community"),
        pytest.param("GET", "/communities/120111001901/certifications", "registration", "stats:read",
                     id="a community's certifications"),
    ],
)
def test_route_table(method, path, backend, scope) -> None:
    route = find_route(method, path)
    assert (route.backend, route.scope) == (backend, scope)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("GET", "/personsX", id="prefix is matched on whole segments"),
        pytest.param("DELETE", "/stats/x", id="method without a route"),
        pytest.param("GET", "/admin", id="unknown resource"),
    ],
)
def test_no_route(method, path) -> None:
    assert find_route(method, path) is None


@pytest.mark.parametrize(
    ("path", "template"),
    [
        pytest.param(f"/persons/{REF}/followups", "/persons/{person_ref}/followups", id="person_ref"),
        pytest.param("/persons/12011119900307002X", "/persons/{id}", id="an ID number never survives"),
        pytest.param("/persons/张三", "/persons/{id}", id="a name never survives"),
        pytest.param("/worklists/long-term-unemployed", "/worklists/long-term-unemployed", id="words stay"),
    ],
)
def test_route_template(path, template) -> None:
    assert route_template(path) == template


def test_person_ref_from_path_then_response() -> None:
    assert person_ref_in(f"/persons/{REF}", {"person_ref": "f" * 64}) == REF
    assert person_ref_in("/persons/lookup", {"person_ref": REF}) == REF
    assert person_ref_in("/persons/lookup", {"person_ref": "not-a-ref"}) is None


def test_small_cells_are_suppressed_at_any_depth_and_others_untouched() -> None:
    document = {"district": {"value": 3, "small_cell": True, "name": "登记失业人员"},
                "streets": [{"street_code": "120111001", "value": 40.5, "small_cell": False}]}
    assert suppress_small_cells(document) == {
        "district": {"value": None, "small_cell": True, "name": "登记失业人员", "suppressed": True},
        "streets": [{"street_code": "120111001", "value": 40.5, "small_cell": False}],
    }


def test_a_progress_on_a_small_cell_hides_its_status_too() -> None:
    """Whether a rate over three people met its target tells what the hidden rate was."""
    small = {"ytd_value": 100.0, "target": 90.0, "status": "on_track", "period": "2026–2030", "small_cell": True}
    large = small | {"ytd_value": 80.0, "status": "behind", "small_cell": False}
    assert suppress_small_cells({"value": 100.0, "small_cell": True, "progress": small}) == {
        "value": None, "small_cell": True, "suppressed": True,
        "progress": {"ytd_value": None, "target": None, "status": None, "period": "2026–2030", "small_cell": True,
                     "suppressed": True}}
    assert suppress_small_cells({"value": 4.0, "small_cell": False, "progress": large}) == {
        "value": 4.0, "small_cell": False, "progress": large}


def test_a_small_community_hides_whether_it_is_below_the_standard() -> None:
    """充分就业社区: whether four people's rate is under 90 % tells what the hidden rate was."""
    small = {"community_code": "120111001901", "able_and_willing": 4, "employed": 3, "rate": 75.0,
             "below_standard": True, "small_cell": True}
    assert suppress_small_cells({"communities": [small]}) == {"communities": [{
        "community_code": "120111001901", "able_and_willing": None, "employed": None, "rate": None,
        "below_standard": None, "small_cell": True, "suppressed": True}]}
    large = small | {"able_and_willing": 40, "employed": 30, "small_cell": False}
    assert suppress_small_cells({"communities": [large]}) == {"communities": [large]}


def test_a_communitys_household_figures_are_hidden_one_by_one() -> None:
    """零就业家庭 by 社区: each figure carries its own mark, so 3 families cleared hide only that figure
    (and the days they took), not the community's other figures."""
    figures = [{"code": "zero_employment_families", "value": 12.0, "small_cell": False},
               {"code": "zero_employment_families_cleared", "value": 3.0, "small_cell": True},
               {"code": "zero_employment_clear_days_median", "value": 7.0, "small_cell": True}]
    row = {"community_code": "120111001901", "street_code": "120111001", "figures": figures}
    assert suppress_small_cells({"communities": [row]}) == {"communities": [row | {"figures": [
        figures[0],
        {"code": "zero_employment_families_cleared", "value": None, "small_cell": True, "suppressed": True},
        {"code": "zero_employment_clear_days_median", "value": None, "small_cell": True, "suppressed": True}]}]}

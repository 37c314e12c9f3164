"""Households (户) and 零就业家庭, derived from membership and member status: through real HTTP on a
real database, with the relay publishing to the real broker. One service per module (each test uses
its own people), so the module pays for one start-up."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import date

import httpx
import pytest

from schemas import parse_event
from schemas.events.household import ZeroEmploymentCleared, ZeroEmploymentIdentified
from services.registration.app import create_app
from services.registration.store import Household, HouseholdMember
from tests.conftest import LiveServer, _postgres_url_for_new_database, read_topic

from .conftest import count, credit_code, id_number, outbox, person_body, service_settings

COMMUNITY = "120111001901"  # 西营东社区 of the shipped (demo) list
NAMES = iter(f"成员{n}" for n in range(1000))
SEQUENCE = iter(range(101, 999))


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def live(request, tmp_path_factory, broker) -> Iterator[LiveServer]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('households') / 'registration.sqlite3'}"
    else:
        base = os.environ.get("TEST_DATABASE_URL")
        if not base:
            pytest.skip("TEST_DATABASE_URL not set: PostgreSQL storage tests run in CI")
        url = _postgres_url_for_new_database(base)
    app = create_app(service_settings(url, broker.bootstrap))
    with LiveServer(app) as server:
        server.app = app  # type: ignore[attr-defined]
        yield server


def person(live: LiveServer) -> str:
    number = id_number(date(1985, 3, 1), next(SEQUENCE))
    answer = httpx.post(f"{live.url}/persons", json=person_body(name=next(NAMES), id_number=number))
    assert answer.status_code == 201, answer.text
    return answer.json()["person_ref"]


def unemployed(live: LiveServer, ref: str, on: str = "2026-02-01") -> None:
    answer = httpx.post(f"{live.url}/persons/{ref}/unemployment", json={
        "unemployed_since": "2026-01-20", "reason": "dismissed", "registration_place": "residence",
        "registered_on": on})
    assert answer.status_code == 200, answer.text


def employed(live: LiveServer, ref: str, on: str = "2026-03-01") -> None:
    answer = httpx.post(f"{live.url}/persons/{ref}/employment",
                        json={"employer_ref": credit_code(), "employed_on": on})
    assert answer.status_code == 200, answer.text


def household(live: LiveServer, *members: tuple[str, str], on: str = "2026-02-10") -> dict:
    answer = httpx.post(f"{live.url}/households", json={
        "community_code": COMMUNITY, "registered_on": on,
        "members": [{"person_ref": ref, "relation": relation} for ref, relation in members]})
    assert answer.status_code == 201, answer.text
    return answer.json()


def household_events(live: LiveServer, ref: str) -> list:
    found = [parse_event(row.payload) for row in outbox(live.app) if row.topic == "leye.household"]
    return [e.data for e in found if e.subject == ref]


def test_a_family_is_identified_cleared_by_a_members_job_and_identified_again(live: LiveServer) -> None:
    head, spouse = person(live), person(live)
    unemployed(live, spouse)
    family = household(live, (head, "02"), (spouse, "10"))
    ref = family["household_ref"]
    assert family["zero_employment"] is True and family["zero_employment_since"] == "2026-02-10"
    assert family["community"] == "西营东社区" and family["street_code"] == "120111001"

    employed(live, spouse, on="2026-03-01")
    assert httpx.get(f"{live.url}/households/{ref}").json()["zero_employment"] is False
    unemployed(live, spouse, on="2026-04-01")
    employed(live, head, on="2026-05-06")

    identified, cleared, again, cleared_again = household_events(live, ref)
    assert isinstance(identified, ZeroEmploymentIdentified)
    assert (identified.identified_on, sorted(identified.seeking_members), identified.members) == (
        date(2026, 2, 10), sorted([head, spouse]), 2)
    assert (identified.community_code, identified.community, identified.street_code) == (
        COMMUNITY, "西营东社区", "120111001")
    assert isinstance(cleared, ZeroEmploymentCleared)
    assert (cleared.reason, cleared.employed_person_ref, cleared.identified_on, cleared.cleared_on) == (
        "employment", spouse, date(2026, 2, 10), date(2026, 3, 1))
    assert isinstance(again, ZeroEmploymentIdentified) and again.identified_on == date(2026, 4, 1)
    assert isinstance(cleared_again, ZeroEmploymentCleared)
    assert (cleared_again.employed_person_ref, cleared_again.cleared_on) == (head, date(2026, 5, 6))


def test_events_on_the_broker_carry_no_personal_data(live: LiveServer, broker) -> None:
    seeker = person(live)
    ref = household(live, (seeker, "02"))["household_ref"]
    records = []
    for _ in range(10):  # the relay publishes within a second or two of the commit
        records = [r for r in read_topic(broker.bootstrap, "leye.household", timeout_s=1) if r.key == ref.encode()]
        if records:
            break
    [record] = records
    event = parse_event(record.value)
    assert event.type == "cn.xiqing.leye.household.zero_employment_identified.v1" and event.subject == ref
    stored = httpx.get(f"{live.url}/persons/{seeker}").json()
    for secret in (stored["name"], stored["id_number"], stored["phone"]):
        assert secret not in record.value.decode()


def test_membership_changes_re_derive_the_household(live: LiveServer) -> None:
    worker, seeker = person(live), person(live)
    employed(live, worker)
    family = household(live, (worker, "02"), (seeker, "20"))
    ref = family["household_ref"]
    assert family["zero_employment"] is False and household_events(live, ref) == []

    left = httpx.post(f"{live.url}/households/{ref}/members/{worker}/leave", json={"left_on": "2026-06-01"})
    assert left.status_code == 200 and left.json()["zero_employment"] is True
    joined = httpx.post(f"{live.url}/households/{ref}/members",
                        json={"person_ref": worker, "relation": "02", "joined_on": "2026-06-10"})
    assert joined.status_code == 200 and joined.json()["zero_employment"] is False
    assert [m["person_ref"] for m in joined.json()["members"]] == [seeker, worker]
    identified, cleared = household_events(live, ref)
    assert isinstance(identified, ZeroEmploymentIdentified) and identified.seeking_members == [seeker]
    assert (cleared.reason, cleared.employed_person_ref) == ("membership", None)

    # a member without an open job-seeking registration does not make a 零就业家庭
    retired = person(live)
    closed = httpx.post(f"{live.url}/persons/{retired}/close", json={"reason": "other", "closed_on": "2026-02-01"})
    assert closed.status_code == 200, closed.text
    alone = household(live, (retired, "02"))
    assert alone["zero_employment"] is False and household_events(live, alone["household_ref"]) == []


def test_the_last_member_cannot_leave_and_a_stranger_is_not_a_member(live: LiveServer) -> None:
    only, stranger = person(live), person(live)
    ref = household(live, (only, "02"))["household_ref"]
    last = httpx.post(f"{live.url}/households/{ref}/members/{only}/leave", json={})
    assert last.status_code == 409 and last.json()["code"] == "last_member"
    assert httpx.post(f"{live.url}/households/{ref}/members/{stranger}/leave", json={}).status_code == 404
    assert httpx.get(f"{live.url}/households/0190abcd-no-such").status_code == 404


@pytest.fixture(scope="module")
def people(live: LiveServer) -> dict[str, str]:
    """Registered people for the bad-input cases, shared: a refused request changes nothing."""
    refs = {"A": person(live), "B": person(live), "UNKNOWN": "ab" * 32, "IN_OTHER": person(live)}
    household(live, (refs["IN_OTHER"], "02"))
    return refs


@pytest.mark.parametrize(("members", "community", "field", "message"), [
    pytest.param([], COMMUNITY, "body.members", "至少须有一名成员", id="a household without members"),
    pytest.param([("A", "02")], "120111001999", "body.community_code", "未知的社区代码", id="unknown community"),
    pytest.param([("A", "02"), ("B", "88")], COMMUNITY, "body.members.1.relation", "", id="unknown relation"),
    pytest.param([("A", "02"), ("IN_OTHER", "10")], COMMUNITY, "body.members.1.person_ref", "另一户",
                 id="a member in two households at once"),
    pytest.param([("A", "02"), ("A", "10")], COMMUNITY, "body.members.1.person_ref", "重复", id="listed twice"),
    pytest.param([("A", "02"), ("B", "02")], COMMUNITY, "body.members.1.relation", "户主", id="two heads"),
    pytest.param([("UNKNOWN", "02")], COMMUNITY, "body.members.0.person_ref", "未找到", id="unregistered person"),
])
def test_bad_household_is_refused_naming_the_field_and_changes_nothing(
        live: LiveServer, people: dict[str, str], members: list, community: str, field: str, message: str) -> None:
    refs = people
    before = (count(live.app, Household), count(live.app, HouseholdMember), len(outbox(live.app)))

    answer = httpx.post(f"{live.url}/households", json={
        "community_code": community, "members": [{"person_ref": refs[m], "relation": r} for m, r in members]})
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert field in [e["field"] for e in problem["errors"]]
    assert message in json.dumps(problem, ensure_ascii=False)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in problem["detail"])
    assert (count(live.app, Household), count(live.app, HouseholdMember), len(outbox(live.app))) == before


def test_joining_a_second_household_is_refused(live: LiveServer) -> None:
    member, other = person(live), person(live)
    household(live, (member, "02"))
    ref = household(live, (other, "02"))["household_ref"]
    answer = httpx.post(f"{live.url}/households/{ref}/members", json={"person_ref": member, "relation": "10"})
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "body.person_ref"
    assert len(httpx.get(f"{live.url}/households/{ref}").json()["members"]) == 1


def test_a_list_without_a_community_in_use_stops_the_service(live: LiveServer) -> None:
    from schemas.reference import load_communities
    from services.registration.app import check_communities_cover_the_households

    household(live, (person(live), "02"))
    engine = live.app.state.sessions.kw["bind"]
    communities = dict(load_communities())
    check_communities_cover_the_households(engine, communities)
    del communities[COMMUNITY]
    with pytest.raises(RuntimeError, match=COMMUNITY):
        check_communities_cover_the_households(engine, communities)
    # a person's community counts too (充分就业社区)
    other = "120111002902"
    answer = httpx.post(f"{live.url}/persons", json=person_body(
        name=next(NAMES), id_number=id_number(date(1984, 2, 2), next(SEQUENCE)), street_code="120111002",
        community_code=other))
    assert answer.status_code == 201, answer.text
    communities = dict(load_communities())
    check_communities_cover_the_households(engine, communities)
    del communities[other]
    with pytest.raises(RuntimeError, match=other):
        check_communities_cover_the_households(engine, communities)


def test_a_person_carries_the_community_code_on_every_status_event(live: LiveServer) -> None:
    number = id_number(date(1986, 4, 2), next(SEQUENCE))
    body = person_body(name=next(NAMES), id_number=number, community_code=COMMUNITY)
    del body["community"]
    answer = httpx.post(f"{live.url}/persons", json=body)
    assert answer.status_code == 201, answer.text
    summary = answer.json()
    # without a name, the list's name: 红娘 routing by name keeps working
    assert (summary["community_code"], summary["community"]) == (COMMUNITY, "西营东社区")
    ref = summary["person_ref"]
    unemployed(live, ref)
    employed(live, ref)
    assert httpx.post(f"{live.url}/persons/{ref}/close", json={"reason": "moved_away"}).status_code == 200
    found = [parse_event(row.payload).data for row in outbox(live.app)
             if row.topic == "leye.registration" and row.key == ref]
    kinds = [type(data).__name__ for data in found]
    assert kinds == ["JobseekerRegistered", "UnemploymentRegistered", "EmploymentRegistered", "RegistrationClosed"]
    assert [data.community_code for data in found] == [COMMUNITY] * 4
    assert found[0].community == "西营东社区"


@pytest.mark.parametrize(("code", "kind"), [("120111001999", "community_code"),  # not in the list
                                            ("120111002901", "community_street")])  # another 街镇's
def test_a_bad_community_code_is_refused_and_changes_nothing(live: LiveServer, code: str, kind: str) -> None:
    before = len(outbox(live.app))
    number = id_number(date(1987, 6, 3), next(SEQUENCE))
    answer = httpx.post(f"{live.url}/persons", json=person_body(name=next(NAMES), id_number=number,
                                                                community_code=code))
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    [error] = answer.json()["errors"]
    assert (error["field"], error["type"]) == ("body.community_code", kind)
    assert "社区" in error["message"]
    assert httpx.post(f"{live.url}/persons/lookup", json={"id_number": number}).status_code == 404
    assert len(outbox(live.app)) == before


def certify(live: LiveServer, code: str, level: str, year: int, on: str | None = None) -> httpx.Response:
    return httpx.post(f"{live.url}/communities/{code}/certifications",
                      json={"level": level, "year": year, "certified_on": on or f"{year}-11-20"})


def test_a_community_is_certified_level_by_level_and_each_certification_is_published(live: LiveServer) -> None:
    code = "120111001903"  # 西营南社区 of the shipped list
    for level, year in (("district", 2024), ("municipal", 2025), ("national", 2025)):
        answer = certify(live, code, level, year)
        assert answer.status_code == 201, answer.text
        assert (answer.json()["level"], answer.json()["year"], answer.json()["street_code"]) == \
            (level, year, "120111001")
    held = httpx.get(f"{live.url}/communities/{code}/certifications").json()
    assert [(c["level"], c["year"]) for c in held["certifications"]] == \
        [("district", 2024), ("municipal", 2025), ("national", 2025)]
    published = [parse_event(row.payload) for row in outbox(live.app) if row.topic == "leye.community"]
    assert [(e.subject, str(e.data.level), e.data.year) for e in published if e.subject == code] == \
        [(code, "district", 2024), (code, "municipal", 2025), (code, "national", 2025)]


@pytest.mark.parametrize(("path_code", "level", "year", "status", "field"), [
    pytest.param("120111001904", "national", 2025, 422, "body.level", id="国家级 before 区级"),
    pytest.param("120111001904", "municipal", 2023, 422, "body.level", id="市级 in a year before the 区级"),
    pytest.param("120111001999", "district", 2025, 422, "path.community_code", id="unknown community"),
    pytest.param("120111001904", "district", 2026, 409, None, id="a level held already"),
])
def test_a_bad_certification_is_refused_and_changes_nothing(live: LiveServer, path_code: str, level: str,
                                                           year: int, status: int, field: str | None) -> None:
    code = "120111001904"
    if not httpx.get(f"{live.url}/communities/{code}/certifications").json()["certifications"]:
        assert certify(live, code, "district", 2024).status_code == 201
    before = (len(outbox(live.app)), httpx.get(f"{live.url}/communities/{code}/certifications").json())
    answer = certify(live, path_code, level, year, on="2026-11-20")
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    if field is not None:
        assert [error["field"] for error in answer.json()["errors"]] == [field]
    assert "认定" in answer.json()["detail"] or "社区" in answer.json()["detail"]
    assert (len(outbox(live.app)), httpx.get(f"{live.url}/communities/{code}/certifications").json()) == before

"""资金监管: the pure rules of ``supervision.py`` on values, then one pass through the real service —
each flag raised by the change that caused it, once per breach, and published on ``leye.alert``; the
time to benefit from eligibility to the first payment."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from schemas import new_event, parse_event
from schemas.events.alert import AlertRaised, AlertResolved
from schemas.events.programme import Paid
from schemas.events.registration import EmploymentRegistered, HardshipCertified
from schemas.vocab import AlertLevel, AlertSource, EmploymentForm, HardshipCategory, KeyGroup
from services.programmes import supervision
from services.programmes.catalogue import CatalogueError, load, parse
from services.programmes.domain import check_vacancy, percentile
from services.programmes.eligibility import RuleIndex
from services.programmes.facts import PersonFacts
from services.programmes.store import FundFlag, Grant
from services.programmes.supervision import GrantView, Spell
from services.runtime.errors import ProblemError
from services.runtime.outbox import OutboxMessage
from tests.conftest import read_topic
from tests.services.programmes.conftest import STREET, course_body, credit_code, days_ago, person, today

CATALOGUE = load()
SUBSIDY, SOCIAL, SKILLS = (CATALOGUE.get(code) for code in ("startup_subsidy", "flexible_social_insurance",
                                                             "skills_training"))
HARDSHIP = [KeyGroup.RESIDENT, KeyGroup.HARDSHIP]


def grant(grant_id: str = "g1", *, programme: str = "startup_subsidy", kind: str | None = "one_off",
          amount: int = 1_000, on: date = date(2026, 5, 20), months: int | None = None) -> GrantView:
    return GrantView(grant_id, programme, kind, "p", STREET, amount, on, months)


# --- pure rules -----------------------------------------------------------------------------------


def test_a_one_off_kind_paid_beside_another_grant_of_that_kind_is_flagged_red_once_per_recipient() -> None:
    this = grant("g2")
    assert supervision.double_exclusive(SUBSIDY, this, [this]) is None
    assert supervision.double_exclusive(SUBSIDY, this, [this, grant("g3", kind="premises")]) is None
    flag = supervision.double_exclusive(SUBSIDY, this, [grant("g1"), this])
    assert flag is not None and flag.level is AlertLevel.RED and flag.rule == supervision.DOUBLE_EXCLUSIVE
    assert (flag.value, flag.threshold, flag.subject_ref) == (2.0, 1.0, "g2")
    assert "一次性创业补贴" in flag.summary and "g1" in flag.summary
    # the same pair found from the other grant is the same breach
    assert supervision.double_exclusive(SUBSIDY, grant("g1"), [grant("g1"), this]).breach_key == flag.breach_key
    # a premises subsidy repeats freely; a programme one-off as a whole clashes with any other kind
    assert supervision.double_exclusive(SUBSIDY, grant(kind="premises"), [grant("g9", kind="premises")]) is None
    whole = SUBSIDY.model_copy(update={"exclusive": True})
    assert supervision.double_exclusive(whole, grant(kind="premises"), [grant("g9", kind="job_creation")]) is not None


@pytest.mark.parametrize(("granted_on", "months", "first", "last"), [
    (date(2026, 5, 20), 3, date(2026, 3, 1), date(2026, 5, 31)),
    (date(2026, 2, 1), 3, date(2025, 12, 1), date(2026, 2, 28)),
    (date(2026, 12, 31), 12, date(2026, 1, 1), date(2026, 12, 31)),
])
def test_a_grant_covers_its_months_up_to_the_month_of_the_decision(granted_on, months, first, last) -> None:
    assert supervision.covered_months(granted_on, months) == (first, last)


def test_paid_while_employed_by_a_unit_in_the_months_the_grant_covers() -> None:
    paid = grant(programme="flexible_social_insurance", kind=None, months=3)  # March to May 2026
    employed = EmploymentForm.EMPLOYED.value
    assert supervision.paid_while_employed(SOCIAL, paid, [Spell("flexible", date(2025, 1, 1), None)]) is None
    assert supervision.paid_while_employed(SOCIAL, paid, [Spell(employed, date(2025, 1, 1), date(2026, 3, 1))]) is None
    assert supervision.paid_while_employed(SOCIAL, paid, [Spell(employed, date(2026, 6, 1), None)]) is None
    flag = supervision.paid_while_employed(SOCIAL, paid, [Spell(employed, date(2026, 4, 10), date(2026, 5, 2))])
    assert flag is not None and flag.level is AlertLevel.ORANGE and flag.value == 2.0  # April and May
    assert "“单位就业或公益性岗位安置期间不得领取”" in flag.summary
    assert flag.summary.endswith("2026年4月、2026年5月该人员已登记单位就业")
    assert flag.breach_key == f"{supervision.PAID_WHILE_EMPLOYED}:g1" and flag.window == "92d"
    # a grant without its months, or a programme without the rule, cannot be checked
    assert supervision.paid_while_employed(SOCIAL, grant(kind=None), [Spell(employed, date(2026, 4, 1), None)]) is None
    assert supervision.paid_while_employed(SUBSIDY, paid, [Spell(employed, date(2026, 4, 1), None)]) is None


def test_training_subsidies_beyond_the_yearly_cap() -> None:
    second = grant("g2", programme="skills_training", kind=None, amount=1_500)
    year = [grant("g1", programme="skills_training", kind=None, amount=1_500), second]
    assert supervision.training_over_cap(SKILLS, "p", second, year) is None  # 3,000: at the cap
    third = grant("g3", programme="skills_training", kind=None, amount=1)
    flag = supervision.training_over_cap(SKILLS, "p", third, [*year, third])
    assert flag is not None and (flag.value, flag.threshold, flag.level) == (3_001.0, 3_000.0, AlertLevel.ORANGE)
    assert "3000 元" in flag.summary
    last_year = grant("g0", programme="skills_training", kind=None, amount=2_000, on=date(2025, 12, 31))
    assert supervision.training_over_cap(SKILLS, "p", second, [last_year, *year]) is None
    assert supervision.training_over_cap(SUBSIDY, "p", third, [*year, third]) is None  # no yearly cap


def test_a_grant_without_eligibility_on_its_day_names_the_clauses_that_failed() -> None:
    rule = RuleIndex(CATALOGUE).rule("flexible_social_insurance")
    this = grant(programme="flexible_social_insurance", kind=None)
    eligible = PersonFacts(street_code=STREET, key_groups=frozenset({"hardship"}), employment_form="flexible")
    assert supervision.without_eligibility(rule, this, eligible) is None
    flag = supervision.without_eligibility(rule, this, PersonFacts(street_code=STREET, employment_form="flexible"))
    assert flag is not None and flag.level is AlertLevel.YELLOW and flag.value == 1.0
    assert "重点群体包含就业困难人员" in flag.summary and "2026-05-20" in flag.summary
    unknown = supervision.without_eligibility(rule, this, None)
    assert unknown is not None and "尚无该人员的登记信息" in unknown.summary and unknown.value == 2.0


def test_percentiles_by_nearest_rank() -> None:
    assert percentile([], 0.5) is None
    assert percentile([7], 0.9) == 7
    assert percentile([4, 1, 3, 2], 0.5) == 2
    assert percentile(list(range(1, 11)), 0.9) == 9
    assert percentile(list(range(1, 12)), 0.9) == 10


def test_the_catalogue_refuses_a_bad_supervision_rule() -> None:
    raw = CATALOGUE.model_dump(by_alias=True, mode="json", exclude_none=True)
    social = next(p for p in raw["programmes"] if p["code"] == "flexible_social_insurance")
    social["supervision"] = {"no_payment_while_employed": ["moonlighting"]}
    with pytest.raises(CatalogueError, match="supervision"):
        parse(raw, "bad.yaml")
    social["supervision"] = {"yearly_cap_person": 100}
    with pytest.raises(CatalogueError, match="yearly_cap_person"):
        parse(raw, "bad.yaml")


def test_a_placement_names_a_posting_of_its_host_and_of_its_kind() -> None:
    traineeship = CATALOGUE.get("traineeship")
    check_vacancy(traineeship, ("host", "traineeship"), "host")
    check_vacancy(CATALOGUE.get("internship"), ("host", "regular"), "host")  # 实习: any posting of the host
    for vacancy, kind in ((None, "unknown_vacancy"), (("other", "traineeship"), "vacancy_of_another_employer"),
                          (("host", "public_welfare"), "wrong_vacancy_kind")):
        with pytest.raises(ProblemError) as refused:
            check_vacancy(traineeship, vacancy, "host")
        [error] = refused.value.errors
        assert (error["field"], error["type"]) == ("body.vacancy_id", kind)


# --- through the service ----------------------------------------------------------------------------


def hardship_flexible(person_ref: str) -> list:
    source = "/services/registration"
    return [new_event(HardshipCertified(person_ref=person_ref, street_code=STREET, key_groups=HARDSHIP,
                                        categories=[HardshipCategory.AGE_4050], certified_on=today()), source=source),
            new_event(EmploymentRegistered(person_ref=person_ref, street_code=STREET, key_groups=HARDSHIP,
                                           form=EmploymentForm.FLEXIBLE, employed_on=today(),
                                           was_registered_unemployed=False), source=source)]


def employed_by_a_unit(person_ref: str, since: date):
    return new_event(EmploymentRegistered(
        person_ref=person_ref, street_code=STREET, key_groups=HARDSHIP, form=EmploymentForm.EMPLOYED,
        employer_ref=credit_code(1), employed_on=since, was_registered_unemployed=False),
        source="/services/registration")


def old_grant(person_ref: str) -> Grant:
    """A one-off 创业补贴 recorded before its kind was one-off (no exclusivity key), or by a replica
    running another catalogue at the same moment: the records recording alone cannot see."""
    return Grant(id=str(uuid.uuid4()), programme_code="startup_subsidy", kind="one_off", person_ref=person_ref,
                 street_code=STREET, amount_yuan=5_000, paid_yuan=0, granted_on=today() - timedelta(days=30),
                 rule_version="2026.1", exclusive_key=None)


def test_each_breach_is_flagged_once_by_the_change_that_caused_it_and_published_on_leye_alert(
        broker, service) -> None:
    def pay(grant_id: str, amount: int) -> None:
        paid = service.post("/programmes/payments", {"grant_id": grant_id, "amount_yuan": amount,
                                                     "paid_on": days_ago(0)})
        assert paid.status_code == 201, paid.text

    def flags() -> list[tuple[str, str]]:
        with service.app.state.sessions() as session:
            return sorted((f.rule, f.subject_ref) for f in session.scalars(select(FundFlag)))

    # (b) eligible for 灵活就业社保补贴 today, granted and paid: nothing wrong yet
    social_person = person(120)
    service.feed(*hardship_flexible(social_person))
    social = service.post("/programmes/grants", {
        "programme_code": "flexible_social_insurance", "person_ref": social_person, "street_code": STREET,
        "months": 3, "contributions_yuan": 3_000, "amount_yuan": 2_000, "granted_on": days_ago(0)}).json()
    assert social["eligible_on"] == days_ago(0)
    pay(social["grant_id"], 1_000)
    assert flags() == []
    # a job with a unit since 40 days ago arrives after the payment: the read model re-checks it, once
    job = employed_by_a_unit(social_person, today() - timedelta(days=40))
    service.feed(job)
    service.feed(job)  # redelivered
    pay(social["grant_id"], 500)  # found again on the next payment: the same breach
    assert flags() == [(supervision.PAID_WHILE_EMPLOYED, social["grant_id"])]

    # (d) a 创业补贴 for a job seeker who is not self-employed
    premises = service.post("/programmes/grants", {
        "programme_code": "startup_subsidy", "kind": "premises", "person_ref": person(121), "street_code": STREET,
        "amount_yuan": 3_000, "granted_on": days_ago(0)}).json()

    # (c) two skills courses in one year: 2,000 + 1,500 元 beyond the 3,000 a year
    completions = []
    for n, subsidy in enumerate((2_000, 1_500)):
        course = service.post("/programmes/courses", course_body(
            programme_code="skills_training", title=f"电工（{5 - n}级）", occupation="电工", level=5 - n)).json()
        enrolment = service.post(f"/programmes/courses/{course['course_id']}/enrolments",
                                 {"person_ref": person(122), "street_code": STREET, "enrolled_on": days_ago(5)}).json()
        done = service.post(f"/programmes/enrolments/{enrolment['enrolment_id']}/completion",
                            {"completed_on": days_ago(1), "certificate": True, "subsidy_yuan": subsidy})
        assert done.status_code == 200, done.text
        completions.append(done.json()["grant"]["grant_id"])

    # (a) a one-off subsidy beside one recording could not see: recording refuses a new one once it
    # sees the old, and paying on a pair flags it (once, from either grant)
    with service.app.state.sessions.begin() as session:
        refused_old, twin_old = old_grant(person(124)), old_grant(person(123))
        session.add_all([refused_old, twin_old])
    one_off = {"programme_code": "startup_subsidy", "kind": "one_off", "street_code": STREET, "amount_yuan": 5_000,
               "granted_on": days_ago(0)}
    before = service.counts()
    refused = service.post("/programmes/grants", one_off | {"person_ref": person(124)})
    assert refused.status_code == 422 and refused.json()["errors"][0]["type"] == "exclusive_grant"
    assert service.counts() == before
    with service.app.state.sessions.begin() as session:
        twin = old_grant(person(123))  # the other replica's, under the catalogue where the kind is one-off
        twin.granted_on, twin.exclusive_key = today(), f"startup_subsidy:one_off:{person(123)}"
        session.add(twin)
    pay(twin.id, 1_000)
    pay(twin_old.id, 1_000)

    assert flags() == sorted([
        (supervision.PAID_WHILE_EMPLOYED, social["grant_id"]),
        (supervision.WITHOUT_ELIGIBILITY, premises["grant_id"]),
        (supervision.TRAINING_OVER_CAP, completions[1]),
        (supervision.DOUBLE_EXCLUSIVE, twin.id),
    ])

    # every flag is an alert.raised on leye.alert, with its level and its rule named
    service.wait_published()
    with service.app.state.sessions() as session:
        alert_ids = {f.alert_id: f for f in session.scalars(select(FundFlag))}
    raised = [parse_event(r.value) for r in read_topic(broker.bootstrap, "leye.alert", to_end=True)
              if r.key.decode() in alert_ids]
    assert sorted(e.data.alert_id for e in raised) == sorted(alert_ids)
    levels = {supervision.PAID_WHILE_EMPLOYED: AlertLevel.ORANGE, supervision.WITHOUT_ELIGIBILITY: AlertLevel.YELLOW,
              supervision.TRAINING_OVER_CAP: AlertLevel.ORANGE, supervision.DOUBLE_EXCLUSIVE: AlertLevel.RED}
    for event in raised:
        data = event.data
        assert isinstance(data, AlertRaised) and data.source is AlertSource.FUNDS
        assert (data.scope_kind.value, data.scope_code) == ("street", STREET)
        assert data.level is levels[data.signal] and data.subject_ref == alert_ids[data.alert_id].subject_ref
        assert data.summary and data.summary.startswith("违反")
        assert not any(person(n).encode() in event.to_json() for n in range(120, 125))  # records, never people

    # the payments carry the day the person was found eligible; the time to benefit is counted from it
    with service.app.state.sessions() as session:
        paid = [parse_event(row.payload).data for row in session.scalars(select(OutboxMessage))]
    assert {p.eligible_on for p in paid if isinstance(p, Paid) and p.grant_id == social["grant_id"]} == {today()}
    stats = service.get("/programmes/stats/time-to-benefit").json()
    social_row = next(r for r in stats["programmes"] if r["programme_code"] == "flexible_social_insurance")
    assert (social_row["grants"], social_row["median_days"], social_row["p90_days"]) == (1, 0, 0)
    assert stats["total"]["grants"] == 1
    assert service.get(f"/programmes/stats/time-to-benefit?year={today().year - 1}").json()["total"]["grants"] == 0


def test_the_wall_names_every_fund_rule_as_the_programmes_service_does() -> None:
    from services.monitoring.wall.labels import SIGNAL_LABELS

    assert {code: SIGNAL_LABELS.get(code) for code in supervision.RULES} == {
        code: f"资金监管：{name}" for code, (name, _level) in supervision.RULES.items()}


def test_the_bureau_resolves_a_reviewed_flag_once_with_its_reason_and_it_no_longer_shows_as_open(
        broker, service) -> None:
    # a 创业补贴 to a job seeker who is not self-employed: flagged (yellow) without eligibility
    premises = service.post("/programmes/grants", {
        "programme_code": "startup_subsidy", "kind": "premises", "person_ref": person(130), "street_code": STREET,
        "amount_yuan": 3_000, "granted_on": days_ago(0)}).json()
    [flag] = service.get("/programmes/fund-flags").json()["flags"]
    assert (flag["rule"], flag["rule_name"], flag["level"], flag["subject_ref"], flag["street_code"],
            flag["status"], flag["resolution"]) == (
        supervision.WITHOUT_ELIGIBILITY, "发放时不符合资格条件", "yellow", premises["grant_id"], STREET, "open", None)
    resolve = f"/programmes/fund-flags/{flag['alert_id']}/resolution"

    # bad input is refused naming the field, and nothing changes
    before = service.counts()
    for body, field, kind in (({"resolution": "forgiven", "note": "无"}, "body.resolution", "literal_error"),
                              ({"resolution": "no_breach", "note": "   "}, "body.note", "blank"),
                              ({"resolution": "no_breach"}, "body.note", "missing")):
        refused = service.post(resolve, body)
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert [(e["field"], e["type"]) for e in refused.json()["errors"]] == [(field, kind)]
    missing = service.post("/programmes/fund-flags/0190a1b2-c3d4-7e5f-8a9b-000000000000/resolution",
                           {"resolution": "no_breach", "note": "核实"})
    assert (missing.status_code, missing.json()["code"]) == (404, "fund_flag_not_found")
    assert service.counts() == before
    assert service.get("/programmes/fund-flags").json()["flags"][0]["status"] == "open"

    note = "申请人提供了营业执照，系统外核实为自主创业"
    done = service.post(resolve, {"resolution": "no_breach", "note": note}, headers={"X-Leye-Client": "bureau-audit"})
    assert done.status_code == 200, done.text
    resolved = done.json()
    assert (resolved["status"], resolved["resolution"], resolved["resolution_name"], resolved["resolution_note"],
            resolved["resolved_by"]) == ("resolved", "no_breach", "经核实不构成违规", note, "bureau-audit")
    assert resolved["resolved_at"] is not None
    assert service.get("/programmes/fund-flags").json()["flags"] == []  # no longer open
    assert [f["alert_id"] for f in service.get("/programmes/fund-flags?status=resolved").json()["flags"]] == \
        [flag["alert_id"]]
    assert service.get(f"/programmes/fund-flags/{flag['alert_id']}").json() == resolved
    again = service.post(resolve, {"resolution": "recovered", "note": "再次"})
    assert (again.status_code, again.json()["code"]) == (409, "fund_flag_resolved")

    # the warning is closed on leye.alert with the alert's own state, and without the note
    service.wait_published()
    published = [parse_event(r.value) for r in read_topic(broker.bootstrap, "leye.alert", to_end=True)
                 if r.key.decode() == flag["alert_id"]]
    assert [type(e.data) for e in published] == [AlertRaised, AlertResolved]
    raised, closed = published[0].data, published[1].data
    same = ("level", "scope_kind", "scope_code", "signal", "value", "threshold", "window", "source", "subject_ref")
    assert {k: getattr(closed, k) for k in same} == {k: getattr(raised, k) for k in same}
    assert (closed.value, closed.threshold, closed.window) == (2.0, 0.0, "1d")  # two clauses not held
    assert closed.summary == "资金监管预警已复核解除（发放时不符合资格条件）：经核实不构成违规"
    assert note.encode() not in published[1].to_json() and person(130).encode() not in published[1].to_json()

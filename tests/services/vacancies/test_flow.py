"""Done-when of issue 3 (vacancies half), through real HTTP and the real broker: an employer, a posting
screened and published, a discriminatory one flagged and withheld, a fill, an automatic expiry, a
recruitment session, a layoff and two headcount reports; every step read back from Kafka by an
independent client as a valid event."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import httpx

from tests.services.vacancies.conftest import (
    STREET,
    credit_code,
    employer_body,
    events_for,
    today,
    vacancy_body,
)


def kinds_by_subject(events) -> dict[str, list[str]]:
    """``{subject: ["vacancy.posted", ...]}`` in topic order; the type without prefix and version."""
    out: dict[str, list[str]] = {}
    for event in events:
        out.setdefault(event.subject, []).append(".".join(event.type.split(".")[3:5]))
    return out


def wait_for_status(service, vacancy_id: str, status: str, timeout_s: float = 20) -> dict:
    deadline = time.monotonic() + timeout_s
    while True:
        body = httpx.get(f"{service.url}/vacancies/{vacancy_id}").json()
        if body["status"] == status or time.monotonic() > deadline:
            return body
        time.sleep(0.1)


def test_posting_screening_fill_expiry_session_layoff_and_headcount_reach_kafka(broker, service) -> None:
    service.clock.offset = timedelta()
    employer = service.post("/employers", employer_body(11, community_code="120111001901"))  # 西营东社区
    assert employer.status_code == 201
    ref = employer.json()["employer_ref"]
    assert ref == credit_code(11)
    assert httpx.get(f"{service.url}/employers/{ref}").json()["community_code"] == "120111001901"

    clean = service.post("/vacancies", vacancy_body(ref))
    assert clean.status_code == 201, clean.text
    assert clean.json()["status"] == "posted" and clean.json()["flag_reasons"] == []
    clean_id = clean.json()["vacancy_id"]

    biased = service.post("/vacancies",
                          vacancy_body(ref, title="仓库管理员", description="限男性，35岁以下，本市户籍。"))
    assert biased.status_code == 201
    biased_body = biased.json()
    assert biased_body["status"] == "flagged"
    assert [r["category"] for r in biased_body["flag_reasons"]] == ["gender", "hukou", "age"]
    assert "限男性" in biased_body["flag_reasons"][0]["explanation"]
    assert biased_body["flag_reasons"][0]["label"] == "性别限制"
    biased_id = biased_body["vacancy_id"]
    assert httpx.get(f"{service.url}/vacancies/{biased_id}").json()["flag_reasons"] == biased_body["flag_reasons"]
    stock = httpx.get(f"{service.url}/vacancies", params={"employer_ref": ref}).json()
    assert [v["vacancy_id"] for v in stock["items"]] == [clean_id] and stock["total"] == 1

    filled = service.post(f"/vacancies/{clean_id}/fill", {"count": 1, "person_ref": "a" * 64})
    assert filled.status_code == 200
    assert (filled.json()["status"], filled.json()["remaining"]) == ("partly_filled", 2)

    expiring = service.post("/vacancies", vacancy_body(ref, title="包装工", valid_until=today().isoformat()))
    expiring_id = expiring.json()["vacancy_id"]
    assert expiring.json()["status"] == "posted"

    session = service.post("/recruitment-sessions", {
        "kind": "livestream", "title": "西营门街道直播带岗", "street_code": STREET,
        "scheduled_at": "2026-11-23T10:00:00+08:00", "vacancy_ids": [clean_id, expiring_id]})
    assert session.status_code == 201
    session_id = session.json()["session_id"]
    assert service.post(f"/recruitment-sessions/{session_id}/start",
                        {"started_at": "2026-11-23T10:01:00+08:00"}).status_code == 200
    ended = service.post(f"/recruitment-sessions/{session_id}/end",
                         {"ended_at": "2026-11-23T11:30:00+08:00", "viewers": 1520, "applications": 37, "hires": 4})
    assert ended.json()["status"] == "ended" and ended.json()["ended_at"] == "2026-11-23T11:30:00+08:00"
    assert ended.json()["source"] == "reported"

    layoff = service.post("/layoffs", {"employer_ref": ref, "staff_count": 120, "planned_cuts": 15,
                                       "reason": "serious_difficulty", "notified_on": "2026-11-01",
                                       "planned_on": "2026-11-20"})
    assert layoff.status_code == 201
    assert {k: layoff.json()[k] for k in ("is_mass_layoff", "notice_days", "notice_compliant")} == {
        "is_mass_layoff": True, "notice_days": 19, "notice_compliant": False}

    assert service.post("/monitored-enterprises", {"employer_ref": ref, "baseline_headcount": 120,
                                                   "enrolled_on": "2026-10-01"}).status_code == 201
    first = service.post("/headcount-reports", {"employer_ref": ref, "month": "2026-10", "baseline_headcount": 120,
                                                "current_headcount": 110, "decreases": {"layoff": 8, "resignation": 2}})
    second = service.post("/headcount-reports", {"employer_ref": ref, "month": "2026-10", "baseline_headcount": 120,
                                                 "current_headcount": 105, "decreases": {"layoff": 15}})
    assert second.json()["supersedes_report_id"] == first.json()["report_id"]
    assert second.json()["job_loss_rate"] == 0.125
    assert httpx.get(f"{service.url}/headcount-reports/{first.json()['report_id']}").json()["superseded_by"] == \
        second.json()["report_id"]

    # Validity ends: the service's own expiry task (clock moved to the day after) closes the posting.
    service.clock.offset = timedelta(days=1)
    assert wait_for_status(service, expiring_id, "closed")["close_reason"] == "expired"
    listed = httpx.get(f"{service.url}/vacancies", params={"employer_ref": ref}).json()["items"]
    assert [v["vacancy_id"] for v in listed] == [clean_id]

    service.wait_published()
    vacancy_events = events_for(broker.bootstrap, "leye.vacancy", {ref, clean_id, biased_id, expiring_id, session_id})
    assert kinds_by_subject(vacancy_events) == {  # Kafka orders events per key (aggregate), not across
        ref: ["employer.registered"],
        clean_id: ["vacancy.posted", "vacancy.filled"],
        biased_id: ["vacancy.flagged"],
        expiring_id: ["vacancy.posted", "vacancy.closed"],
        session_id: ["recruitment.session_scheduled", "recruitment.session_started", "recruitment.session_ended"],
    }
    by_type = {e.type: e.data for e in vacancy_events}
    assert by_type["cn.xiqing.leye.employer.registered.v1"].community_code == "120111001901"
    assert by_type["cn.xiqing.leye.vacancy.filled.v1"].remaining == 2
    assert by_type["cn.xiqing.leye.vacancy.closed.v1"].reason == "expired"
    assert [r.category for r in by_type["cn.xiqing.leye.vacancy.flagged.v1"].reasons] == ["gender", "hukou", "age"]
    assert by_type["cn.xiqing.leye.recruitment.session_ended.v1"].hires == 4
    assert all(e.source == "/services/vacancies" for e in vacancy_events)
    raw = b"".join(e.to_json() for e in vacancy_events).decode()
    assert "测试机械" not in raw  # the employer's name stays in the service

    layoff_events = events_for(broker.bootstrap, "leye.layoff", {ref})
    assert [e.type for e in layoff_events] == ["cn.xiqing.leye.layoff.reported.v1",
                                               "cn.xiqing.leye.headcount.reported.v1",
                                               "cn.xiqing.leye.headcount.reported.v1"]
    assert (layoff_events[0].data.is_mass_layoff, layoff_events[0].data.notice_compliant) == (True, False)
    assert layoff_events[1].data.supersedes_report_id is None
    assert layoff_events[2].data.supersedes_report_id == first.json()["report_id"]


def test_flagged_posting_corrected_is_published_and_filling_the_last_post_closes_it(broker, service) -> None:
    ref = service.post("/employers", employer_body(12)).json()["employer_ref"]
    flagged = service.post("/vacancies", vacancy_body(ref, headcount=1, description="仅限汉族，已婚已育优先。"))
    vacancy_id = flagged.json()["vacancy_id"]
    assert flagged.json()["status"] == "flagged"
    assert service.post(f"/vacancies/{vacancy_id}/fill", {"count": 1}).status_code == 409

    corrected = httpx.put(f"{service.url}/vacancies/{vacancy_id}", json=vacancy_body(ref, headcount=1))
    assert corrected.status_code == 200
    assert (corrected.json()["status"], corrected.json()["flag_reasons"]) == ("posted", [])
    updated = httpx.put(f"{service.url}/vacancies/{vacancy_id}", json=vacancy_body(ref, headcount=1, salary_max=9000))
    assert updated.json()["status"] == "updated"

    done = service.post(f"/vacancies/{vacancy_id}/fill", {"count": 1})
    assert (done.json()["status"], done.json()["close_reason"], done.json()["remaining"]) == ("closed", "filled", 0)
    assert service.post(f"/vacancies/{vacancy_id}/close", {"reason": "withdrawn"}).status_code == 409
    assert httpx.put(f"{service.url}/vacancies/{vacancy_id}", json=vacancy_body(ref)).status_code == 409

    service.wait_published()
    types = [e.type.split(".")[4] for e in events_for(broker.bootstrap, "leye.vacancy", {vacancy_id})]
    assert types == ["flagged", "posted", "updated", "filled", "closed"]


def test_same_idempotency_key_and_body_gives_one_event_other_body_is_422(broker, service) -> None:
    ref = service.post("/employers", employer_body(13)).json()["employer_ref"]
    body = vacancy_body(ref, title="叉车司机")
    headers = {"Idempotency-Key": "hr-bureau:req-0001"}
    first = service.post("/vacancies", body, headers=headers)
    again = service.post("/vacancies", body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"

    before = service.counts()
    other = service.post("/vacancies", body | {"headcount": 5}, headers=headers)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert service.counts() == before

    service.wait_published()
    posted = events_for(broker.bootstrap, "leye.vacancy", {first.json()["vacancy_id"]})
    assert [e.type for e in posted] == ["cn.xiqing.leye.vacancy.posted.v1"]
    assert posted[0].data.headcount == 3


def test_openapi_documents_every_operation_in_chinese_with_its_request_body(service) -> None:
    spec = httpx.get(f"{service.url}/openapi.json").json()
    operations = [(path, method, op) for path, item in spec["paths"].items() for method, op in item.items()]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in op["summary"]) for _, _, op in operations)
    post_vacancy = spec["paths"]["/vacancies"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert post_vacancy == {"$ref": "#/components/schemas/VacancyIn"}
    vacancy_in = spec["components"]["schemas"]["VacancyIn"]
    assert {"employer_ref", "title", "headcount", "salary_min", "valid_until"} <= set(vacancy_in["required"])
    assert {"Industry", "Skill", "VacancyKind", "VacancyOut"} <= set(spec["components"]["schemas"])


def test_a_livestream_recorded_live_counts_its_totals_and_its_hires_fill_the_postings(broker, service) -> None:
    """Viewer samples and applications during a 直播带岗, outcomes during and after it: the end counts
    the peak of the samples, the applications and the hires so far (``source: live``); a hire fills a
    post of the vacancy; every event names the person by ``person_ref`` only."""
    ref = service.post("/employers", employer_body(14)).json()["employer_ref"]
    one = service.post("/vacancies", vacancy_body(ref, headcount=1)).json()["vacancy_id"]
    three = service.post("/vacancies", vacancy_body(ref, title="装配工")).json()["vacancy_id"]
    start = datetime.now(UTC) - timedelta(minutes=30)
    at = {m: (start + timedelta(minutes=m)).isoformat() for m in (5, 10, 12, 15, 20, 25)}
    sid = service.post("/recruitment-sessions", {"kind": "livestream", "title": "每日直播带岗", "street_code": STREET,
                                                 "scheduled_at": start.isoformat(),
                                                 "vacancy_ids": [one, three]}).json()["session_id"]
    assert service.post(f"/recruitment-sessions/{sid}/start", {"started_at": start.isoformat()}).status_code == 200

    samples = [service.post(f"/recruitment-sessions/{sid}/viewers", {"sampled_at": at[m], "viewers": v})
               for m, v in ((5, 120), (10, 480), (10, 480), (20, 300))]
    assert [r.status_code for r in samples] == [201, 201, 200, 201]
    p1, p2 = "a1" * 32, "b2" * 32
    applied = [service.post(f"/recruitment-sessions/{sid}/applications",
                            {"person_ref": p, "vacancy_id": v, "applied_at": at[m]})
               for p, v, m in ((p1, one, 12), (p2, one, 12), (p1, three, 15), (p1, one, 20))]
    assert [r.status_code for r in applied] == [201, 201, 201, 200]
    assert applied[3].json()["application_id"] == applied[0].json()["application_id"]
    hired = service.post(f"/recruitment-sessions/{sid}/applications/{applied[0].json()['application_id']}/outcome",
                         {"outcome": "hired", "decided_at": at[25]})
    assert hired.status_code == 200 and hired.json()["outcome"] == "hired"
    assert httpx.get(f"{service.url}/vacancies/{one}").json()["status"] == "closed"  # its one post is filled
    assert service.post(f"/recruitment-sessions/{sid}/applications/{applied[1].json()['application_id']}/outcome",
                        {"outcome": "not_hired"}).status_code == 200

    ended = service.post(f"/recruitment-sessions/{sid}/end", {}).json()
    assert {k: ended[k] for k in ("status", "viewers", "applications", "hires", "source")} == {
        "status": "ended", "viewers": 480, "applications": 3, "hires": 1, "source": "live"}
    assert service.post(f"/recruitment-sessions/{sid}/viewers",
                        {"sampled_at": at[25], "viewers": 1}).status_code == 409  # over: no more samples
    later = service.post(f"/recruitment-sessions/{sid}/applications/{applied[2].json()['application_id']}/outcome",
                         {"outcome": "hired"})  # a hire after the session still counts for it
    assert later.status_code == 200
    assert httpx.get(f"{service.url}/vacancies/{three}").json()["filled_count"] == 1

    service.wait_published()
    session_events = events_for(broker.bootstrap, "leye.vacancy", {sid})
    assert kinds_by_subject(session_events)[sid] == [
        "recruitment.session_scheduled", "recruitment.session_started", *["recruitment.viewers_sampled"] * 3,
        *["recruitment.application_received"] * 3, "recruitment.application_decided",
        "recruitment.application_decided", "recruitment.session_ended", "recruitment.application_decided"]
    decided = [e.data for e in session_events if e.type.endswith("application_decided.v1")]
    assert [(d.person_ref, d.vacancy_id, d.hired) for d in decided] == [(p1, one, True), (p2, one, False),
                                                                        (p1, three, True)]
    fills = [e.data for e in events_for(broker.bootstrap, "leye.vacancy", {one, three})
             if e.type.endswith("vacancy.filled.v1")]
    assert sorted((f.vacancy_id, f.person_ref) for f in fills) == sorted([(one, p1), (three, p1)])
    raw = b"".join(e.to_json() for e in session_events).decode()
    assert "测试机械" not in raw

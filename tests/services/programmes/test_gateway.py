"""The programmes API through the real gateway: scopes ``programmes:read`` / ``programmes:write``,
forwarding to the real service, the audit of person-linked records."""

from __future__ import annotations

import httpx

from schemas.vocab import EmploymentForm
from tests.services.gateway.conftest import Gateway, gateway_settings, start_gateway
from tests.services.programmes.conftest import STREET, days_ago, incubator_body, person, placement_body
from tests.services.programmes.test_policy import certified, employed


def test_programmes_through_the_gateway_with_their_scopes_and_audit(tmp_path, service) -> None:
    live, app = start_gateway(gateway_settings(tmp_path / "gw", "http://127.0.0.1:9", PROGRAMMES_URL=service.url))
    with live:
        gateway = Gateway(live, app)
        writer = gateway.client_with("finance-bureau", "programmes:write programmes:read")
        reader = gateway.client_with("training-centre", "programmes:read")
        admin = gateway.client_with("bureau-admin", "admin", bureau=True)
        body = {"person_ref": person(90), "street_code": STREET, "amount_yuan": 150_000, "term_months": 36,
                "issued_on": days_ago(2)}

        refused = httpx.post(f"{gateway.url}/v1/programmes/loans", json=body, headers=reader)
        assert refused.status_code == 403 and "programmes:write" in refused.json()["detail"]
        assert service.counts()["loans"] == 0

        created = httpx.post(f"{gateway.url}/v1/programmes/loans", json=body, headers=writer)
        assert created.status_code == 201, created.text
        loan_id = created.json()["loan_id"]
        read = httpx.get(f"{gateway.url}/v1/programmes/loans/{loan_id}", headers=reader)
        assert read.status_code == 200 and read.json()["amount_yuan"] == 150_000
        catalogue = httpx.get(f"{gateway.url}/v1/programmes/catalogue", headers=reader)
        assert catalogue.status_code == 200 and catalogue.json()["version"] == "2026.3"

        over = httpx.post(f"{gateway.url}/v1/programmes/loans", json=body | {"amount_yuan": 250_000}, headers=writer)
        assert over.status_code == 422 and over.json()["errors"][0]["field"] == "body.amount_yuan"

        audited = gateway.audit(admin, person_ref=person(90))
        assert {(item["client_id"], item["status"]) for item in audited} >= {("finance-bureau", 201)}

        incubator = incubator_body(level="municipal")
        refused = httpx.post(f"{gateway.url}/v1/programmes/incubators", json=incubator, headers=reader)
        assert refused.status_code == 403 and "programmes:write" in refused.json()["detail"]
        base = httpx.post(f"{gateway.url}/v1/programmes/incubators", json=incubator, headers=writer)
        assert base.status_code == 201, base.text
        read = httpx.get(f"{gateway.url}/v1/programmes/incubators/{base.json()['incubator_id']}", headers=reader)
        assert read.status_code == 200 and read.json()["level"] == "municipal"

        internship = placement_body(programme_code="internship", school="天津理工大学", vacancy_id=None, ends_on=None)
        assert httpx.post(f"{gateway.url}/v1/programmes/placements", json=internship, headers=writer).status_code == 201
        by_school = httpx.get(f"{gateway.url}/v1/programmes/stats/internships", headers=reader).json()
        assert by_school["schools"] == [{"school": "天津理工大学", "placements": None, "students": None,
                                         "small_cell": True, "suppressed": True}]
        bureau = gateway.client_with("hr-bureau", "programmes:read", bureau=True)
        seen = httpx.get(f"{gateway.url}/v1/programmes/stats/internships", headers=bureau).json()
        assert seen["schools"][0]["students"] == 1


def test_why_eligible_through_the_gateway_needs_programmes_read_and_is_audited(tmp_path, service) -> None:
    ref = person(91)
    service.feed(certified(ref), employed(ref, EmploymentForm.FLEXIBLE))
    live, app = start_gateway(gateway_settings(tmp_path / "gw", "http://127.0.0.1:9", PROGRAMMES_URL=service.url))
    with live:
        gateway = Gateway(live, app)
        reader = gateway.client_with("social-insurance-centre", "programmes:read")
        outsider = gateway.client_with("stats-office", "stats:read")
        admin = gateway.client_with("bureau-admin", "admin", bureau=True)
        path = f"{gateway.url}/v1/programmes/eligibility/{ref}/flexible_social_insurance"

        refused = httpx.get(path, headers=outsider)
        assert refused.status_code == 403 and "programmes:read" in refused.json()["detail"]
        why = httpx.get(path, headers=reader)
        assert why.status_code == 200, why.text
        assert why.json()["eligible"] is True and why.json()["summary"].startswith("符合灵活就业社保补贴的条件")

        audited = gateway.audit(admin, person_ref=ref)
        assert sorted((item["client_id"], item["status"], item["route"]) for item in audited) == [
            ("social-insurance-centre", 200, "/programmes/eligibility/{person_ref}/{id}"),
            ("stats-office", 403, "/programmes/eligibility/{person_ref}/{id}")]


def test_a_fund_flag_is_resolved_through_the_gateway_by_a_writer_and_the_resolution_is_audited(
        tmp_path, service) -> None:
    flagged = service.post("/programmes/grants", {
        "programme_code": "startup_subsidy", "kind": "premises", "person_ref": person(92), "street_code": STREET,
        "amount_yuan": 3_000, "granted_on": days_ago(0)})
    assert flagged.status_code == 201, flagged.text
    live, app = start_gateway(gateway_settings(tmp_path / "gw", "http://127.0.0.1:9", PROGRAMMES_URL=service.url))
    with live:
        gateway = Gateway(live, app)
        writer = gateway.client_with("funds-office", "programmes:write programmes:read")
        reader = gateway.client_with("training-centre", "programmes:read")
        admin = gateway.client_with("bureau-admin", "admin", bureau=True)
        [flag] = httpx.get(f"{gateway.url}/v1/programmes/fund-flags", headers=reader).json()["flags"]
        path = f"{gateway.url}/v1/programmes/fund-flags/{flag['alert_id']}/resolution"
        body = {"resolution": "recovery_ordered", "note": "已通知街道追回场地补贴"}

        refused = httpx.post(path, json=body, headers=reader)
        assert refused.status_code == 403 and "programmes:write" in refused.json()["detail"]
        assert httpx.get(f"{gateway.url}/v1/programmes/fund-flags", headers=reader).json()["flags"] == [flag]
        done = httpx.post(path, json=body, headers=writer)
        assert done.status_code == 200, done.text
        assert (done.json()["status"], done.json()["resolved_by"], done.json()["resolution_name"]) == (
            "resolved", "funds-office", "经核实违规，已责令退回")
        assert httpx.get(f"{gateway.url}/v1/programmes/fund-flags", headers=reader).json()["flags"] == []

        audited = gateway.audit(admin, client_id="funds-office")
        assert [(item["route"], item["status"]) for item in audited] == [
            ("/programmes/fund-flags/{id}/resolution", 200)]

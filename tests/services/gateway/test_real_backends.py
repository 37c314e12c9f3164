"""Through the real registration service (it has landed): a department registers and looks up a
person via the gateway; the ID number never reaches the audit log, the person_ref does."""

from __future__ import annotations

import httpx

from services.registration.app import create_app as create_registration
from services.registration.settings import Settings as RegistrationSettings
from tests.conftest import LiveServer
from tests.services.registration.conftest import person_body

from .conftest import Gateway, gateway_settings, start_gateway


def test_register_and_look_up_a_person_through_the_gateway(tmp_path, backend) -> None:
    registration = create_registration(RegistrationSettings(
        database_url=f"sqlite:///{tmp_path / 'registration.sqlite3'}", KAFKA_BOOTSTRAP="127.0.0.1:1",
        PERSON_REF_KEY="test-person-ref-key-0123", pii_keys="1:test-pii-secret-0123456789abcdef0123"),
        start_relay=False)
    with LiveServer(registration) as service:
        live, app = start_gateway(gateway_settings(tmp_path / "gw", backend.url, REGISTRATION_URL=service.url))
        with live:
            gateway = Gateway(live, app)
            clerk = gateway.client_with("street-office", "persons:read persons:write")
            admin = gateway.client_with("bureau-admin", "admin", bureau=True)
            body = person_body()
            created = httpx.post(f"{gateway.url}/v1/persons", headers=clerk | {"Idempotency-Key": "p-1"}, json=body)
            assert created.status_code == 201, created.text
            person_ref = created.json()["person_ref"]
            found = httpx.post(f"{gateway.url}/v1/persons/lookup", headers=clerk,
                               json={"id_number": body["id_number"]})
            assert found.status_code == 200 and found.json()["person_ref"] == person_ref
            searched = httpx.post(f"{gateway.url}/v1/persons/search", headers=clerk,
                                  json={"name": body["name"], "id_number": body["id_number"]})
            assert searched.status_code == 200 and searched.json()["total"] == 1
            assert searched.json()["items"][0]["person_ref"] == person_ref
            statistician = gateway.client_with("statistics-office", "stats:read")
            refused = httpx.post(f"{gateway.url}/v1/persons/search", headers=statistician, json={"name": body["name"]})
            assert refused.status_code == 403
            bad = httpx.post(f"{gateway.url}/v1/persons/search", headers=clerk, json={"street_code": "1"})
            assert bad.status_code == 422 and [e["field"] for e in bad.json()["errors"]] == ["body.street_code"]
            missing = httpx.get(f"{gateway.url}/v1/persons/{'f' * 64}", headers=clerk)
            assert missing.status_code == 404
            assert missing.headers["content-type"] == "application/problem+json"
            assert missing.json()["instance"] == f"/v1/persons/{'f' * 64}"  # the public path, not the backend's
            invalid = httpx.post(f"{gateway.url}/v1/persons", headers=clerk, json=body | {"phone": "12"})
            assert invalid.status_code == 422 and "body.phone" in [e["field"] for e in invalid.json()["errors"]]

            entries = httpx.get(f"{gateway.url}/v1/audit", headers=admin)
            assert [(e["method"], e["route"], e["person_ref"], e["status"]) for e in
                    reversed(entries.json()["items"])] == [
                ("POST", "/persons", person_ref, 201),
                ("POST", "/persons/lookup", person_ref, 200),
                ("POST", "/persons/search", None, 200),  # every search, like every read, leaves a row
                ("POST", "/persons/search", None, 403),
                ("POST", "/persons/search", None, 422),
                ("GET", "/persons/{person_ref}", "f" * 64, 404),
                ("POST", "/persons", None, 422),
            ]
            for personal in (body["id_number"], body["name"], body["phone"]):
                assert personal not in entries.text


def test_households_through_the_gateway_need_their_scopes_and_are_audited(tmp_path, backend) -> None:
    registration = create_registration(RegistrationSettings(
        database_url=f"sqlite:///{tmp_path / 'registration.sqlite3'}", KAFKA_BOOTSTRAP="127.0.0.1:1",
        PERSON_REF_KEY="test-person-ref-key-0123", pii_keys="1:test-pii-secret-0123456789abcdef0123"),
        start_relay=False)
    with LiveServer(registration) as service:
        live, app = start_gateway(gateway_settings(tmp_path / "gw", backend.url, REGISTRATION_URL=service.url))
        with live:
            gateway = Gateway(live, app)
            clerk = gateway.client_with("community-office", "persons:write households:read households:write")
            reader = gateway.client_with("civil-affairs", "persons:read")
            admin = gateway.client_with("bureau-admin", "admin", bureau=True)
            person_ref = httpx.post(f"{gateway.url}/v1/persons", headers=clerk, json=person_body()).json()["person_ref"]
            members = [{"person_ref": person_ref, "relation": "02"}]
            created = httpx.post(f"{gateway.url}/v1/households", headers=clerk,
                                 json={"community_code": "120111001901", "members": members})
            assert created.status_code == 201, created.text
            household = created.json()["household_ref"]
            assert created.json()["zero_employment"] is True
            read = httpx.get(f"{gateway.url}/v1/households/{household}", headers=clerk)
            assert read.status_code == 200 and read.json()["members"][0]["person_ref"] == person_ref
            assert httpx.get(f"{gateway.url}/v1/households/{household}", headers=reader).status_code == 403
            twice = httpx.post(f"{gateway.url}/v1/households", headers=clerk,
                               json={"community_code": "120111001901", "members": members})
            assert twice.status_code == 422
            assert [e["field"] for e in twice.json()["errors"]] == ["body.members.0.person_ref"]

            entries = httpx.get(f"{gateway.url}/v1/audit", headers=admin, params={"household_ref": household})
            assert [(e["method"], e["route"], e["household_ref"], e["status"]) for e in
                    reversed(entries.json()["items"])] == [
                ("POST", "/households", household, 201),
                ("GET", "/households/{id}", household, 200),
                ("GET", "/households/{id}", household, 403),
            ]

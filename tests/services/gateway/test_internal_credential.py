"""Production: a backend refuses a direct call, and answers the same call through the gateway, which
sends the internal credential; a gateway whose credential the backend refuses answers 502."""

from __future__ import annotations

import httpx

from services.registration.app import create_app as create_registration
from services.registration.settings import Settings as RegistrationSettings
from tests.conftest import LiveServer
from tests.services.registration.conftest import person_body

from .conftest import Gateway, gateway_settings, start_gateway

INTERNAL_TOKEN = "internal-token-from-the-vault-0123456789"


def production_registration(tmp_path, internal_token: str = INTERNAL_TOKEN) -> LiveServer:
    settings = RegistrationSettings(
        LEYE_ENV="production", LEYE_INTERNAL_TOKEN=internal_token, KAFKA_BOOTSTRAP="127.0.0.1:1",
        database_url=f"sqlite:///{tmp_path / 'registration.sqlite3'}",
        PERSON_REF_KEY="person-ref-key-from-the-vault-0123456789",
        pii_keys="1:pii-key-from-the-vault-0123456789abcdef",
    )
    return LiveServer(create_registration(settings, start_relay=False))


def production_gateway(tmp_path, backend_url: str, registration_url: str):
    return start_gateway(gateway_settings(tmp_path / "gw", backend_url, REGISTRATION_URL=registration_url,
                                          LEYE_ENV="production", LEYE_INTERNAL_TOKEN=INTERNAL_TOKEN))


def test_direct_call_is_refused_and_the_same_call_through_the_gateway_is_answered(tmp_path, backend) -> None:
    with production_registration(tmp_path) as registration:
        live, app = production_gateway(tmp_path, backend.url, registration.url)
        with live:
            gateway = Gateway(live, app)
            clerk = gateway.client_with("street-office", "persons:read persons:write")
            body = person_body()
            created = httpx.post(f"{gateway.url}/v1/persons", headers=clerk, json=body)
            assert created.status_code == 201, created.text
            person_ref = created.json()["person_ref"]

            direct = httpx.get(f"{registration.url}/persons/{person_ref}")
            assert direct.status_code == 403
            assert direct.headers["content-type"] == "application/problem+json"
            assert direct.json()["code"] == "internal_caller_only"
            assert body["name"] not in direct.text and body["id_number"] not in direct.text
            direct_write = httpx.post(f"{registration.url}/persons", json=person_body(phone="13900000000"))
            assert direct_write.status_code == 403

            through = httpx.get(f"{gateway.url}/v1/persons/{person_ref}", headers=clerk)
            assert through.status_code == 200, through.text
            assert (through.json()["person_ref"], through.json()["name"]) == (person_ref, body["name"])
            assert httpx.get(f"{registration.url}/readyz").status_code == 200


def test_a_backend_refusing_the_gateways_credential_is_a_502_not_the_clients_fault(tmp_path, backend) -> None:
    with production_registration(tmp_path, internal_token="another-internal-token-0123456789") as registration:
        live, app = production_gateway(tmp_path, backend.url, registration.url)
        with live:
            clerk = Gateway(live, app).client_with("street-office", "persons:read")
            response = httpx.get(f"{live.url}/v1/persons/{'a' * 64}", headers=clerk)
            assert response.status_code == 502
            assert response.json()["code"] == "backend_error"

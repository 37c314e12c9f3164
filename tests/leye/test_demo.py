"""``leye up --demo`` registers its simulator's client through ``leye gateway clients`` (the gateway's
own command group), never by writing the gateway's tables itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from leye.demo import DEMO_CLIENT_ID, DemoClientError, ensure_demo_client
from services.gateway.auth import verify_secret
from services.gateway.domain import SCOPES
from services.gateway.settings import Settings
from services.gateway.store import get_client
from services.runtime.db import make_engine, make_session_factory


def _stored(var_dir: Path):  # type: ignore[no-untyped-def]
    engine = make_engine(Settings().model_copy(update={"var_dir": var_dir}).resolved_database_url())
    try:
        with make_session_factory(engine)() as session:
            client = get_client(session, DEMO_CLIENT_ID)
            assert client is not None
            return client.secret_hash, client.scope_set, client.bureau, client.active
    finally:
        engine.dispose()


def test_the_demo_client_is_added_once_then_rekeyed_on_every_start(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("GATEWAY_DATABASE_URL", raising=False)
    client_id, first = ensure_demo_client(tmp_path)
    first_hash, scopes, bureau, active = _stored(tmp_path)
    assert client_id == DEMO_CLIENT_ID
    assert (scopes, bureau, active) == (set(SCOPES), True, True)
    assert verify_secret(first_hash, first)

    again, second = ensure_demo_client(tmp_path)
    second_hash, *_ = _stored(tmp_path)
    assert again == DEMO_CLIENT_ID and second != first
    assert verify_secret(second_hash, second) and not verify_secret(second_hash, first)


def test_a_gateway_cli_failure_is_reported_with_its_cause(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("GATEWAY_DATABASE_URL", "postgresql+psycopg2://nobody@127.0.0.1:1/none")
    with pytest.raises(DemoClientError, match=f"无法登记演示客户端 {DEMO_CLIENT_ID}：.*OperationalError"):
        ensure_demo_client(tmp_path)


def test_the_demo_sets_up_a_station_for_every_community_through_the_gateway_once(tmp_path: Path,
                                                                                 monkeypatch) -> None:
    """Without a station no case is dispatched, so the demo would never show a case, referral or SLA figure;
    with one per 社区/村 the simulator's people live in, each person's case goes to their own 社区's station."""
    import httpx

    from leye.demo import demo_stations, ensure_demo_stations
    from leye.simulator.population import communities, community_code
    from schemas.reference import STREETS
    from services.matching.app import create_app as create_matching
    from services.matching.settings import Settings as MatchingSettings
    from tests.conftest import LiveServer
    from tests.services.gateway.conftest import Gateway, gateway_settings, start_gateway

    monkeypatch.delenv("GATEWAY_DATABASE_URL", raising=False)
    matching = create_matching(MatchingSettings(database_url=f"sqlite:///{tmp_path / 'matching.sqlite3'}",
                                                KAFKA_BOOTSTRAP="127.0.0.1:1"))
    with LiveServer(matching) as backend:
        matching.state.relay.stop()  # no broker here
        live, gateway = start_gateway(gateway_settings(tmp_path, backend.url))
        with live:
            gateway.state.relay.stop()
            # the demo's client as `ensure_demo_client` makes it (tested above), registered in-process:
            # the CLI's start-up is most of that test's time
            client_id = "demo-stations"
            secret = Gateway(live, gateway).add_client(client_id, " ".join(sorted(SCOPES)), bureau=True)
            assert ensure_demo_stations(live.url, client_id, secret) == len(demo_stations()) == 4 * len(STREETS)
            assert ensure_demo_stations(live.url, client_id, secret) == 0  # a second `make run`
            token = httpx.post(f"{live.url}/oauth/token", data={"grant_type": "client_credentials"},
                               auth=(client_id, secret)).json()["access_token"]
            stations = httpx.get(f"{live.url}/v1/stations", headers={"Authorization": f"Bearer {token}"}).json()
    items = stations["items"] if isinstance(stations, dict) else stations
    found = sorted((s["street_code"], s["community"], s["community_code"]) for s in items if s["active"])
    assert found == sorted((street, community, community_code(street, community))
                           for street in STREETS for community in communities(street))


def test_every_person_the_simulator_draws_lives_where_the_demo_has_a_station() -> None:
    from leye.demo import demo_stations
    from leye.simulator.population import Population

    stations = {(station["street_code"], station["community"]) for station in demo_stations()}
    population = Population(seed=11)
    people = [population.person() for _ in range(2000)]
    assert {(person.street_code, person.community) for person in people} == stations  # all 48 used, none other

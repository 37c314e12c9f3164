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

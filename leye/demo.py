"""Demo traffic for ``leye up --demo`` (``make run``): a gateway client for the simulator, the
simulator as a child process, and the live view in the foreground.

The demo client is registered in the gateway's own client registry, as an operator would with
``leye gateway clients add``; its secret is rotated on every start and handed to the simulator
through the environment only.
"""

from __future__ import annotations

from pathlib import Path

from services.gateway.auth import hash_secret, new_secret
from services.gateway.domain import SCOPES
from services.gateway.settings import GatewaySettings
from services.gateway.store import Client
from services.runtime.db import make_engine, make_session_factory

DEMO_CLIENT_ID = "demo-simulator"


def ensure_demo_client(var_dir: Path) -> tuple[str, str]:
    """Create (or re-key) the simulator's client with every scope; returns (client id, secret)."""
    settings = GatewaySettings().model_copy(update={"var_dir": var_dir})
    engine = make_engine(settings.resolved_database_url())
    secret = new_secret()
    try:
        with make_session_factory(engine).begin() as session:
            client = session.get(Client, DEMO_CLIENT_ID)
            if client is None:
                client = Client(client_id=DEMO_CLIENT_ID, department="西青区人力资源和社会保障局（演示）", bureau=True)
                session.add(client)
            client.secret_hash, client.scopes, client.active = hash_secret(secret), " ".join(sorted(SCOPES)), True
    finally:
        engine.dispose()
    return DEMO_CLIENT_ID, secret

"""``leye gateway clients``: the operator's registry commands, run in-process on a fresh database."""

from __future__ import annotations

import json
from pathlib import Path

from argon2 import PasswordHasher
from typer.testing import CliRunner

from services.gateway.auth import hash_secret, new_secret, verify_secret
from services.gateway.cli import app
from services.gateway.settings import Settings
from services.gateway.store import get_client
from services.runtime.db import make_engine, make_session_factory


def _secret_hash(client_id: str) -> str | None:
    engine = make_engine(Settings().resolved_database_url())
    try:
        with make_session_factory(engine)() as session:
            client = get_client(session, client_id)
            return None if client is None else client.secret_hash
    finally:
        engine.dispose()


def test_add_and_rotate_print_one_json_line_for_scripts(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("GATEWAY_DATABASE_URL", raising=False)
    monkeypatch.setenv("LEYE_VAR_DIR", str(tmp_path))
    runner = CliRunner()
    added = runner.invoke(app, ["clients", "add", "civil", "-d", "区民政局", "-s", "stats:read", "--json"])
    assert added.exit_code == 0
    first = json.loads(added.stdout)
    assert first["client_id"] == "civil" and verify_secret(_secret_hash("civil"), first["secret"])
    rotated = runner.invoke(app, ["clients", "rotate", "civil", "--json"])
    second = json.loads(rotated.stdout)
    assert rotated.exit_code == 0 and second["secret"] != first["secret"]
    assert verify_secret(_secret_hash("civil"), second["secret"])
    assert not verify_secret(_secret_hash("civil"), first["secret"])


def test_add_needs_a_scope_or_all_scopes(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("GATEWAY_DATABASE_URL", raising=False)
    monkeypatch.setenv("LEYE_VAR_DIR", str(tmp_path))
    refused = CliRunner().invoke(app, ["clients", "add", "civil", "-d", "区民政局"])
    assert refused.exit_code == 2
    assert "请用 --scope 指定至少一个权限范围，或用 --all-scopes" in refused.stdout
    assert not (tmp_path / "gateway.sqlite3").exists()  # refused before the registry is opened


def test_secrets_are_kept_as_sha256_digests_and_older_argon2_hashes_still_verify() -> None:
    secret = new_secret()
    stored = hash_secret(secret)
    assert stored.startswith("sha256$") and secret not in stored and len(stored) == len("sha256$") + 64
    assert verify_secret(stored, secret) and not verify_secret(stored, secret + "x")
    assert not verify_secret(None, secret)  # an unknown client
    older = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(secret)  # cheap parameters
    assert verify_secret(older, secret) and not verify_secret(older, new_secret())
    assert not verify_secret("not a hash", secret)

"""Service-level contracts: the migration matches the models, every operation has a Chinese summary,
production refuses the placeholder encryption key."""

from __future__ import annotations

import re

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from pydantic import ValidationError

import services.registration.store
from services.registration.app import MIGRATIONS, create_app
from services.registration.crypto import PiiCipher
from services.registration.settings import Settings
from services.runtime.db import make_engine, migrate
from tests.metadata import with_runtime_tables

from .conftest import service_settings

OWN_TABLES = {"persons", "person_groups", "followups", "employments", "pii_key_rotations", "outbox",
              "idempotency_keys"}


def test_migrations_create_exactly_the_models(database_url: str) -> None:

    engine = make_engine(database_url)
    migrate(engine, MIGRATIONS)
    expected = with_runtime_tables(services.registration.store.Base.metadata)
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), expected)
    engine.dispose()

    def table_of(diff: tuple | list) -> str:
        item = diff[0] if isinstance(diff, list) else diff  # modify_* diffs come as one-item lists
        kind = item[0]
        if kind.startswith("modify_") or kind in ("add_column", "remove_column"):
            return item[2]
        return item[1].name if kind.endswith("_table") else item[1].table.name

    assert [d for d in diffs if table_of(d) in OWN_TABLES] == []


def test_every_operation_has_a_chinese_summary(tmp_path) -> None:
    app = create_app(service_settings(f"sqlite:///{tmp_path / 'r.sqlite3'}"), start_relay=False)
    operations = [op for path in app.openapi()["paths"].values() for op in path.values()]
    assert len(operations) >= 12
    assert all(re.search(r"[\u4e00-\u9fff]", op.get("summary", "")) for op in operations)


def test_production_refuses_the_placeholder_pii_keys() -> None:
    with pytest.raises(ValidationError, match="pii_keys"):
        Settings(LEYE_ENV="production", PERSON_REF_KEY="a-real-person-ref-key-from-the-vault",
                 LEYE_INTERNAL_TOKEN="a-real-internal-token-from-the-vault")


def test_cipher_round_trips_and_randomises() -> None:
    cipher = PiiCipher({1: "some secret"})
    first, second = cipher.encrypt("13812345678"), cipher.encrypt("13812345678")
    assert first != second and b"13812345678" not in first
    assert PiiCipher({1: "some secret"}).decrypt(first) == "13812345678"

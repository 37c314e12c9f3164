"""Service-level contracts: the migration creates exactly the models; every operation has a
Chinese summary."""

from __future__ import annotations

import re
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import services.matching.store
from services.matching.app import create_app
from services.matching.settings import Settings
from services.runtime.db import make_engine, migrate
from tests.metadata import with_runtime_tables

MIGRATIONS = Path(services.matching.store.__file__).parent / "migrations"
OWN_TABLES = {"people", "vacancies", "employers", "pending_events", "processed_events", "stations", "cases",
              "referrals", "outbox", "idempotency_keys", "index_revision", "policy_settlements"}


def _table(diff: tuple | list) -> str:
    item = diff[0] if isinstance(diff, list) else diff  # modify_* diffs come as one-item lists
    kind = item[0]
    if kind.startswith("modify_") or kind in ("add_column", "remove_column"):
        return item[2]
    return item[1].name if kind.endswith("_table") else item[1].table.name


def test_migrations_create_exactly_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine, MIGRATIONS)
    expected = with_runtime_tables(services.matching.store.Base.metadata)
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), expected)
    engine.dispose()
    assert [d for d in diffs if _table(d) in OWN_TABLES] == []


def test_every_operation_has_a_chinese_summary(tmp_path: Path) -> None:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'm.sqlite3'}"))
    operations = [op for path in app.openapi()["paths"].values() for op in path.values()]
    assert len(operations) >= 14
    assert all(re.search(r"[\u4e00-\u9fff]", op.get("summary", "")) for op in operations)

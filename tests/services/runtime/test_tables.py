"""The runtime tables' revisions: a database created before the outbox recorded offsets is upgraded
to exactly the models, and the revision can be undone."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, inspect

import services.runtime.db
from services.runtime.db import make_engine, migrate
from services.runtime.tables import with_runtime_tables

MIGRATIONS = Path(__file__).parent / "migrations"


def _alembic(engine, action, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(Path(services.runtime.db.__file__).parent / "alembic"))
    config.set_main_option("version_locations", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        action(config, revision)


def test_outbox_offsets_revision_upgrades_an_older_database_to_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        migrate(engine, MIGRATIONS)
        _alembic(engine, command.downgrade, "0001")  # the tables as the first revision made them
        inspector = inspect(engine)
        assert {"sent_partition", "sent_offset"}.isdisjoint(c["name"] for c in inspector.get_columns("outbox"))
        assert "ix_outbox_sent_at" not in {i["name"] for i in inspector.get_indexes("outbox")}

        migrate(engine, MIGRATIONS)
        with engine.connect() as conn:
            diffs = compare_metadata(MigrationContext.configure(conn), with_runtime_tables(MetaData()))
        assert [d for d in diffs if not (isinstance(d, tuple) and d[0] == "remove_table")] == []
    finally:
        engine.dispose()

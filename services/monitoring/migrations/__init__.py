"""ClickHouse migrations of the monitoring service, in snuba's shape.

Each module ``NNNN_description.py`` in this folder has a docstring saying why it exists and two
lists of statements: ``forwards`` (applied in order at start-up) and ``backwards`` (undoes it).
Statements must be idempotent (``IF NOT EXISTS`` / ``IF EXISTS``) so that a crash half-way through
a migration is repaired by running it again. Applied versions are recorded in ``schema_migrations``.

Modules are found by their file name; numbers must run 1, 2, 3 … without gaps or duplicates
(``tests/services/monitoring/test_migrations.py`` enforces it), so two engineers adding a migration
at the same time collide loudly instead of silently applying in a surprising order.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.py$")

LEDGER = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version UInt32,
    name String,
    applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree ORDER BY version
"""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    forwards: tuple[str, ...]
    backwards: tuple[str, ...]
    reason: str


class Executor(Protocol):
    def command(self, sql: str) -> object: ...

    def query(self, sql: str) -> object: ...


def discover(folder: Path = Path(__file__).parent) -> list[Migration]:
    """Every migration in ``folder`` sorted by version (no validation; see :func:`check_numbering`)."""
    found = []
    for path in sorted(folder.glob("[0-9]*.py")):
        match = _NAME.match(path.name)
        if match is None:
            raise ValueError(f"badly named migration file: {path.name}")
        module = importlib.import_module(f"{__name__}.{path.stem}")
        found.append(Migration(int(match.group(1)), path.stem, tuple(module.forwards), tuple(module.backwards),
                               (module.__doc__ or "").strip()))
    return sorted(found, key=lambda m: m.version)


def check_numbering(migrations: list[Migration]) -> None:
    """Raise ``ValueError`` unless versions are exactly 1..n and every migration says why."""
    versions = [m.version for m in migrations]
    if versions != list(range(1, len(versions) + 1)):
        raise ValueError(f"migration numbers must be 1..n without gaps or duplicates, got {versions}")
    for migration in migrations:
        if not migration.reason:
            raise ValueError(f"migration {migration.name} has no docstring saying why")


def migrate(client: Executor, migrations: list[Migration] | None = None) -> list[str]:
    """Apply the pending migrations in order; return the names applied. Safe to run concurrently
    with nothing else and repeatedly: applied versions are skipped, statements are idempotent."""
    migrations = discover() if migrations is None else migrations
    check_numbering(migrations)
    client.command(LEDGER)
    result = client.query("SELECT version FROM schema_migrations FINAL")
    applied = {row[0] for row in result.result_rows}  # type: ignore[attr-defined]
    done = []
    for migration in migrations:
        if migration.version in applied:
            continue
        for statement in migration.forwards:
            client.command(statement)
        client.command(f"INSERT INTO schema_migrations (version, name) VALUES ({migration.version}, "
                       f"'{migration.name}')")
        done.append(migration.name)
    return done

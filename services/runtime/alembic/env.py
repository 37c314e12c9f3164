"""Shared Alembic environment: runs a service's revisions on the connection handed in by
:func:`services.runtime.db.migrate`. Batch mode lets ALTERs work on SQLite too."""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()

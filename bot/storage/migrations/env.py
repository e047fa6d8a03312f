"""Alembic environment: migrations run on a connection handed in by bot.storage.db."""

from __future__ import annotations

from alembic import context

from bot.storage.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - `podbrief db upgrade` always hands one in
    raise RuntimeError("run migrations with `podbrief db upgrade`")
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()

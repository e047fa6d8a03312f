"""Storage: episodes, cached summaries; SQLite by default, Postgres through DATABASE_URL."""

from bot.storage.db import Database, async_url

__all__ = ["Database", "async_url"]

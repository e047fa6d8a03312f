"""Database URLs for storage tests: SQLite always, Postgres when reachable (or required)."""

from __future__ import annotations

import os
import socket
from urllib.parse import urlparse

POSTGRES_URL = os.environ.get(
    "PODBRIEF_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
REQUIRE_POSTGRES = os.environ.get("PODBRIEF_REQUIRE_POSTGRES") == "1"


def postgres_reachable() -> bool:
    parsed = urlparse(POSTGRES_URL)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or 5432), timeout=1
        ):
            return True
    except OSError:
        return False

"""Shared fixtures: the invented episode in every format under tests/fixtures."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.data import FIXTURES


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh empty database: a SQLite file, or a new schema in the local Postgres."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'podbrief.db'}"
        return
    yield from _postgres_schema()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A new schema in the local Postgres: for what only a shared database does (several
    instances on one database)."""
    yield from _postgres_schema()


def _postgres_schema() -> Iterator[str]:
    from tests.support.storage_urls import POSTGRES_URL, REQUIRE_POSTGRES, postgres_reachable

    if not postgres_reachable():
        if REQUIRE_POSTGRES:
            pytest.fail(
                f"Postgres is required (PODBRIEF_REQUIRE_POSTGRES=1) but {POSTGRES_URL} "
                "is not reachable"
            )
        pytest.skip(f"no Postgres at {POSTGRES_URL}")
    import psycopg

    schema = f"pb_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        sep = "&" if "?" in POSTGRES_URL else "?"
        yield f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')

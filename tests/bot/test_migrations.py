"""Migrations started by several instances at once on a new database: every one succeeds and
the schema is made once (an advisory lock on Postgres, an exclusive transaction on SQLite)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

from sqlalchemy import text

from bot.storage import Database
from tests.support.data import ROOT

INSTANCES = 4
ROUNDS = 3


def _upgrade_together(url: str) -> list[subprocess.CompletedProcess[str]]:
    env = {**os.environ, "DATABASE_URL": url, "PODBRIEF_LOG_LEVEL": "ERROR"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "adapters.cli", "db", "upgrade"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(INSTANCES)
    ]
    done = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        done.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return done


async def _versions_and_reset(url: str, *, reset: bool) -> list[str]:
    db = Database(url)
    try:
        async with db.engine.begin() as conn:
            rows = (await conn.execute(text("SELECT version_num FROM alembic_version"))).all()
            if reset:
                names = await conn.run_sync(lambda c: c.dialect.get_table_names(c))
                for name in names:
                    await conn.execute(text(f'DROP TABLE "{name}" CASCADE'))
        return [row[0] for row in rows]
    finally:
        await db.close()


def test_instances_migrating_together_all_succeed(database_url: str) -> None:
    for n in range(ROUNDS):
        url = database_url
        if url.startswith("sqlite"):
            url = url.replace("podbrief.db", f"round-{n}.db")
        results = _upgrade_together(url)
        failed = [r.stderr for r in results if r.returncode != 0]
        assert failed == []
        assert all(r.stdout.strip() == "database is up to date" for r in results)
        postgres = url.startswith("postgres")
        assert len(asyncio.run(_versions_and_reset(url, reset=postgres))) == 1

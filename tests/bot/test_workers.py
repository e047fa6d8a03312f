"""The worker pool survives a worker that dies: one crash costs only its own jobs."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable

import pytest

from bot.workers import JobTooLong, WorkerCrashed, WorkerPool


def run_in(pool: WorkerPool, go: Callable[[WorkerPool], Awaitable[None]]) -> None:
    """Run the scenario `go` on `pool`, then shut the pool down whatever happened."""
    try:
        asyncio.run(go(pool))
    finally:
        pool.shutdown()


def test_jobs_run_in_worker_processes() -> None:
    async def go(pool: WorkerPool) -> None:
        results = await asyncio.gather(*(pool.run(pow, n, 2) for n in range(6)))
        assert results == [0, 1, 4, 9, 16, 25]
        assert await pool.run(os.getpid) != os.getpid()

    run_in(WorkerPool(2), go)


def test_a_dead_worker_costs_its_job_and_the_pool_serves_on() -> None:
    async def go(pool: WorkerPool) -> None:
        with pytest.raises(WorkerCrashed, match="stopped before it finished"):
            await pool.run(os._exit, 1)  # what the kernel's OOM killer does to a worker
        assert pool.replaced == 1
        assert await pool.run(sum, [1, 2, 3]) == 6
        # jobs that were running beside the crash fail with it, the pool is replaced once
        crashed = await asyncio.gather(
            pool.run(os._exit, 1), pool.run(pow, 2, 10), return_exceptions=True
        )
        assert isinstance(crashed[0], WorkerCrashed)
        assert crashed[1] == 1024 or isinstance(crashed[1], WorkerCrashed)
        assert pool.replaced == 2
        assert await pool.run(pow, 3, 3) == 27

    run_in(WorkerPool(2), go)


def test_a_job_past_the_time_limit_is_stopped_and_the_pool_serves_on() -> None:
    async def go(pool: WorkerPool) -> None:
        worker = await pool.run(os.getpid)  # one worker: the sleep below runs in it
        with pytest.raises(JobTooLong, match="longer than 0.5 s"):
            await pool.run(time.sleep, 600)  # a parse that never ends, as a hostile file
        assert pool.replaced == 1
        assert await pool.run(pow, 2, 5) == 32
        assert await pool.run(os.getpid) != worker
        for _ in range(100):  # the stopped worker is ended, not left sleeping
            if not _alive(worker):
                break
            await asyncio.sleep(0.05)
        assert not _alive(worker)

    run_in(WorkerPool(1, timeout=0.5), go)


def _alive(pid: int) -> bool:
    """A running process, not one ended and waiting to be reaped."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False

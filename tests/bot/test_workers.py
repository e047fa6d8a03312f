"""The worker pool survives a worker that dies or a job past its limit: each costs only
its own job, and a job's limit counts from its own start."""

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


def test_a_dead_worker_costs_only_its_own_job() -> None:
    async def go(pool: WorkerPool) -> None:
        with pytest.raises(WorkerCrashed, match="stopped before it finished"):
            await pool.run(os._exit, 1)  # what the kernel's OOM killer does to a worker
        assert pool.stopped == 1
        assert await pool.run(sum, [1, 2, 3]) == 6
        # a job running beside the crash (in the other worker) finishes
        crashed, beside = await asyncio.gather(
            pool.run(os._exit, 1), pool.run(_slow_pow, 2, 10), return_exceptions=True
        )
        assert isinstance(crashed, WorkerCrashed)
        assert beside == 1024
        assert await pool.run(pow, 3, 3) == 27

    run_in(WorkerPool(2), go)


def test_a_job_past_its_limit_is_stopped_alone() -> None:
    async def go(pool: WorkerPool) -> None:
        # another workspace's small job runs beside the endless one and is answered
        endless = asyncio.ensure_future(pool.run(_sleep_and_report, 600, _STARTED))
        worker = await _started(pool)
        assert await pool.run(pow, 2, 5) == 32
        with pytest.raises(JobTooLong, match="longer than 1 s"):
            await endless
        assert pool.stopped == 1
        for _ in range(100):  # the stopped worker is ended, not left sleeping
            if not _alive(worker):
                break
            await asyncio.sleep(0.05)
        assert not _alive(worker)
        assert await pool.run(os.getpid) != worker

    run_in(WorkerPool(2, timeout=1), go)


def test_the_limit_counts_from_the_jobs_own_start() -> None:
    async def go(pool: WorkerPool) -> None:
        # one worker, three jobs of 0.6 s each under a 1 s limit: the last one waits 1.2 s
        # in the queue, which is not its running time
        results = await asyncio.gather(*(pool.run(_slow_pow, n, 2) for n in range(3)))
        assert results == [0, 1, 4]
        assert pool.stopped == 0

    run_in(WorkerPool(1, timeout=1), go)


def test_a_job_may_have_its_own_limit() -> None:
    async def go(pool: WorkerPool) -> None:
        assert await pool.run(_slow_pow, 3, 2, limit=5) == 9
        with pytest.raises(JobTooLong, match="longer than 0.2 s"):
            await pool.run(_slow_pow, 3, 2, limit=0.2)

    run_in(WorkerPool(1, timeout=1), go)


def test_cancelling_the_caller_stops_the_job() -> None:
    async def go(pool: WorkerPool) -> None:
        job = asyncio.ensure_future(pool.run(_sleep_and_report, 600, _STARTED))
        worker = await _started(pool)
        job.cancel()
        for _ in range(100):
            if not _alive(worker):
                break
            await asyncio.sleep(0.05)
        assert not _alive(worker)
        assert await pool.run(pow, 2, 3) == 8

    run_in(WorkerPool(1, timeout=60), go)


_STARTED = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"podbrief-started-{os.getpid()}")


def _slow_pow(base: int, exp: int) -> int:
    time.sleep(0.6)
    return int(pow(base, exp))


def _sleep_and_report(seconds: float, where: str) -> None:
    """Writes its worker's pid where the test finds it, then sleeps (`where` is given: the
    worker imports this module afresh, with its own pid)."""
    with open(where, "w") as out:
        out.write(str(os.getpid()))
    time.sleep(seconds)


async def _started(pool: WorkerPool) -> int:
    """The pid of the worker running `_sleep_and_report`, once it runs."""
    for _ in range(200):
        found = _take_started()
        if found is not None:
            return found
        await asyncio.sleep(0.02)
    raise AssertionError("the job never started")


def _take_started() -> int | None:
    try:
        with open(_STARTED) as pid:
            found = pid.read()
    except FileNotFoundError:
        return None
    if not found:
        return None
    os.remove(_STARTED)
    return int(found)


def _alive(pid: int) -> bool:
    """A running process, not one ended and waiting to be reaped."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False

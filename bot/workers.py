"""Worker processes for the CPU-bound work (loading and summarizing transcripts).

A worker that dies (the kernel kills it for memory, a C extension crashes) breaks a
`ProcessPoolExecutor` for good: every later job would fail at once. `WorkerPool` replaces a
broken pool, so a crash costs only the jobs that were running in it. A job that runs past
the time limit (a hostile file that some parsing step handles slowly) is stopped the same
way: its pool's processes are ended and a new pool serves the next jobs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from bot.errors import UserError

logger = logging.getLogger(__name__)
T = TypeVar("T")


class WorkerCrashed(UserError):
    """The worker process running a job stopped before it finished."""


class JobTooLong(UserError):
    """A job ran past the time limit and was stopped."""


class WorkerPool:
    """`workers` processes; `run` awaits one job, for at most `timeout` seconds; a broken
    pool, or one holding a job past its time, is replaced."""

    def __init__(self, workers: int, timeout: float = 300.0) -> None:
        self.workers = workers
        self.timeout = timeout
        self._pool = ProcessPoolExecutor(max_workers=workers)
        self.replaced = 0  # pools replaced after a crash or a stopped job (for logs and tests)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        pool = self._pool
        job = asyncio.get_running_loop().run_in_executor(pool, fn, *args)
        try:
            return await asyncio.wait_for(job, self.timeout)
        except TimeoutError:
            self._stop(pool)
            raise JobTooLong(
                f"this took longer than {self.timeout:g} s and was stopped "
                "(PODBRIEF_JOB_TIMEOUT); check that the file is a transcript, or send a "
                "smaller one"
            ) from None
        except BrokenProcessPool:
            self._replace(pool)
            raise WorkerCrashed(
                "the worker handling this stopped before it finished (perhaps out of memory "
                "on a very large transcript); try again, or send a smaller file"
            ) from None

    def _stop(self, pool: ProcessPoolExecutor) -> None:
        """End a pool's processes (a running job cannot be cancelled otherwise); the jobs
        running beside the stopped one fail as after a crash."""
        logger.error("a job ran past %g s; stopping its worker pool", self.timeout)
        # the executor keeps its processes in `_processes` (pid -> Process): there is no
        # public way to end a running job
        for process in list(getattr(pool, "_processes", {}).values()):
            process.terminate()
        self._replace(pool)

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        if self._pool is broken:  # the first job to notice replaces it; the others reuse
            logger.error("a worker process died; starting a new pool of %d", self.workers)
            self._pool = ProcessPoolExecutor(max_workers=self.workers)
            self.replaced += 1
            broken.shutdown(wait=False, cancel_futures=True)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

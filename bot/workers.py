"""Worker processes for the CPU-bound work (loading and summarizing transcripts).

A worker that dies (the kernel kills it for memory, a C extension crashes) breaks a
`ProcessPoolExecutor` for good: every later job would fail at once. `WorkerPool` replaces a
broken pool, so a crash costs only the jobs that were running in it.
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


class WorkerPool:
    """`workers` processes; `run` awaits one job; a broken pool is replaced."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool = ProcessPoolExecutor(max_workers=workers)
        self.replaced = 0  # pools replaced after a crash (for logs and tests)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        pool = self._pool
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, fn, *args)
        except BrokenProcessPool:
            self._replace(pool)
            raise WorkerCrashed(
                "the worker handling this stopped before it finished (perhaps out of memory "
                "on a very large transcript); try again, or send a smaller file"
            ) from None

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        if self._pool is broken:  # the first job to notice replaces it; the others reuse
            logger.error("a worker process died; starting a new pool of %d", self.workers)
            self._pool = ProcessPoolExecutor(max_workers=self.workers)
            self.replaced += 1
            broken.shutdown(wait=False, cancel_futures=True)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

"""Worker processes for the CPU-bound work (loading and summarizing transcripts).

A worker that dies (the kernel kills it for memory, a C extension crashes) breaks a
`ProcessPoolExecutor` for good: every later job would fail at once. `WorkerPool` replaces a
broken pool, so a crash costs only the jobs that were running in it. A job that runs past
the time limit (a hostile file that some parsing step handles slowly) is stopped the same
way: its pool's processes are ended and a new pool serves the next jobs.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import os
import signal
import socket
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from bot.errors import UserError

logger = logging.getLogger(__name__)
T = TypeVar("T")
WORKER_NICE = 10  # workers yield the CPU to the event loop that acks commands
_PR_SET_PDEATHSIG = 1


def _worker_start() -> None:
    """In each worker: die with the bot (even when it is SIGKILLed, so no orphan keeps
    running a job or holds its port), close the listening sockets inherited by the fork
    (the HTTP port), and run at a lower priority than the event loop that acks commands."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() == 1:  # the bot died before the line above took effect
            os._exit(1)
        _close_listening_sockets()
    try:
        os.nice(WORKER_NICE)
    except OSError:
        pass


def _close_listening_sockets() -> None:
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        try:
            sock = socket.socket(fileno=fd)
        except OSError:
            continue  # not a socket (or already gone)
        try:
            listening = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)
        except OSError:
            listening = 0
        if listening:
            sock.close()
        else:
            sock.detach()  # leave every other file as it was


def _pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, initializer=_worker_start)


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
        self._pool = _pool(workers)
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
            self._pool = _pool(self.workers)
            self.replaced += 1
            broken.shutdown(wait=False, cancel_futures=True)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

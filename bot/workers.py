"""Worker processes for the CPU-bound work (loading transcripts, parsing feeds, summarizing).

Jobs run in a pebble `ProcessPool`: each job's time limit counts from the moment a worker
starts it (not while it waits in the queue), and a job past its limit, or one whose worker
dies (the kernel kills it for memory, a C extension crashes), costs only that job: its
worker is ended and replaced, and the jobs running beside it finish.

Workers come from a fork server (a clean interpreter started once), not from forks of the
bot: a process forked from one whose threads hold locks (the speech model's inference
threads, the event loop's executors) can hang on the first lock it takes, and a worker
replaced after a crash would be forked from whatever the bot had become by then.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import multiprocessing
import os
import signal
import socket
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from pebble import ProcessExpired, ProcessPool

from bot.errors import UserError
from summarizers.lexicon import word_lists

logger = logging.getLogger(__name__)
T = TypeVar("T")
WORKER_NICE = 10  # workers yield the CPU to the event loop that acks commands
_PR_SET_PDEATHSIG = 1


def _worker_start() -> None:
    """In each worker: die with the bot (even when it is SIGKILLed, so no orphan keeps
    running a job or holds its port), close the listening sockets inherited by the fork
    (the HTTP port), run at a lower priority than the event loop that acks commands, and
    read the engine's word lists."""
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
    word_lists()  # the engine's word lists (0.2 s to read) are read before the first job's clock


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


# imported once in the fork server, so each worker starts with the job modules loaded
# (none of them loads the speech model: that happens in the first transcription job)
_PRELOAD = ["bot.summaries", "bot.digests.runner"]


def _pool(workers: int) -> ProcessPool:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    return ProcessPool(max_workers=workers, initializer=_worker_start, context=context)


class WorkerCrashed(UserError):
    """The worker process running a job stopped before it finished."""


class JobTooLong(UserError):
    """A job ran past the time limit and was stopped."""


class WorkerPool:
    """`workers` processes; `run` awaits one job, stopped after `timeout` seconds of its own
    running (another limit may be given per job, such as one that grows with an episode's
    length). Cancelling the awaiting task stops the job too."""

    def __init__(self, workers: int, timeout: float = 300.0) -> None:
        self.workers = workers
        self.timeout = timeout
        self._pool = _pool(workers)
        self.stopped = 0  # jobs ended by their limit or a dead worker (for logs and tests)

    async def run(self, fn: Callable[..., T], *args: Any, limit: float | None = None) -> T:
        limit = self.timeout if limit is None else limit
        if not self._pool.active:  # the pool broke (its channel to the workers failed)
            logger.error("the worker pool stopped; starting a new pool of %d", self.workers)
            self._pool = _pool(self.workers)
        future = self._pool.schedule(fn, args=args, timeout=limit)
        try:
            return await asyncio.wrap_future(future)
        except TimeoutError:
            self.stopped += 1
            logger.error("a job ran past %g s; its worker was stopped", limit)
            raise JobTooLong(
                f"this took longer than {limit:g} s and was stopped "
                "(PODBRIEF_JOB_TIMEOUT); check that the file is a transcript, or send a "
                "smaller one"
            ) from None
        except ProcessExpired as exc:
            self.stopped += 1
            logger.error("a worker process died (exit code %s) during a job", exc.exitcode)
            raise WorkerCrashed(
                "the worker handling this stopped before it finished (perhaps out of memory "
                "on a very large transcript); try again, or send a smaller file"
            ) from None

    def shutdown(self) -> None:
        """Stop the workers, running jobs included (the bot is stopping)."""
        self._pool.stop()  # type: ignore[no-untyped-call]  # (pebble 5.2 leaves it untyped)
        self._pool.join()

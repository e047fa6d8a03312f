"""Serving an aiohttp app on 127.0.0.1 with a free port, for the fakes and test servers."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Protocol, TypeVar

import aiohttp
from aiohttp import web


async def serve(app: web.Application) -> tuple[web.AppRunner, int]:
    """Start `app` on 127.0.0.1:0; returns the runner (to clean up) and the port."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server = site._server
    assert server is not None
    return runner, int(server.sockets[0].getsockname()[1])  # type: ignore[union-attr]


class Fake(Protocol):
    base: str

    def app(self) -> web.Application: ...


F = TypeVar("F", bound=Fake)


@asynccontextmanager
async def running(fake: F) -> AsyncIterator[F]:
    """`fake` served on 127.0.0.1:0 while the block runs, its `base` set to its address."""
    runner, port = await serve(fake.app())
    fake.base = f"http://127.0.0.1:{port}"
    try:
        yield fake
    finally:
        await runner.cleanup()


@contextmanager
def in_thread(fake: F) -> Iterator[F]:
    """`running(fake)` on an event loop of its own thread (for a `podbrief` subprocess)."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    context = running(fake)
    started = asyncio.run_coroutine_threadsafe(context.__aenter__(), loop).result(10)
    try:
        yield started
    finally:
        asyncio.run_coroutine_threadsafe(context.__aexit__(None, None, None), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


async def wait_until_healthy(
    http: aiohttp.ClientSession, port: int | str, tries: int = 400
) -> None:
    """Poll a `podbrief run` instance's /healthz until it answers 200 (20 s by default)."""
    for _ in range(tries):
        try:
            async with http.get(f"http://127.0.0.1:{port}/healthz") as resp:
                if resp.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.05)
    raise AssertionError(f"nothing answered /healthz on port {port}")

"""Shared helpers for the discord tests (and the log-secrecy tests that drive the same app)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from adapters.discord.app import SYNTAX as DISCORD_SYNTAX
from adapters.discord.app import DiscordAdapter
from bot.bootstrap import App, build
from bot.config import DiscordSettings, Settings
from tests.support.data import EXAMPLE, OPUS, ROOT, VTT  # noqa: F401 (re-exported)
from tests.support.fakes.discord_server import FakeDiscord

EPHEMERAL = 64


@asynccontextmanager
async def discord_app(
    tmp_path: Path, **overrides: Any
) -> AsyncIterator[tuple[FakeDiscord, DiscordAdapter, App]]:
    """The bot with its Discord adapter on the fake Discord (`overrides`: other settings)."""
    fake = await FakeDiscord(
        attachments={
            "ep.vtt": VTT,
            "example.txt": EXAMPLE,
            "noise.bin": bytes(range(256)) * 64,
            "tool-library.opus": OPUS,
        }
    ).start()
    settings = Settings(
        **overrides,
        database_url=f"sqlite:///{tmp_path / 'bot.db'}",
        fetch_allow_hosts="127.0.0.1",
        workers=1,
        max_transcript_bytes=100_000,
        discord=DiscordSettings(
            token="test-discord-token",
            api_url=fake.api_url,  # type: ignore[arg-type]
            gateway_url=fake.gateway_url,
        ),
    )
    core = await build(
        settings, adapters=[DiscordAdapter.make], syntaxes={"discord": DISCORD_SYNTAX}
    )
    (adapter,) = core.adapters
    assert isinstance(adapter, DiscordAdapter)
    task = asyncio.create_task(adapter.run())
    try:
        yield fake, adapter, core
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await core.close()
        await fake.stop()


def run(
    tmp_path: Path,
    test: Callable[[FakeDiscord, DiscordAdapter, App], Awaitable[None]],
    **overrides: Any,
) -> None:
    async def go() -> None:
        async with discord_app(tmp_path, **overrides) as (fake, adapter, core):
            await test(fake, adapter, core)

    asyncio.run(go())


def link(value: str) -> list[dict[str, object]]:
    return [{"type": 3, "name": "link", "value": value}]

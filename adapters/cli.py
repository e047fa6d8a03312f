"""The `podbrief` console script: the core's commands plus `run`, which starts the adapters.

It lives here because `bot` never imports `adapters`.
"""

from __future__ import annotations

import asyncio
import sys

import click

from adapters.runner import run as run_adapters
from bot.cli import cli, main
from bot.config import load_settings


@cli.command("run")
def run_bot() -> None:
    """Start the bot: every configured chat platform (the console when none is)."""
    asyncio.run(run_adapters(load_settings()))


@cli.group("discord")
def discord_group() -> None:
    """Discord tasks."""


@discord_group.command("sync")
@click.option(
    "--guild",
    type=int,
    default=None,
    help="Register in one server only (instant); default: globally (up to an hour).",
)
def discord_sync(guild: int | None) -> None:
    """Register the /podbrief commands with Discord (not done at every start)."""
    from adapters.discord.app import DiscordAdapter

    adapter = DiscordAdapter(None, load_settings())
    names = asyncio.run(adapter.sync(guild))
    where = f"server {guild}" if guild else "all servers (global)"
    click.echo(f"registered /{', /'.join(names)} for {where}")


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    run()

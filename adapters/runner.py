"""`podbrief run`: the configured adapters and the core, built by the composition root and
served in one event loop until a signal."""

from __future__ import annotations

import logging

from bot.bootstrap import AdapterFactory, build
from bot.commands import Syntax
from bot.config import Settings

logger = logging.getLogger(__name__)


def configured(settings: Settings) -> tuple[list[AdapterFactory], dict[str, Syntax]]:
    """Slack and Discord when their credentials are set, else the console: their factories
    and command syntaxes."""
    factories: list[AdapterFactory] = []
    syntaxes: dict[str, Syntax] = {}
    if settings.slack.configured:
        from adapters.slack import app as slack

        factories.append(slack.SlackAdapter.make)
        syntaxes["slack"] = slack.syntax(settings)
    if settings.discord.token is not None:
        from adapters.discord import app as discord

        factories.append(discord.DiscordAdapter.make)
        syntaxes["discord"] = discord.SYNTAX
    if not factories:
        from adapters.console import app as console

        factories.append(console.ConsoleAdapter.make)
        syntaxes["console"] = console.SYNTAX
    return factories, syntaxes


async def run(settings: Settings) -> None:
    """Build everything, serve until SIGINT/SIGTERM (in-flight replies finish), release."""
    factories, syntaxes = configured(settings)
    app = await build(settings, adapters=factories, syntaxes=syntaxes)
    try:
        logger.info("starting %s", ", ".join(a.name for a in app.adapters))
        await app.run()
    finally:
        await app.close()
